"""Correlations that respect the ordinal trust scale: Spearman, polychoric, polyserial.

Trust items are four (W5: six) ordered categories. Pearson r on the codes treats the gaps
between "none at all", "not very much", "quite a lot" and "a great deal" as equal; these
estimators do not. Spearman correlates (weighted) mid-ranks; the polychoric correlation
estimates the correlation of the bivariate-normal latent variables assumed to have been
cut into the observed categories. Reviewers ask for both as a robustness check on the
published Pearson r, so every function mirrors :func:`abs_trust.correlation.pearson`:
DataFrame + column names in, a dict with n, r, p, ci_low, ci_high and a note out.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import NamedTuple

import numpy as np
import pandas as pd
from scipy import optimize
from scipy.special import ndtr, ndtri

from abs_trust.stats.correlation import (
    MIN_PAIRS,
    Z95,
    complete_cases,
    correlation_test,
    partial_from_covariance,
    weighted_covariance,
)

THRESHOLD_CLIP = 8.0  # Phi(-8) ~ 6e-16: an "infinite" threshold to double precision
MAX_RHO = 0.9999  # as polycor's maxcor: the likelihood is flat and unbounded at |rho| = 1


def _shifted_gauss_legendre(n: int) -> tuple[np.ndarray, np.ndarray]:
    """n-point Gauss-Legendre rule, nodes x shifted to 1 + x in [0, 2], the only form in
    which Genz's algorithm uses them (added once here, not at every evaluation)."""
    nodes, weights = np.polynomial.legendre.leggauss(n)
    return 1 + nodes, weights


# Gauss-Legendre rules used by Genz's bivariate normal algorithm (6, 12 or 20 points).
_GAUSS_LEGENDRE = {n: _shifted_gauss_legendre(n) for n in (6, 12, 20)}


def _empty_result(n: int, df: int, note: str, **extra) -> dict:
    empty = {"n": n, "r": np.nan, "p": np.nan, "ci_low": np.nan, "ci_high": np.nan, "df": df}
    return empty | extra | {"note": note}


# --------------------------------------------------------------------------------- Spearman


def weighted_midranks(values: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Mid-ranks on the (weighted) cumulative-share scale.

    .. math:: R_i = \\sum_{j: x_j < x_i} w_j / W + \\tfrac12 \\sum_{j: x_j = x_i} w_j / W

    With unit weights :math:`R_i = (\\text{average rank}_i - \\tfrac12)/n`, a linear map of
    the usual average ranks, so correlations of these ranks equal Spearman's rho. With survey
    weights each respondent occupies a slice of the population distribution proportional to
    its weight (the "ridit" of Bross 1958), which is what a weighted rank correlation needs.
    """
    w = np.ones(len(values)) if weights is None else np.asarray(weights, dtype=float)
    _, inverse = np.unique(values, return_inverse=True)
    tie_share = np.bincount(inverse, weights=w) / w.sum()
    below = np.cumsum(tie_share) - tie_share
    return (below + tie_share / 2)[inverse]


def spearman(
    frame: pd.DataFrame,
    x: str,
    y: str,
    covar: Sequence[str] = (),
    weight: str | None = None,
) -> dict:
    """Spearman rank correlation of ``x`` and ``y``, partialling out ``covar``, optionally weighted.

    x, y and every covariate are replaced by their (weighted) mid-ranks
    (:func:`weighted_midranks`) and the (weighted) partial Pearson correlation of the ranks is
    read off the precision matrix, as :func:`abs_trust.correlation.pearson` does. Unweighted
    this equals ``scipy.stats.spearmanr`` (bivariate) and ``pingouin.partial_corr(...,
    method="spearman")`` (partial).

    The p-value uses :math:`t = r\\sqrt{(n-2-k)/(1-r^2)}` on :math:`n-2-k` df (as scipy and
    pingouin). The 95 % CI is Fisher's z with the Bonett-Wright standard error for Spearman,

    .. math:: \\operatorname{SE}(z) = \\sqrt{(1 + r^2/2)/(n - 3 - k)}

    Reference: Bonett, D. G. & Wright, T. A. (2000). Sample size requirements for estimating
    Pearson, Kendall and Spearman correlations. *Psychometrika* 65(1), 23-28.

    Returns
    -------
    dict with n, r, p, ci_low, ci_high, df, note (as :func:`~abs_trust.correlation.pearson`).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4, 5], "b": [1, 3, 2, 5, 4]})
    >>> round(spearman(df, "a", "b")["r"], 2)
    0.8
    """
    columns = [x, y, *covar]
    return spearman_arrays(*complete_cases(frame, columns, weight), columns)


def spearman_arrays(data: np.ndarray, w: np.ndarray | None, columns: Sequence[str]) -> dict:
    """:func:`spearman` on listwise-complete data (x, y, then covariates; see
    :func:`abs_trust.correlation.pearson_arrays`)."""
    n, k = len(data), len(columns) - 2
    if n < len(columns) + 2:
        return _empty_result(n, n - 2 - k, f"too few complete cases ({n})")
    ranks = np.column_stack([weighted_midranks(col, w) for col in data.T])
    cov = weighted_covariance(ranks, w)
    if np.any(np.diag(cov) <= 0):
        constant = [c for c, v in zip(columns, np.diag(cov), strict=True) if v <= 0]
        return _empty_result(n, n - 2 - k, f"no variation in {constant}")
    try:
        r = partial_from_covariance(cov)
    except np.linalg.LinAlgError:
        return _empty_result(n, n - 2 - k, "controls are collinear")
    test = correlation_test(r, n, k)
    result = {"n": n, "r": r, "p": test["p"], "ci_low": np.nan, "ci_high": np.nan}
    result |= {"df": test["df"], "note": ""}
    if n - 3 - k >= 1:
        z = np.arctanh(np.clip(r, -1 + 1e-15, 1 - 1e-15))
        half = Z95 * np.sqrt((1 + r**2 / 2) / (n - 3 - k))
        result |= {"ci_low": float(np.tanh(z - half)), "ci_high": float(np.tanh(z + half))}
    if n < MIN_PAIRS:
        result["note"] = f"fewer than {MIN_PAIRS} complete cases ({n})"
    return result


# ------------------------------------------------------------------ bivariate normal CDF


class _Corners(NamedTuple):
    """The parts of Genz's algorithm at points (h, k) that do not depend on rho.

    A polychoric fit evaluates the CDF at the same threshold corners for some twenty values
    of rho: these are computed once per table, not at every evaluation.
    """

    dh: np.ndarray  # -h: bvnu works with the upper probability P(X > dh, Y > dk)
    dk: np.ndarray
    hk: np.ndarray
    hs: np.ndarray
    independent: np.ndarray  # Phi(h) Phi(k), the rho = 0 term of Plackett's identity
    infinite: np.ndarray | None  # where h or k is not finite (None: nowhere)
    limit: np.ndarray | None  # the CDF there: a margin, 0 or NaN


def _corners(h, k) -> _Corners:
    """The rho-free terms at ``h``, ``k`` (see :class:`_Corners`), broadcast against each other.

    A grid of thresholds can come as a column and a row: every term is elementwise, so it is
    the same whether h and k are broadcast first or by the arithmetic (which is cheaper).
    """
    h, k = np.asarray(h, dtype=float), np.asarray(k, dtype=float)
    infinite, limit = None, None
    if not np.all(np.isfinite(h) & np.isfinite(k)):
        # Genz's formulas give inf - inf there; the limits are exact: Phi2(h, +inf) = Phi(h),
        # Phi2(h, -inf) = 0 (NaN stays NaN through the minimum)
        infinite = ~(np.isfinite(h) & np.isfinite(k))
        limit = np.where((h == -np.inf) | (k == -np.inf), 0.0, ndtr(np.minimum(h, k)))
        h, k = np.where(infinite, 0.0, h), np.where(infinite, 0.0, k)
    dh, dk = -h, -k
    return _Corners(dh, dk, dh * dk, (dh**2 + dk**2) / 2, ndtr(h) * ndtr(k), infinite, limit)


def _genz_bvn(corners: _Corners, rho: float) -> np.ndarray:
    """Genz's ``bvnu`` at (-h, -k), i.e. :math:`\\Phi_2(h, k; \\rho)`, at precomputed corners."""
    r = float(rho)
    if r == 0:
        return corners.independent
    nodes1, weights = _GAUSS_LEGENDRE[6 if abs(r) < 0.3 else 12 if abs(r) < 0.75 else 20]
    if abs(r) < 0.925:
        asr = np.arcsin(r) / 2
        sn = np.sin(asr * nodes1)  # nodes mapped from [-1, 1] onto [0, arcsin r]
        integrand = np.exp((sn * corners.hk[..., None] - corners.hs[..., None]) / (1 - sn**2))
        return _unit_clip(integrand @ weights * asr / (2 * np.pi) + corners.independent)
    dh, dk, hk = corners.dh, corners.dk, corners.hk
    if r < 0:
        dk, hk = -dk, -hk
    bvn = np.zeros_like(hk)
    if abs(r) < 1:
        with np.errstate(over="ignore", under="ignore", invalid="ignore", divide="ignore"):
            a_s = 1 - r**2
            a = np.sqrt(a_s)
            bs = (dh - dk) ** 2
            c = (4 - hk) / 8
            d = (12 - hk) / 80
            asr = -(bs / a_s + hk) / 2
            bvn = np.where(
                asr > -100,
                a * np.exp(asr) * (1 - c * (bs - a_s) * (1 - d * bs) / 3 + c * d * a_s**2),
                0.0,
            )
            b = np.sqrt(bs)
            sp = np.sqrt(2 * np.pi) * ndtr(-b / a)
            tail = np.exp(-hk / 2) * sp * b * (1 - c * bs * (1 - d * bs) / 3)
            bvn = np.where(hk > -100, bvn - tail, bvn)
            half = a / 2
            xs = (half * nodes1) ** 2  # quadrature over (0, sqrt(1 - r^2))
            asr = -(bs[..., None] / xs + hk[..., None]) / 2
            sp = 1 + c[..., None] * xs * (1 + 5 * d[..., None] * xs)
            rs = np.sqrt(1 - xs)
            ep = np.exp(-(hk[..., None] / 2) * xs / (1 + rs) ** 2) / rs
            terms = np.where(asr > -100, np.exp(asr) * (sp - ep), 0.0)
            bvn = (half * (terms @ weights) - bvn) / (2 * np.pi)
    if r > 0:
        bvn = bvn + ndtr(-np.maximum(dh, dk))
    else:
        between = np.where(dh < 0, ndtr(dk) - ndtr(dh), ndtr(-dh) - ndtr(-dk))
        bvn = np.where(dh >= dk, -bvn, between - bvn)
    return _unit_clip(bvn)


def _unit_clip(p: np.ndarray) -> np.ndarray:
    """``np.clip(p, 0, 1)`` (NaN stays NaN) at half the cost: it runs once per evaluation."""
    return np.minimum(np.maximum(p, 0.0), 1.0)


def _bvn_at(corners: _Corners, rho: float) -> np.ndarray:
    """:func:`bivariate_normal_cdf` at precomputed corners, infinite bounds included."""
    bvn = _genz_bvn(corners, rho)
    if corners.infinite is None:
        return bvn
    return np.where(corners.infinite, corners.limit, bvn)


def bivariate_normal_cdf(h, k, rho: float) -> np.ndarray:
    """:math:`\\Phi_2(h, k; \\rho) = P(X \\le h, Y \\le k)` for standard bivariate normal (X, Y).

    Vectorised over ``h`` and ``k`` (broadcast, infinite bounds allowed), scalar ``rho``.
    Genz's algorithm: for :math:`|\\rho| < 0.925` Gauss-Legendre quadrature of Plackett's
    identity in :math:`\\theta = \\arcsin\\rho`; above it Drezner & Wesolowsky's expansion
    around :math:`|\\rho| = 1`. Accurate to about 1e-15, deterministic (unlike
    quasi-Monte-Carlo integration), which a likelihood and its derivatives need; and, with
    :func:`scipy.special.ndtr` for the normal CDF, cheap enough to call thousands of times.

    Reference: Genz, A. (2004). Numerical computation of rectangular bivariate and trivariate
    normal and t probabilities. *Statistics and Computing* 14, 251-260 (the ``bvnu`` routine,
    here evaluated at :math:`(-h, -k)`); Drezner, Z. & Wesolowsky, G. O. (1990). *J. Statist.
    Comput. Simul.* 35, 101-107.
    """
    return _bvn_at(_corners(h, k), rho)


def bivariate_normal_pdf(h, k, rho: float) -> np.ndarray:
    """Standard bivariate normal density; it is also :math:`\\partial\\Phi_2/\\partial\\rho`."""
    one_minus = 1 - rho**2
    quad = (h**2 - 2 * rho * h * k + k**2) / one_minus
    return np.exp(-quad / 2) / (2 * np.pi * np.sqrt(one_minus))


# ------------------------------------------------------------------------------ polychoric


def ordinal_thresholds(counts: np.ndarray) -> np.ndarray:
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

    ``corners`` is :func:`_corners` of the same thresholds (computed once per table).
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
    """Minus the two-step log-likelihood (see :func:`polychoric_table`) at ``rho``."""
    return _loglik_at(rho, table, _corners(tau_x[:, None], tau_y[None, :]))


def polychoric_table(table) -> dict:
    """Two-step polychoric correlation of a K × L contingency table (counts or weights).

    Step 1: thresholds from the marginal cumulative proportions (:func:`ordinal_thresholds`).
    Step 2: with the thresholds fixed, maximise the bivariate-normal log-likelihood

    .. math:: \\ell(\\rho) = \\sum_{ij} n_{ij} \\log P_{ij}(\\rho), \\qquad
        P_{ij} = \\Phi_2(\\tau_i, \\tau'_j; \\rho) - \\Phi_2(\\tau_{i-1}, \\tau'_j; \\rho)
               - \\Phi_2(\\tau_i, \\tau'_{j-1}; \\rho) + \\Phi_2(\\tau_{i-1}, \\tau'_{j-1}; \\rho)

    over :math:`|\\rho| \\le 0.9999` (bounded Brent). The standard error is the inverse
    observed information :math:`-\\ell''(\\hat\\rho)`, computed analytically from
    :math:`\\partial\\Phi_2/\\partial\\rho = \\phi_2` (checked against a numerical second
    derivative in the tests). Two-step: the thresholds are treated as fixed, so the SE ignores
    their sampling error (as ``polycor::polychor(ML=FALSE, std.err=TRUE)`` does). The CI is
    Fisher's z with the delta-method SE :math:`\\operatorname{SE}/(1-\\hat\\rho^2)`; p is the
    Wald z test of :math:`\\rho = 0`.

    Empty rows and columns are dropped (they carry no information and would give coincident
    thresholds), as polycor does.

    Reference: Olsson, U. (1979). Maximum likelihood estimation of the polychoric correlation
    coefficient. *Psychometrika* 44(4), 443-460 (the two-step estimator); Fox, J. polycor.

    Examples
    --------
    >>> table = [[20, 15, 8, 2], [12, 40, 30, 9], [5, 28, 61, 25], [1, 7, 22, 35]]
    >>> est = polychoric_table(table)  # R polycor two-step: 0.5938 (SE 0.0403)
    >>> round(est["r"], 4), round(est["se"], 4)
    (0.5938, 0.0403)
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
    tau_x, tau_y = ordinal_thresholds(table.sum(axis=1)), ordinal_thresholds(table.sum(axis=0))
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


def _weighted_table(a: np.ndarray, b: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """K × L table of (weighted) counts; weights rescaled to sum to n (see polychoric)."""
    return _coded_table(_codes(a), _codes(b), w)


def _codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct values (sorted) and each respondent's category index into them."""
    return np.unique(values, return_inverse=True)


def _coded_table(a, b, w: np.ndarray | None) -> np.ndarray:
    """:func:`_weighted_table` from :func:`_codes` of both variables (computed once per
    variable when one variable enters several tables, as in :func:`polychoric_partial`)."""
    ia, ib = a[1], b[1]
    w = np.ones(len(ia)) if w is None else w * len(ia) / w.sum()
    shape = (ia.max() + 1, ib.max() + 1)
    return np.bincount(ia * shape[1] + ib, weights=w, minlength=shape[0] * shape[1]).reshape(shape)


def polychoric(frame: pd.DataFrame, x: str, y: str, weight: str | None = None) -> dict:
    """Polychoric correlation of two ordinal items (two-step ML, see :func:`polychoric_table`).

    Respondents missing x, y (or the weight) are dropped. With ``weight`` the contingency
    table holds weight sums rescaled to total n, which gives the weighted (pseudo-ML)
    estimate; its SE is then the model-based one at n respondents, not a design-based SE.

    Returns
    -------
    dict with n, r, se, p, ci_low, ci_high, thresholds_x, thresholds_y, note.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame(
    ...     {"a": [1, 1, 2, 2, 3, 3, 1, 2, 3, 2] * 6, "b": [1, 2, 2, 3, 3, 2, 2, 1, 3, 2] * 6}
    ... )
    >>> round(polychoric(df, "a", "b")["r"], 2)
    0.66
    """
    return polychoric_arrays(*complete_cases(frame, [x, y], weight))


def polychoric_arrays(data: np.ndarray, w: np.ndarray | None) -> dict:
    """:func:`polychoric` on listwise-complete data: the two columns of ``data``."""
    result = polychoric_table(_weighted_table(data[:, 0], data[:, 1], w))
    result["n"] = len(data)
    if not result["note"] and len(data) < MIN_PAIRS:
        result["note"] = f"fewer than {MIN_PAIRS} complete cases ({len(data)})"
    return result


# ------------------------------------------------------------------------------ polyserial


def _polyserial_arrays(
    codes: np.ndarray, values: np.ndarray, w: np.ndarray | None, coded=None
) -> float:
    """:func:`polyserial`'s r; ``coded`` is :func:`_codes` of ``codes`` when already known."""
    levels, inverse = _codes(codes) if coded is None else coded
    if len(levels) < 2:
        return np.nan
    weights = np.ones(len(codes)) if w is None else w
    tau = ordinal_thresholds(np.bincount(inverse, weights=weights))[1:-1]
    cov = weighted_covariance(np.column_stack([codes, values]), w)
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

    Returns
    -------
    dict with n, r, note (no SE: the ad hoc estimator has no simple one).
    """
    data, w = complete_cases(frame, [ordinal, continuous], weight)
    r = _polyserial_arrays(data[:, 0], data[:, 1], w) if len(data) > 2 else np.nan
    note = "" if np.isfinite(r) else "no variation or too few cases"
    if np.isfinite(r) and abs(r) >= 1:
        note = f"ad hoc estimate {r:.3f} outside (-1, 1), clipped"
        r = float(np.clip(r, -MAX_RHO, MAX_RHO))
    return {"n": len(data), "r": r, "note": note}


# ------------------------------------------------------------------- polychoric partial


def polychoric_partial(
    frame: pd.DataFrame,
    x: str,
    y: str,
    covar: Sequence[str],
    weight: str | None = None,
    ordinal_covar: Sequence[str] = ("education", "income"),
) -> dict:
    """Partial polychoric correlation of ordinal ``x`` and ``y`` given ``covar``.

    The latent correlation matrix of x, y and the covariates is assembled pairwise:
    ordinal-ordinal pairs by :func:`polychoric`, ordinal-continuous by :func:`polyserial`,
    continuous-continuous by Pearson, all on the same listwise-complete respondents. x and y
    are ordinal; a covariate is ordinal when named in ``ordinal_covar`` (education and income
    by default); the rest (age, and the binary female and urban) are treated as continuous,
    i.e. correlated through their 0/1 codes. The partial correlation is read off the
    precision matrix (:func:`abs_trust.correlation.partial_from_covariance`).

    p and CI use :func:`abs_trust.correlation.correlation_test` on the partial r with
    :math:`n-2-k` df: an approximation, because a polychoric r has a larger sampling variance
    than a Pearson r on n respondents (no closed-form SE for this composite exists).

    Returns
    -------
    dict with n, r, p, ci_low, ci_high, df, note and ``matrix`` (the latent correlation
    matrix as a DataFrame, for inspection; a pairwise-assembled matrix need not be positive
    definite, which the note flags).
    """
    columns = [x, y, *covar]
    data, w = complete_cases(frame, columns, weight)
    est = polychoric_partial_arrays(data, w, columns, ordinal_covar)
    if est["matrix"] is not None:
        est["matrix"] = pd.DataFrame(est["matrix"], index=columns, columns=columns)
    return est


def polychoric_partial_arrays(
    data: np.ndarray,
    w: np.ndarray | None,
    columns: Sequence[str],
    ordinal_covar: Sequence[str] = ("education", "income"),
) -> dict:
    """:func:`polychoric_partial` on listwise-complete data (x, y, then covariates; see
    :func:`abs_trust.correlation.pearson_arrays`).

    ``matrix`` is an unlabelled array in the order of ``columns``: a labelled DataFrame costs
    about a millisecond, which :func:`abs_trust.associations.correlation_table` (discarding
    the matrix) need not pay; :func:`polychoric_partial` labels it.
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
                est = polychoric_table(_coded_table(coded[i], coded[j], weights))
                r, note = est["r"], est["note"]
            elif ordinal[i] or ordinal[j]:
                codes, values, known = (a, b, coded[i]) if ordinal[i] else (b, a, coded[j])
                r = _polyserial_arrays(codes, values, weights, known)
                clipped = np.isfinite(r) and abs(r) >= 1
                note = f"polyserial {columns[i]}~{columns[j]} clipped" if clipped else ""
                r = float(np.clip(r, -MAX_RHO, MAX_RHO))
            else:
                r = partial_from_covariance(weighted_covariance(np.column_stack([a, b]), weights))
                note = ""
            matrix[i, j] = matrix[j, i] = r
            if note:
                notes.append(note)
    if not np.all(np.isfinite(matrix)):
        return _empty_result(n, n - 2 - k, "; ".join(notes) or "undefined pair", matrix=matrix)
    if np.linalg.eigvalsh(matrix).min() <= 0:
        notes.append("latent correlation matrix not positive definite")
        return _empty_result(n, n - 2 - k, "; ".join(notes), matrix=matrix)
    r = partial_from_covariance(matrix)
    test = correlation_test(r, n, k)
    if n < MIN_PAIRS:
        notes.append(f"fewer than {MIN_PAIRS} complete cases ({n})")
    return {"n": n, "r": r, **test, "note": "; ".join(notes), "matrix": matrix}
