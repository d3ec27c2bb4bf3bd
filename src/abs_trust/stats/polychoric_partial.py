"""The partial polychoric correlation: the latent correlation matrix, its partial, and the
delta-method (linearization) SE of that partial.

The latent matrix R of x, y and the controls is assembled pairwise (polychoric,
polyserial, Pearson). Each element is a smooth function of the respondents' weights, so is
the partial :math:`-P_{01}/\\sqrt{P_{00}P_{11}}` (:math:`P = R^{-1}`); its linearized
variable is :math:`z_i = \\sum_{j<k} 2 G_{jk}\\, \\partial R_{jk}/\\partial w_i` with
:math:`G = \\partial r/\\partial R` (`abs_trust.stats.linearization._partial_gradient`):
the delta method, carried through each element's influence (polychoric:
`abs_trust.stats.polychoric._polychoric_scores`; polyserial: :func:`_polyserial_scores`;
Pearson: `abs_trust.stats.linearization._pearson_scores`). The SE is the design variance of
:math:`\\sum_i w_i z_i` (`abs_trust.stats.design`; unweighted: a simple random sample).

References: Olsson, U. (1979), *Psychometrika* 44(4), 443-460; Olsson, Drasgow & Dorans
(1982), *Psychometrika* 47(3), 337-347; Whittaker, J. (1990), *Graphical Models in Applied
Multivariate Statistics*, §5.7; Binder, D. A. (1983). *International Statistical Review*
51(3), 279-292.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri

from abs_trust.stats.correlation import (
    MIN_PAIRS,
    _empty_result,
    _few_pairs_note,
    _partial_from_covariance,
    _weighted_covariance,
)
from abs_trust.stats.design import Design, complete_with_design
from abs_trust.stats.linearization import (
    _linearized_inference,
    _partial_gradient,
    _pearson_scores,
    se_method,
)
from abs_trust.stats.polychoric import (
    MAX_RHO,
    _coded_table,
    _codes,
    _polychoric_scores,
    _polychoric_table,
    _polyserial,
)


def polychoric_partial(
    frame: pd.DataFrame,
    x: str,
    y: str,
    covar: Sequence[str],
    weight: str | None = None,
    ordinal_covar: Sequence[str] = ("education", "income"),
    strata: str | None = None,
    psu: str | None = None,
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

    The SE is the delta method through every element of R, each with its own linearized
    variable (thresholds' sampling error included; see the module docstring), under the
    design: a simple random sample unweighted; weighted, weights only or the ``strata``
    and ``psu`` given. p is the Wald t test of r = 0 and the CI Fisher's z with the
    delta-method SE, on the design's df (n - 1 unweighted and under weights only).

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
    strata, psu : str, optional
        design columns for the weighted SE (None: weights only).

    Returns
    -------
    dict with n, r, se, p, ci_low, ci_high, df, se_method, note and ``matrix`` (the latent
    correlation matrix as a DataFrame, for inspection; a pairwise-assembled matrix need not
    be positive definite, which the note flags).
    """
    columns = [x, y, *covar]
    data, w, design = complete_with_design(frame, columns, weight, strata, psu)
    est = _polychoric_partial(data, w, columns, ordinal_covar, design)
    if est["matrix"] is not None:
        est["matrix"] = pd.DataFrame(est["matrix"], index=columns, columns=columns)
    return est


def _polychoric_partial(
    data: np.ndarray,
    w: np.ndarray | None,
    columns: Sequence[str],
    ordinal_covar: Sequence[str] = ("education", "income"),
    design: Design | None = None,
    with_se: bool = True,
) -> dict:
    """:func:`polychoric_partial`'s kernel on listwise-complete data (x, y, then covariates;
    ``design`` the strata and PSUs of the same rows, None: weights only; ``with_se`` False
    for the estimate alone, as a bootstrap replicate needs).

    ``matrix`` is an unlabelled array in the order of ``columns``: a labelled DataFrame costs
    about a millisecond, which the correlation table (discarding the matrix) need not pay.
    """
    n = len(data)
    if n < len(columns) + 2:
        return _empty_result(n, np.nan, f"too few complete cases ({n})", matrix=None)
    ordinal = [True, True, *(c in ordinal_covar for c in columns[2:])]
    weights = None if w is None else w * n / w.sum()
    # each ordinal variable enters several tables: find its categories once
    coded = [_codes(data[:, i]) if ordinal[i] else None for i in range(len(columns))]
    matrix = np.eye(len(columns))
    scores = {}  # (i, j) -> d R_ij / d w (raw weights), for the delta method
    notes = []
    for i in range(len(columns)):
        for j in range(i + 1, len(columns)):
            a, b = data[:, i], data[:, j]
            if ordinal[i] and ordinal[j]:
                table = _coded_table(coded[i], coded[j], weights)
                est = _polychoric_table(table)
                r, note = est["r"], est["note"]
                if np.isfinite(r) and with_se:
                    scores[i, j] = _polychoric_scores(coded[i], coded[j], w, table, r)
            elif ordinal[i] or ordinal[j]:
                codes, values, known = (a, b, coded[i]) if ordinal[i] else (b, a, coded[j])
                r = _polyserial(codes, values, weights, known)
                clipped = np.isfinite(r) and abs(r) >= 1
                note = f"polyserial {columns[i]}~{columns[j]} clipped" if clipped else ""
                if np.isfinite(r) and not clipped and with_se:
                    scores[i, j] = _polyserial_scores(codes, values, w, known)
                r = float(np.clip(r, -MAX_RHO, MAX_RHO))
            else:
                pair = np.column_stack([a, b])
                r = _partial_from_covariance(_weighted_covariance(pair, weights))
                note = ""
                if np.isfinite(r) and with_se:
                    scores[i, j] = _pearson_scores(pair, w)
            matrix[i, j] = matrix[j, i] = r
            if note:
                notes.append(note)
    if not np.all(np.isfinite(matrix)):
        return _empty_result(n, np.nan, "; ".join(notes) or "undefined pair", matrix=matrix)
    if np.linalg.eigvalsh(matrix).min() <= 0:
        notes.append("latent correlation matrix not positive definite")
        return _empty_result(n, np.nan, "; ".join(notes), matrix=matrix)
    if not with_se:
        return {"n": n, "r": _partial_from_covariance(matrix), "note": "; ".join(notes)}
    r, gradient = _partial_gradient(matrix)
    # a clipped polyserial is held at the bound: it adds no sampling variation
    z = sum(2 * gradient[i, j] * dr for (i, j), dr in scores.items())
    inference = _linearized_inference(r, z, w, design)
    if n < MIN_PAIRS:
        notes.append(_few_pairs_note(n))
    return {"n": n, "r": r, **inference, "note": "; ".join(notes),
            "se_method": se_method(w is not None, design), "matrix": matrix}  # fmt: skip


def _moments(columns: np.ndarray, w: np.ndarray):
    """Weighted means' deviations and the (ddof 0) covariance of a few columns."""
    total = w.sum()
    centred = columns - (w[:, None] * columns).sum(axis=0) / total
    return centred, (w[:, None] * centred).T @ centred / total, total


def _polyserial_scores(
    codes: np.ndarray, values: np.ndarray, w: np.ndarray | None, coded
) -> np.ndarray:
    """:math:`z_i = \\partial\\hat\\rho_{ps}/\\partial w_i` of the ad hoc polyserial estimate.

    With :math:`\\hat\\rho = \\operatorname{cov}/(s_v D)`:
    :math:`\\partial\\hat\\rho = \\partial\\operatorname{cov}/(s_v D)
    - \\hat\\rho(\\partial s_v/s_v + \\partial D/D)`, where
    :math:`W\\partial\\operatorname{cov}/\\partial w_i = d_{ci} d_{vi} - \\operatorname{cov}`,
    :math:`W\\partial s_v/\\partial w_i = (d_{vi}^2 - s_v^2)/(2 s_v)` and
    :math:`W\\partial D/\\partial w_i = -\\sum_j \\tau_j (l_{j+1} - l_j)([c_i \\le l_j] - F_j)`.
    """
    w = np.ones(len(codes)) if w is None else np.asarray(w, dtype=float)
    levels, inverse = coded
    centred, cov, total = _moments(np.column_stack([codes, values]), w)
    share = np.bincount(inverse, weights=w) / total
    cumulative = np.cumsum(share)[:-1]
    tau = ndtri(cumulative)
    gaps = np.diff(levels)
    density = np.exp(-(tau**2) / 2) / np.sqrt(2 * np.pi)
    spread = float(np.sum(density * gaps))
    sd = np.sqrt(cov[1, 1])
    rho = cov[0, 1] / (sd * spread)
    d_cov = centred[:, 0] * centred[:, 1] - cov[0, 1]
    d_sd = (centred[:, 1] ** 2 - cov[1, 1]) / (2 * sd)
    at_or_below = inverse[:, None] <= np.arange(len(tau))[None, :]
    d_spread = -((at_or_below - cumulative) @ (tau * gaps))
    return (d_cov / (sd * spread) - rho * (d_sd / sd + d_spread / spread)) / total
