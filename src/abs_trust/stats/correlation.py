"""Pearson correlations between trust items: bivariate and partial, weighted or not.

Farid & Song (2020, note 24) report r = 0.293 between trust in NGOs and in local government
in 2015 "whether or not controlling for age, gender, education or income". Both coefficients
come from one routine: the (weighted) covariance matrix of the item pair and the controls,
inverted; the partial correlation is read off the precision matrix. Without controls the
same formula gives the bivariate r, so the two cannot drift apart by construction.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd
from scipy.special import ndtri, stdtr

# scipy.special, not scipy.stats: the same functions (scipy.stats.norm.ppf and t.sf call
# these) without importing scipy.stats, which costs every process some 0.3 s
Z95 = ndtri(0.975)
MIN_PAIRS = 30  # below this a correlation is reported but flagged (design: flag, don't hide)


def weighted_covariance(data: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Covariance matrix of the columns of ``data``, weighted by ``weights``.

    .. math:: C_{jk} = \\frac{\\sum_i w_i (x_{ij} - \\bar x_j)(x_{ik} - \\bar x_k)}{\\sum_i w_i}

    with weighted means :math:`\\bar x_j`. The normalisation cancels in a correlation, so
    frequency-, analytic- and probability-weight conventions give the same r.
    """
    w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=float)
    mean = (w[:, None] * data).sum(axis=0) / w.sum()
    centred = data - mean
    return (w[:, None] * centred).T @ centred / w.sum()


def partial_from_covariance(cov: np.ndarray) -> float:
    """Correlation of variables 0 and 1 given all other variables, from their covariance.

    .. math:: r_{01\\cdot Z} = -\\frac{P_{01}}{\\sqrt{P_{00} P_{11}}}, \\qquad P = C^{-1}

    Reference: Whittaker, J. (1990). *Graphical Models in Applied Multivariate Statistics*,
    §5.7. With no other variables this is the ordinary correlation coefficient.
    """
    if cov.shape == (2, 2):
        return float(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]))
    precision = np.linalg.inv(cov)
    return float(-precision[0, 1] / np.sqrt(precision[0, 0] * precision[1, 1]))


def correlation_test(r: float, n: int, k: int = 0) -> dict:
    """Two-sided p-value and Fisher-z 95 % CI for a (partial) correlation.

    Degrees of freedom follow the usual convention for a partial correlation with ``k``
    controls: :math:`t = r\\sqrt{(n-2-k)/(1-r^2)}` on :math:`n-2-k` df, and
    :math:`z = \\operatorname{artanh} r \\pm 1.96/\\sqrt{n-3-k}`. For weighted estimates
    ``n`` is the number of respondents (as SPSS does with weights summing to n).
    """
    df = n - 2 - k
    if df < 1 or not np.isfinite(r):
        return {"p": np.nan, "ci_low": np.nan, "ci_high": np.nan, "df": df}
    r_c = float(np.clip(r, -1 + 1e-15, 1 - 1e-15))
    t = r_c * np.sqrt(df / (1 - r_c**2))
    p = float(2 * stdtr(df, -abs(t)))  # upper tail of Student's t on df
    if n - 3 - k < 1:
        return {"p": p, "ci_low": np.nan, "ci_high": np.nan, "df": df}
    half = Z95 / np.sqrt(n - 3 - k)
    z = np.arctanh(r_c)
    return {
        "p": p,
        "ci_low": float(np.tanh(z - half)),
        "ci_high": float(np.tanh(z + half)),
        "df": df,
    }


def complete_cases(frame: pd.DataFrame, columns: Sequence[str], weight: str | None):
    """Listwise-complete ``columns`` as a float array, and the weights (None when unweighted).

    Respondents missing any column (or the weight) are dropped.
    """
    needed = list(columns) + ([weight] if weight else [])
    complete = frame[needed].dropna()
    data = complete[list(columns)].to_numpy(dtype=float)
    w = complete[weight].to_numpy(dtype=float) if weight else None
    return data, w


def complete_arrays(
    values: np.ndarray, position: dict, columns: Sequence[str], weight: str | None
) -> tuple[np.ndarray, np.ndarray | None]:
    """:func:`complete_cases` on a float array (NaN = missing) whose column for name c is
    ``position[c]`` (as :func:`abs_trust.trust.float_columns` returns them).

    For tables that estimate many coefficients on one country's data: selecting columns
    from an array is much cheaper than from a DataFrame, and the result is the same.
    """
    block = values[:, [position[c] for c in [*columns, *([weight] if weight else [])]]]
    block = block[~np.isnan(block).any(axis=1)]
    # column-major, as DataFrame.to_numpy returns it: numpy then sums in the same order, so
    # the estimates are bit-for-bit those from complete_cases
    data = np.asfortranarray(block[:, : len(columns)])
    return data, (block[:, -1].copy() if weight else None)


def pearson(
    frame: pd.DataFrame,
    x: str,
    y: str,
    covar: Sequence[str] = (),
    weight: str | None = None,
) -> dict:
    """Pearson correlation of ``x`` and ``y``, partialling out ``covar``, optionally weighted.

    Respondents missing any of x, y, covar (or the weight) are dropped (listwise deletion).

    Returns
    -------
    dict with n, r, p, ci_low, ci_high, df and ``note`` (set when the estimate is flagged,
    e.g. fewer than 30 complete cases or a constant variable).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"a": [1, 2, 3, 4], "b": [1, 3, 2, 4]})
    >>> round(pearson(df, "a", "b")["r"], 3)
    0.8
    """
    columns = [x, y, *covar]
    return pearson_arrays(*complete_cases(frame, columns, weight), columns)


def pearson_arrays(data: np.ndarray, w: np.ndarray | None, columns: Sequence[str]) -> dict:
    """:func:`pearson` on listwise-complete data: columns x, y, then the covariates.

    ``w`` holds the weights (None: unweighted); ``columns`` names the columns of ``data``
    for the notes. Callers that estimate several coefficients on the same respondents
    (:func:`abs_trust.associations.correlation_table`) select them once and call this.
    """
    n, k = len(data), len(columns) - 2
    result = {
        "n": n,
        "r": np.nan,
        "p": np.nan,
        "ci_low": np.nan,
        "ci_high": np.nan,
        "df": n - 2 - k,
        "note": "",
    }
    if n < len(columns) + 2:
        result["note"] = f"too few complete cases ({n})"
        return result
    cov = weighted_covariance(data, w)
    if np.any(np.diag(cov) <= 0):
        constant = [c for c, v in zip(columns, np.diag(cov), strict=True) if v <= 0]
        result["note"] = f"no variation in {constant}"
        return result
    try:
        r = partial_from_covariance(cov)
    except np.linalg.LinAlgError:
        result["note"] = "controls are collinear"
        return result
    result.update(r=r, **correlation_test(r, n, k))
    if n < MIN_PAIRS:
        result["note"] = f"fewer than {MIN_PAIRS} complete cases ({n})"
    return result
