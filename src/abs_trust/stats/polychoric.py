"""Latent correlations of ordinal items: polychoric, polyserial and the partial polychoric.

The polychoric correlation estimates the correlation of the bivariate-normal latent
variables assumed to have been cut into the observed trust categories. Reviewers ask for it
as a robustness check on the published Pearson r. Written here because none of the
project's libraries (scipy, statsmodels, pingouin) has a polychoric or polyserial
correlation; the estimates are checked against R's ``polycor`` (tests/test_ordinal.py).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import ndtr, ndtri

from abs_trust.stats.arrays import complete_cases
from abs_trust.stats.bivariate_normal import _bvn_at, _Corners, _corners, bivariate_normal_pdf
from abs_trust.stats.correlation import (
    MIN_PAIRS,
    Z95,
    _correlation_test,
    _empty_result,
    _few_pairs_note,
    _partial_from_covariance,
    _weighted_covariance,
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
    prob, d1, d2 = _cell_terms(tau_x, tau_y, rho, corners)
    prob = np.maximum(prob, 1e-300)
    seen = table > 0  # empty cells add nothing, even where their probability underflows
    information = float(
        np.sum(table[seen] * (d1[seen] ** 2 / prob[seen] ** 2 - d2[seen] / prob[seen]))
    )
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


def polychoric(frame: pd.DataFrame, x: str, y: str, weight: str | None = None) -> dict:
    """Two-step polychoric correlation of two ordinal items.

    Step 1: thresholds from the marginal cumulative proportions,
    :math:`\\tau_j = \\Phi^{-1}(\\sum_{i \\le j} n_{i\\cdot} / n)` (the outer ones ±∞,
    clipped to ±8). Step 2: with the thresholds fixed, maximise the bivariate-normal
    log-likelihood of the K × L table of counts :math:`n_{ij}`

    .. math:: \\ell(\\rho) = \\sum_{ij} n_{ij} \\log P_{ij}(\\rho), \\qquad
        P_{ij} = \\Phi_2(\\tau_i, \\tau'_j; \\rho) - \\Phi_2(\\tau_{i-1}, \\tau'_j; \\rho)
               - \\Phi_2(\\tau_i, \\tau'_{j-1}; \\rho) + \\Phi_2(\\tau_{i-1}, \\tau'_{j-1}; \\rho)

    over :math:`|\\rho| \\le 0.9999` (bounded Brent), with
    :func:`~abs_trust.stats.bivariate_normal.bivariate_normal_cdf` for :math:`\\Phi_2`. The
    standard error is the inverse observed information :math:`-\\ell''(\\hat\\rho)`,
    computed analytically from :math:`\\partial\\Phi_2/\\partial\\rho = \\phi_2`. Two-step:
    the thresholds are treated as fixed, so the SE ignores their sampling error (as
    ``polycor::polychor(ML=FALSE, std.err=TRUE)`` does). The CI is Fisher's z with the
    delta-method SE :math:`\\operatorname{SE}/(1-\\hat\\rho^2)`; p is the Wald z test of
    :math:`\\rho = 0`. Empty rows and columns of the table are dropped, as polycor does.

    Respondents missing x, y (or the weight) are dropped. With ``weight`` the contingency
    table holds weight sums rescaled to total n, which gives the weighted (pseudo-ML)
    estimate; its SE is then the model-based one at n respondents, not a design-based SE.

    Reference: Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika* 44(4), 443-460 (the two-step estimator); Fox, J. polycor.

    Parameters
    ----------
    frame : pd.DataFrame
        respondents, one row each.
    x, y : str
        the two ordinal items (any ordered codes; each distinct value is a category).
    weight : str, optional
        survey-weight column; None for the unweighted estimate.

    Returns
    -------
    dict with n, r, se, p, ci_low, ci_high, thresholds_x, thresholds_y, note.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> table = np.array([[20, 15, 8, 2], [12, 40, 30, 9], [5, 28, 61, 25], [1, 7, 22, 35]])
    >>> i, j = np.indices(table.shape)
    >>> df = pd.DataFrame({"a": np.repeat(i.ravel(), table.ravel()),
    ...                    "b": np.repeat(j.ravel(), table.ravel())})
    >>> est = polychoric(df, "a", "b")  # R polycor two-step: 0.5938 (SE 0.0403)
    >>> round(est["r"], 4), round(est["se"], 4)
    (0.5938, 0.0403)
    """
    return _polychoric(*complete_cases(frame, [x, y], weight))


def _polychoric(data: np.ndarray, w: np.ndarray | None) -> dict:
    """:func:`polychoric`'s kernel on listwise-complete data: the two columns of ``data``."""
    result = _polychoric_table(_coded_table(_codes(data[:, 0]), _codes(data[:, 1]), w))
    result["n"] = len(data)
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


def polychoric_partial(
    frame: pd.DataFrame,
    x: str,
    y: str,
    covar: Sequence[str],
    weight: str | None = None,
    ordinal_covar: Sequence[str] = ("education", "income"),
) -> dict:
    """Partial polychoric correlation of ordinal ``x`` and ``y`` given ``covar``.

    The latent correlation matrix R of x, y and the covariates is assembled pairwise:
    ordinal-ordinal pairs by :func:`polychoric`, ordinal-continuous by :func:`polyserial`,
    continuous-continuous by Pearson, all on the same listwise-complete respondents. x and y
    are ordinal; a covariate is ordinal when named in ``ordinal_covar`` (education and income
    by default); the rest (age, and the binary female and urban) are treated as continuous,
    i.e. correlated through their 0/1 codes. The partial correlation is read off the
    precision matrix,

    .. math:: r_{xy\\cdot Z} = -\\frac{P_{xy}}{\\sqrt{P_{xx} P_{yy}}}, \\qquad P = R^{-1}.

    p and CI are Pearson's (t on :math:`n-2-k` df, Fisher's z) on the partial r: an
    approximation, because a polychoric r has a larger sampling variance than a Pearson r on
    n respondents (no closed-form SE for this composite exists).

    Reference: Olsson, U. (1979), *Psychometrika* 44(4), 443-460; Olsson, Drasgow & Dorans
    (1982), *Psychometrika* 47(3), 337-347; Whittaker, J. (1990), *Graphical Models in
    Applied Multivariate Statistics*, §5.7.

    Parameters
    ----------
    frame : pd.DataFrame
        respondents, one row each.
    x, y : str
        the two ordinal items.
    covar : sequence of str
        controls partialled out.
    weight : str, optional
        survey-weight column; None for the unweighted estimate.
    ordinal_covar : sequence of str
        the controls treated as ordinal (polychoric/polyserial); the others as continuous.

    Returns
    -------
    dict with n, r, p, ci_low, ci_high, df, note and ``matrix`` (the latent correlation
    matrix as a DataFrame, for inspection; a pairwise-assembled matrix need not be positive
    definite, which the note flags).
    """
    columns = [x, y, *covar]
    data, w = complete_cases(frame, columns, weight)
    est = _polychoric_partial(data, w, columns, ordinal_covar)
    if est["matrix"] is not None:
        est["matrix"] = pd.DataFrame(est["matrix"], index=columns, columns=columns)
    return est


def _polychoric_partial(
    data: np.ndarray,
    w: np.ndarray | None,
    columns: Sequence[str],
    ordinal_covar: Sequence[str] = ("education", "income"),
) -> dict:
    """:func:`polychoric_partial`'s kernel on listwise-complete data (x, y, then covariates).

    ``matrix`` is an unlabelled array in the order of ``columns``: a labelled DataFrame costs
    about a millisecond, which the correlation table (discarding the matrix) need not pay.
    """
    n, k = len(data), len(columns) - 2
    if n < len(columns) + 2:
        return _empty_result(n, n - 2 - k, f"too few complete cases ({n})", matrix=None)
    ordinal = [True, True, *(c in ordinal_covar for c in columns[2:])]
    weights = None if w is None else w * n / w.sum()
    # each ordinal variable enters several tables: find its categories once
    coded = [_codes(data[:, i]) if ordinal[i] else None for i in range(len(columns))]
    matrix = np.eye(len(columns))
    notes = []
    for i in range(len(columns)):
        for j in range(i + 1, len(columns)):
            a, b = data[:, i], data[:, j]
            if ordinal[i] and ordinal[j]:
                est = _polychoric_table(_coded_table(coded[i], coded[j], weights))
                r, note = est["r"], est["note"]
            elif ordinal[i] or ordinal[j]:
                codes, values, known = (a, b, coded[i]) if ordinal[i] else (b, a, coded[j])
                r = _polyserial(codes, values, weights, known)
                clipped = np.isfinite(r) and abs(r) >= 1
                note = f"polyserial {columns[i]}~{columns[j]} clipped" if clipped else ""
                r = float(np.clip(r, -MAX_RHO, MAX_RHO))
            else:
                r = _partial_from_covariance(_weighted_covariance(np.column_stack([a, b]), weights))
                note = ""
            matrix[i, j] = matrix[j, i] = r
            if note:
                notes.append(note)
    if not np.all(np.isfinite(matrix)):
        return _empty_result(n, n - 2 - k, "; ".join(notes) or "undefined pair", matrix=matrix)
    if np.linalg.eigvalsh(matrix).min() <= 0:
        notes.append("latent correlation matrix not positive definite")
        return _empty_result(n, n - 2 - k, "; ".join(notes), matrix=matrix)
    r = _partial_from_covariance(matrix)
    test = _correlation_test(r, n, k)
    if n < MIN_PAIRS:
        notes.append(_few_pairs_note(n))
    return {"n": n, "r": r, **test, "note": "; ".join(notes), "matrix": matrix}
