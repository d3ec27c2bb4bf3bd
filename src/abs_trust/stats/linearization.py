"""Linearized (influence) variables of weighted correlations, and their design-based test.

A weighted (partial) correlation is a smooth function of weighted moments, so its
design-based variance is the design variance of :math:`\\sum_i w_i z_i` with
:math:`z_i = \\partial\\hat r / \\partial w_i` (`abs_trust.stats.design`). This module gives
:math:`z_i` in closed form for the Pearson and the (ridit) Spearman coefficient, bivariate or
partial, and turns an SE into p and a CI.

Both coefficients are read off a covariance matrix C of x, y and the controls,
:math:`r = -P_{01}/\\sqrt{P_{00}P_{11}}` with :math:`P = C^{-1}`. For a symmetric
perturbation E of C, :math:`dr = \\operatorname{tr}(G E)` with

.. math:: G = \\frac{p_0 p_1' + p_1 p_0'}{2\\sqrt{P_{00}P_{11}}}
    + \\frac{r}{2}\\Big(\\frac{p_0 p_0'}{P_{00}} + \\frac{p_1 p_1'}{P_{11}}\\Big),

:math:`p_j` the j-th column of P (from :math:`dP = -P\\,E\\,P`). The chain rule through
:math:`\\partial C / \\partial w_i` then gives :math:`z_i`: for Pearson,
:math:`W\\,\\partial C/\\partial w_i = d_i d_i' - C` (:math:`d_i` the centred values; the
means drop out because the weighted deviations sum to zero), and since r does not change
when C is scaled, :math:`\\operatorname{tr}(GC) = 0` and :math:`z_i = d_i' G d_i / W`.

References: Binder, D. A. (1983). *International Statistical Review* 51(3), 279-292
(linearization of estimating functions); Deville, J.-C. (1999). Variance estimation for
complex statistics and estimators: linearization and residual techniques. *Survey
Methodology* 25(2), 193-203 (influence functions as linearized variables).
"""

from __future__ import annotations

import numpy as np
from scipy.special import stdtr, stdtrit

from abs_trust.stats.design import Design, _design_variance

CI_LEVEL = 0.95


def _partial_gradient(cov: np.ndarray) -> tuple[float, np.ndarray]:
    """The partial correlation of variables 0 and 1 given the rest, and G = dr/dC (symmetric)."""
    precision = np.linalg.inv(cov)
    p0, p1 = precision[:, 0], precision[:, 1]
    s = np.sqrt(precision[0, 0] * precision[1, 1])
    r = -precision[0, 1] / s
    cross = (np.outer(p0, p1) + np.outer(p1, p0)) / (2 * s)
    own = np.outer(p0, p0) / precision[0, 0] + np.outer(p1, p1) / precision[1, 1]
    return float(r), cross + r / 2 * own


def _pearson_scores(data: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """:math:`z_i = \\partial r / \\partial w_i` of the (partial) Pearson r of columns 0 and 1
    given the others (unit weights when ``w`` is None)."""
    w = np.ones(len(data)) if w is None else np.asarray(w, dtype=float)
    total = w.sum()
    centred = data - (w[:, None] * data).sum(axis=0) / total
    cov = (w[:, None] * centred).T @ centred / total
    _, gradient = _partial_gradient(cov)
    return np.einsum("ij,jk,ik->i", centred, gradient, centred) / total


def _ridits(values: np.ndarray, w: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted mid-ranks on the 0-1 scale (as `abs_trust.stats.spearman`), each respondent's
    category index, and the categories' ridits."""
    _, inverse = np.unique(values, return_inverse=True)
    share = np.bincount(inverse, weights=w) / w.sum()
    level_ridit = np.cumsum(share) - share / 2
    return level_ridit[inverse], inverse, level_ridit


def _spearman_scores(data: np.ndarray, w: np.ndarray | None) -> np.ndarray:
    """:math:`z_i = \\partial r_S / \\partial w_i` of the (partial) ridit Spearman coefficient.

    Each variable j is replaced by its weighted ridit :math:`a_j(v) = F_j(v^-) + f_j(v)/2`,
    which itself depends on every weight: :math:`W \\partial a_j(v)/\\partial w_i =
    \\kappa(x_{ij}, v) - a_j(v)` with :math:`\\kappa(u, v) = [u < v] + [u = v]/2`. The ridits'
    weighted mean is 1/2 for any weights, so :math:`C_{jk} = \\sum_l w_l a_{jl} a_{kl} / W -
    1/4` and

    .. math:: W \\frac{\\partial C_{jk}}{\\partial w_i} = a_{ji} a_{ki} + B_{jk}(x_{ij})
        + B_{kj}(x_{ik}) - 3 (C_{jk} + 1/4), \\qquad
        B_{jk}(u) = \\frac{1}{W} \\sum_l w_l\\, \\kappa(u, x_{lj})\\, a_{kl}.

    With :math:`\\tilde a = a - 1/2`, :math:`\\operatorname{tr}(GC) = 0` and G symmetric,
    :math:`W z_i = \\tilde a_i' G \\tilde a_i + \\mathbf 1' G \\tilde a_i
    + 2 \\sum_{jk} G_{jk} B_{jk}(x_{ij}) - \\mathbf 1' G \\mathbf 1 / 2`.
    """
    w = np.ones(len(data)) if w is None else np.asarray(w, dtype=float)
    total = w.sum()
    p = data.shape[1]
    ridits, codes, levels = zip(*(_ridits(col, w) for col in data.T), strict=True)
    a = np.column_stack(ridits)
    centred = a - 0.5
    cov = (w[:, None] * centred).T @ centred / total
    _, gradient = _partial_gradient(cov)
    through_ranks = np.zeros(len(data))
    for j in range(p):
        # S[v, k]: weighted sum of a_k over respondents whose x_j is in category v
        sums = np.zeros((len(levels[j]), p))
        np.add.at(sums, codes[j], w[:, None] * a)
        sums /= total
        above = np.cumsum(sums[::-1], axis=0)[::-1] - sums  # categories above v
        b = above + sums / 2  # B_jk(v) for every category v of x_j and every k
        through_ranks += (b @ gradient[j])[codes[j]]
    quadratic = np.einsum("ij,jk,ik->i", centred, gradient, centred)
    linear = centred @ gradient.sum(axis=0)
    return (quadratic + linear + 2 * through_ranks - gradient.sum() / 2) / total


def _design_test(r: float, se: float, df: float, level: float = CI_LEVEL) -> dict:
    """Wald t test of r = 0 and the Fisher-z interval from a design-based SE of r.

    .. math:: t = \\hat r / \\widehat{SE}, \\qquad
        \\tanh\\big(\\operatorname{artanh}\\hat r \\pm t_{df, 0.975}\\,
        \\widehat{SE} / (1 - \\hat r^2)\\big)

    (the delta-method SE of artanh r), both on the design's df (infinite: normal).
    """
    if not (np.isfinite(r) and np.isfinite(se) and se > 0 and df >= 1):
        return {"p": np.nan, "ci_low": np.nan, "ci_high": np.nan}
    r_c = float(np.clip(r, -1 + 1e-15, 1 - 1e-15))
    quantile = float(stdtrit(df, 1 - (1 - level) / 2))
    half = quantile * se / (1 - r_c**2)
    return {
        "p": float(2 * stdtr(df, -abs(r_c / se))),
        "ci_low": float(np.tanh(np.arctanh(r_c) - half)),
        "ci_high": float(np.tanh(np.arctanh(r_c) + half)),
    }


def _linearized_inference(
    r: float, z: np.ndarray, w: np.ndarray | None, design: Design | None
) -> dict:
    """SE, df, p and CI of r from its linearized variable ``z`` under the design."""
    u = z if w is None else np.asarray(w) * z
    variance, df = _design_variance(u, design)
    se = float(np.sqrt(variance[0, 0]))
    return {"se": se, "df": df, **_design_test(r, se, df)}


def se_method(weighted: bool, design: Design | None) -> str:
    """The ``se_method`` label of a linearization SE: the design it assumes."""
    if not weighted:
        return "linearization: simple random sample"
    if design is None or design.label.startswith("weights only"):
        return "linearization: weights only"
    return f"linearization: {design.label}"
