"""Latent correlations of ordinal items: polychoric, polyserial and the partial polychoric.

The polychoric correlation estimates the correlation of the bivariate-normal latent
variables assumed to have been cut into the observed trust categories. Reviewers ask for it
as a robustness check on the published Pearson r. Written here because none of the
project's libraries (scipy, statsmodels, pingouin) has a polychoric or polyserial
correlation; the estimates are checked against R's ``polycor`` (tests/test_ordinal.py).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import ndtr, ndtri

from abs_trust.stats.arrays import complete_cases
from abs_trust.stats.bivariate_normal import _bvn_at, _Corners, _corners, bivariate_normal_pdf
from abs_trust.stats.correlation import (
    Z95,
    _few_pairs_note,
    _weighted_covariance,
)
from abs_trust.stats.design import Design, complete_with_design
from abs_trust.stats.linearization import (
    _linearized_inference,
    se_method,
)

THRESHOLD_CLIP = 8.0  # Phi(-8) ~ 6e-16: an "infinite" threshold to double precision
MAX_RHO = 0.9999  # as polycor's maxcor: the likelihood is flat and unbounded at |rho| = 1


def _ordinal_thresholds(counts: np.ndarray) -> np.ndarray:
    """Normal thresholds from marginal (weighted) counts, with -8 and +8 as the outer ends.

    .. math:: \\tau_j = \\Phi^{-1}\\big(\\textstyle\\sum_{i \\le j} n_i / n\\big),
        \\quad j = 1, \\dots, K-1

    The outer thresholds are :math:`\\pm\\infty`, clipped to ±8 so differences stay finite.
    """
    cumulative = np.cumsum(counts)[:-1] / np.sum(counts)
    inner = ndtri(cumulative)
    outer = np.concatenate(([-np.inf], inner, [np.inf]))
    return np.clip(outer, -THRESHOLD_CLIP, THRESHOLD_CLIP)


def _rectangles(corner: np.ndarray) -> np.ndarray:
    """Cell masses from a function at the threshold corners: F(i, j) - F(i-1, j) - ... ."""
    # np.diff twice, by slicing: the same arithmetic without np.diff's per-call overhead
    rows = corner[1:] - corner[:-1]
    return rows[:, 1:] - rows[:, :-1]


def _cell_terms(tau_x: np.ndarray, tau_y: np.ndarray, rho: float, corners: _Corners):
    """Cell probabilities and their first two derivatives in rho, by rectangle differences.

    ``corners`` is :func:`~abs_trust.stats.bivariate_normal._corners` of the same thresholds
    (computed once per table).
    """
    h, k = tau_x[:, None], tau_y[None, :]
    one_minus = 1 - rho**2
    density = bivariate_normal_pdf(h, k, rho)
    # d phi2 / d rho = phi2 * [rho/(1-rho^2) + (hk(1-rho^2) - rho Q)/(1-rho^2)^2]
    quad = h**2 - 2 * rho * h * k + k**2
    slope = density * (rho / one_minus + (h * k * one_minus - rho * quad) / one_minus**2)
    return (
        _rectangles(_bvn_at(corners, rho)),
        _rectangles(density),
        _rectangles(slope),
    )


def _loglik_at(rho: float, table: np.ndarray, corners: _Corners) -> float:
    """Minus the log-likelihood of ``table`` at ``rho``; the thresholds are in ``corners``."""
    prob = _rectangles(_bvn_at(corners, rho))  # only the probabilities: no derivatives here
    return -float((table * np.log(np.maximum(prob, 1e-300))).sum())


def _information(table: np.ndarray, prob: np.ndarray, d1: np.ndarray, d2: np.ndarray) -> float:
    """Observed information :math:`-\\ell''(\\rho)` with the thresholds fixed."""
    prob = np.maximum(prob, 1e-300)
    seen = table > 0  # empty cells add nothing, even where their probability underflows
    return float(np.sum(table[seen] * (d1[seen] ** 2 / prob[seen] ** 2 - d2[seen] / prob[seen])))


def _negative_loglik(rho: float, table: np.ndarray, tau_x, tau_y) -> float:
    """Minus the two-step log-likelihood (see :func:`polychoric`) at ``rho``."""
    return _loglik_at(rho, table, _corners(tau_x[:, None], tau_y[None, :]))


def _polychoric_table(table) -> dict:
    """:func:`polychoric` of a K × L contingency table (counts or weights): n is its total.

    Empty rows and columns are dropped (they carry no information and would give coincident
    thresholds), as polycor does.
    """
    table = np.asarray(table, dtype=float)
    table = table[table.sum(axis=1) > 0][:, table.sum(axis=0) > 0]
    n = float(table.sum())
    result = {
        "n": n, "r": np.nan, "se": np.nan, "p": np.nan, "ci_low": np.nan, "ci_high": np.nan,
        "thresholds_x": (), "thresholds_y": (), "note": "",
    }  # fmt: skip
    if table.ndim != 2 or min(table.shape) < 2:
        result["note"] = "fewer than two observed categories"
        return result
    tau_x, tau_y = _ordinal_thresholds(table.sum(axis=1)), _ordinal_thresholds(table.sum(axis=0))
    corners = _corners(tau_x[:, None], tau_y[None, :])
    fit = optimize.minimize_scalar(
        _loglik_at,
        bounds=(-MAX_RHO, MAX_RHO),
        args=(table, corners),
        method="bounded",
        options={"xatol": 1e-10},
    )
    rho = float(fit.x)
    information = _information(table, *_cell_terms(tau_x, tau_y, rho, corners))
    se = 1 / np.sqrt(information) if information > 0 else np.nan
    half = Z95 * se / (1 - rho**2)
    result |= {
        "r": rho,
        "se": float(se),
        "p": float(2 * ndtr(-abs(rho / se))),
        "ci_low": float(np.tanh(np.arctanh(rho) - half)),
        "ci_high": float(np.tanh(np.arctanh(rho) + half)),
        "thresholds_x": tuple(float(t) for t in tau_x[1:-1]),
        "thresholds_y": tuple(float(t) for t in tau_y[1:-1]),
    }
    if abs(rho) > MAX_RHO - 1e-6:
        result["note"] = f"estimate at the bound |r| = {MAX_RHO}"
    elif not se < 0.5:
        # e.g. a table whose empty cells fit |rho| -> 1 with the margins' thresholds
        result["note"] = "likelihood nearly flat in rho: r and its SE are unreliable"
    return result


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (sorted) and each respondent's category index into them."""
    return np.unique(values, return_inverse=True)


def _coded_table(a, b, w: np.ndarray | None) -> np.ndarray:
    """K × L table of (weighted) counts from :func:`_codes` of both variables (computed once
    per variable when one enters several tables, as in :func:`polychoric_partial`); weights
    are rescaled to sum to n (see :func:`polychoric`)."""
    ia, ib = a[1], b[1]
    w = np.ones(len(ia)) if w is None else w * len(ia) / w.sum()
    shape = (ia.max() + 1, ib.max() + 1)
    return np.bincount(ia * shape[1] + ib, weights=w, minlength=shape[0] * shape[1]).reshape(shape)


def polychoric(
    frame: pd.DataFrame,
    x: str,
    y: str,
    weight: str | None = None,
    strata: str | None = None,
    psu: str | None = None,
) -> dict:
    """Two-step polychoric correlation of two ordinal items.

    Step 1: thresholds from the marginal cumulative proportions,
    :math:`\\tau_j = \\Phi^{-1}(\\sum_{i \\le j} n_{i\\cdot} / n)` (the outer ones ±∞,
    clipped to ±8). Step 2: with the thresholds fixed, maximise the bivariate-normal
    log-likelihood of the K × L table of counts :math:`n_{ij}`

    .. math:: \\ell(\\rho) = \\sum_{ij} n_{ij} \\log P_{ij}(\\rho), \\qquad
        P_{ij} = \\Phi_2(\\tau_i, \\tau'_j; \\rho) - \\Phi_2(\\tau_{i-1}, \\tau'_j; \\rho)
               - \\Phi_2(\\tau_i, \\tau'_{j-1}; \\rho) + \\Phi_2(\\tau_{i-1}, \\tau'_{j-1}; \\rho)

    over :math:`|\\rho| \\le 0.9999` (bounded Brent), with
    :func:`~abs_trust.stats.bivariate_normal.bivariate_normal_cdf` for :math:`\\Phi_2`. Empty
    rows and columns of the table are dropped, as polycor does. With ``weight`` the table
    holds weight sums rescaled to total n: the weighted (pseudo-ML) estimate.

    Standard error: the Taylor linearization SE of the two-step estimate, through the
    implicit-function derivative of :math:`\\hat\\rho` in every cell of the table, the
    thresholds' dependence on the margins included (module section "linearization"), under
    the design: a simple random sample unweighted, weights only or ``strata``/``psu``
    weighted. ``se_information`` is the inverse observed information
    :math:`-\\ell''(\\hat\\rho)^{-1/2}` with the thresholds held fixed (what
    ``polycor::polychor(ML=FALSE, std.err=TRUE)`` reports): it leaves out the thresholds'
    sampling error, and on the fixture's W3 it is 6 % below a 2,000-replicate bootstrap SE
    (tests/reference), so the tables use the linearization SE. The CI is Fisher's z with the
    delta-method SE :math:`\\operatorname{SE}/(1-\\hat\\rho^2)`, p the Wald t test of
    :math:`\\rho = 0`, both on the design's df (n - 1 for a simple random sample).

    Respondents missing x, y (or the weight) are dropped.

    Reference: Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika* 44(4), 443-460 (the two-step estimator); Jöreskog, K. G.
    (1994). *Psychometrika* 59(3), 381-389 (its asymptotic variance with estimated
    thresholds); Fox, J. polycor.

    Parameters
    ----------
    frame : pd.DataFrame
        respondents, one row each.
    x, y : str
        the two ordinal items (any ordered codes; each distinct value is a category).
    weight : str, optional
        survey-weight column; None for the unweighted estimate.
    strata, psu : str, optional
        design columns for the weighted SE (None: weights only).

    Returns
    -------
    dict with n, r, se, df, p, ci_low, ci_high, se_method, se_information, thresholds_x,
    thresholds_y, note.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> table = np.array([[20, 15, 8, 2], [12, 40, 30, 9], [5, 28, 61, 25], [1, 7, 22, 35]])
    >>> i, j = np.indices(table.shape)
    >>> df = pd.DataFrame({"a": np.repeat(i.ravel(), table.ravel()),
    ...                    "b": np.repeat(j.ravel(), table.ravel())})
    >>> est = polychoric(df, "a", "b")  # R polycor two-step: 0.5938 (SE 0.0403)
    >>> round(est["r"], 4), round(est["se_information"], 4)
    (0.5938, 0.0403)
    """
    data, w, design = complete_with_design(frame, [x, y], weight, strata, psu)
    return _polychoric(data, w, design)


def _polychoric(data: np.ndarray, w: np.ndarray | None, design: Design | None = None) -> dict:
    """:func:`polychoric`'s kernel on listwise-complete data: the two columns of ``data``;
    ``design`` the strata and PSUs of the same rows (None: weights only)."""
    codes = _codes(data[:, 0]), _codes(data[:, 1])
    table = _coded_table(*codes, w)
    result = _polychoric_table(table)
    result |= {"n": len(data), "df": np.nan, "se_method": "", "se_information": result["se"]}
    if np.isfinite(result["r"]):
        z = _polychoric_scores(*codes, w, table, result["r"])
        result |= _linearized_inference(result["r"], z, w, design)
        result["se_method"] = se_method(w is not None, design)
    if not result["note"]:
        result["note"] = _few_pairs_note(len(data))
    return result


def _polyserial(codes: np.ndarray, values: np.ndarray, w: np.ndarray | None, coded=None) -> float:
    """:func:`polyserial`'s r; ``coded`` is :func:`_codes` of ``codes`` when already known."""
    levels, inverse = _codes(codes) if coded is None else coded
    if len(levels) < 2:
        return np.nan
    weights = np.ones(len(codes)) if w is None else w
    tau = _ordinal_thresholds(np.bincount(inverse, weights=weights))[1:-1]
    cov = _weighted_covariance(np.column_stack([codes, values]), w)
    if cov[1, 1] <= 0:
        return np.nan
    r = cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    density = np.exp(-(tau**2) / 2.0) / np.sqrt(2 * np.pi)  # phi(tau), as scipy.stats.norm
    return float(r * np.sqrt(cov[0, 0]) / np.sum(density * np.diff(levels)))


def polyserial(
    frame: pd.DataFrame, ordinal: str, continuous: str, weight: str | None = None
) -> dict:
    """Ad hoc two-step polyserial correlation of an ordinal and a continuous variable.

    .. math:: \\hat\\rho_{ps} = \\frac{r_{xy}\\, s_y}{\\sum_{j=1}^{K-1} \\phi(\\tau_j)
        (y_{j+1} - y_j)}

    where :math:`r_{xy}` is the (weighted) Pearson correlation of the continuous variable
    with the ordinal codes :math:`y_1 < \\dots < y_K`, :math:`s_y` the (weighted) SD of the
    codes and :math:`\\tau_j` the normal thresholds of the ordinal margin. It assumes the
    continuous variable and the latent one are bivariate normal; it is consistent, not ML.

    Reference: Olsson, U., Drasgow, F. & Dorans, N. J. (1982). The polyserial correlation
    coefficient. *Psychometrika* 47(3), 337-347, eq. (19).

    Parameters
    ----------
    frame : pd.DataFrame
        respondents, one row each.
    ordinal, continuous : str
        the ordinal variable (ordered codes) and the continuous one.
    weight : str, optional
        survey-weight column; None for the unweighted estimate.

    Returns
    -------
    dict with n, r, note (no SE: the ad hoc estimator has no simple one).
    """
    data, w = complete_cases(frame, [ordinal, continuous], weight)
    r = _polyserial(data[:, 0], data[:, 1], w) if len(data) > 2 else np.nan
    note = "" if np.isfinite(r) else "no variation or too few cases"
    if np.isfinite(r) and abs(r) >= 1:
        note = f"ad hoc estimate {r:.3f} outside (-1, 1), clipped"
        r = float(np.clip(r, -MAX_RHO, MAX_RHO))
    return {"n": len(data), "r": r, "note": note}


# ---------------------------------------------------------------- linearization (weighted SE)
#
# The two-step estimate depends on the weights only through the weighted K x L table N: the
# thresholds are normal quantiles of its margins, and rho solves the score equation
# g(rho, N) = sum_c N_c d/drho log P_c(rho, tau(N)) = 0. By the implicit function theorem
#     d rho / d N_c = (s_c + sum_j dg/dtau_j * dtau_j/dN_c) / I(rho),
#     dtau_j / dN_c = ([c <= j] - F_j) / (N phi(tau_j)),
# with s_c = d/drho log P_c, I = -dg/drho the observed information (thresholds fixed) and
# F_j the margin's cumulative share; dg/dtau_j analytically (:func:`_threshold_slopes`). This
# carries the thresholds' sampling error, which the information SE of two-step ML ignores
# (Joreskog 1994, Psychometrika 59(3), 381-389).


def _threshold_slopes(
    table: np.ndarray, rho: float, tau: list[np.ndarray], prob: np.ndarray, d1: np.ndarray
) -> list[np.ndarray]:
    r""":math:`\partial g / \partial \tau_j` for every inner threshold of each margin.

    With :math:`g = \sum_c N_c D_c / P_c` (:math:`P_c` the cell's probability, :math:`D_c`
    its derivative in rho, both rectangle differences of corner values
    :math:`\Phi_2(h, k; \rho)` and :math:`\phi_2(h, k; \rho)`), a row threshold
    :math:`h_a` moves the corners of row a only, the upper edge of the cells above it and
    the lower edge of those below:

    .. math:: \frac{\partial g}{\partial h_a} = \sum_j
        \Big(\frac{N}{P}\Big)\Big|^{a-1}_{a}\, \Delta_j \frac{\partial\phi_2}{\partial h}
        - \Big(\frac{N D}{P^2}\Big)\Big|^{a-1}_{a}\, \Delta_j
        \frac{\partial\Phi_2}{\partial h},

    with :math:`\partial\Phi_2/\partial h = \phi(h)\,\Phi\big((k - \rho h)/\sqrt{1-\rho^2}\big)`,
    :math:`\partial\phi_2/\partial h = -\phi_2\,(h - \rho k)/(1-\rho^2)` and
    :math:`\Delta_j` the difference between the corners of column j's two edges; the
    column thresholds likewise. ``prob`` and ``d1`` are :func:`_cell_terms`' P and D.

    Reference: Olsson, U. (1979). Maximum likelihood estimation of the polychoric
    correlation coefficient. *Psychometrika* 44(4), 443-460 (the likelihood's derivatives in
    the thresholds, for the one-step estimator).
    """
    prob = np.maximum(prob, 1e-300)
    a = table / prob
    b = a * d1 / prob
    one_minus = 1 - rho**2
    slopes = []
    for h, k in ((tau[0][:, None], tau[1][None, :]), (tau[1][:, None], tau[0][None, :])):
        density = bivariate_normal_pdf(h, k, rho)
        d_cdf = np.exp(-(h**2) / 2) / np.sqrt(2 * np.pi) * ndtr((k - rho * h) / np.sqrt(one_minus))
        d_pdf = -density * (h - rho * k) / one_minus
        # each corner row's difference across a column's two edges, inner rows only
        d_cdf, d_pdf = np.diff(d_cdf, axis=1)[1:-1], np.diff(d_pdf, axis=1)[1:-1]
        slopes.append(
            ((a[:-1] - a[1:]) * d_pdf).sum(axis=1) - ((b[:-1] - b[1:]) * d_cdf).sum(axis=1)
        )
        a, b = a.T, b.T  # the column thresholds: the same with the table transposed
    return slopes


def _polychoric_cell_derivatives(table: np.ndarray, rho: float) -> np.ndarray:
    """:math:`\\partial\\hat\\rho/\\partial N_c` for every cell of a K x L table of (weighted)
    counts with no empty row or column, at the two-step estimate ``rho``."""
    table = np.asarray(table, dtype=float)
    total = table.sum()
    tau = [_ordinal_thresholds(table.sum(axis=1)), _ordinal_thresholds(table.sum(axis=0))]
    prob, d1, d2 = _cell_terms(*tau, rho, _corners(tau[0][:, None], tau[1][None, :]))
    information = _information(table, prob, d1, d2)
    derivative = d1 / np.maximum(prob, 1e-300)  # s_c: the effect of one more count in cell c
    for axis, slopes in enumerate(_threshold_slopes(table, rho, tau, prob, d1)):
        margin = table.sum(axis=1 - axis)
        cumulative = np.cumsum(margin)[:-1] / total
        inner = tau[axis][1:-1]
        # d tau_j / d N_c for a cell in category m of this margin: ([m <= j] - F_j) / (N phi)
        at_or_below = np.arange(len(margin))[:, None] <= np.arange(len(inner))[None, :]
        dtau = (at_or_below - cumulative) / (total * np.exp(-(inner**2) / 2) / np.sqrt(2 * np.pi))
        shift = dtau @ slopes
        derivative = derivative + (shift[:, None] if axis == 0 else shift[None, :])
    return derivative / information


def _polychoric_scores(
    codes_a: tuple, codes_b: tuple, w: np.ndarray | None, table: np.ndarray, rho: float
) -> np.ndarray:
    """:math:`z_i = \\partial\\hat\\rho / \\partial w_i` for each respondent (raw weights).

    ``codes_a``, ``codes_b``: `abs_trust.stats.polychoric._codes` of the two variables;
    ``table`` their table of weights rescaled to total n (as the estimate used it).
    """
    ia, ib = codes_a[1], codes_b[1]
    n = len(ia)
    total = n if w is None else float(np.sum(w))
    rows, cols = table.sum(axis=1) > 0, table.sum(axis=0) > 0
    derivative = np.zeros(table.shape)
    derivative[np.ix_(rows, cols)] = _polychoric_cell_derivatives(table[rows][:, cols], rho)
    return n / total * derivative[ia, ib]
