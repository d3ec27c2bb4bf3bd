"""What the correlation coefficients share: the weighted covariance, the partial correlation
read off its inverse, the t test and Fisher-z interval, and the flags.

Pearson (`abs_trust.stats.pearson`), Spearman (`abs_trust.stats.spearman`) and the partial
polychoric (`abs_trust.stats.polychoric`) all read the (partial) correlation of variables 0
and 1 off the precision matrix of x, y and the controls: without controls the same formula
gives the bivariate r, so bivariate and partial estimates cannot drift apart by construction.
"""

from __future__ import annotations

import numpy as np
from scipy.special import ndtri, stdtr

# scipy.special, not scipy.stats: the same functions (scipy.stats.norm.ppf and t.sf call
# these) without importing scipy.stats, which costs every process some 0.3 s
Z95 = ndtri(0.975)
MIN_PAIRS = 30  # below this a correlation is reported but flagged (design: flag, don't hide)


def _empty_result(n: int, df: int, note: str, **extra) -> dict:
    """The dict of a coefficient that could not be estimated, with the reason in ``note``."""
    empty = {"n": n, "r": np.nan, "p": np.nan, "ci_low": np.nan, "ci_high": np.nan, "df": df}
    return empty | extra | {"note": note}


def _weighted_covariance(data: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
    """Covariance matrix of the columns of ``data``, weighted by ``weights``.

    .. math:: C_{jk} = \\frac{\\sum_i w_i (x_{ij} - \\bar x_j)(x_{ik} - \\bar x_k)}{\\sum_i w_i}

    with weighted means :math:`\\bar x_j`. The normalisation cancels in a correlation, so
    frequency-, analytic- and probability-weight conventions give the same r.

    ``statsmodels.stats.weightstats.DescrStatsW(data, weights, ddof=0).cov`` is the same
    matrix, but it sums in another order (``np.dot`` for the means): on the fixture it moved
    5 of W3's and 6 of W4's 12 correlation rows, and one r of each sensitivity table, by up
    to 1.6e-15. Kept, for byte-identical tables; tests/test_correlation.py checks the two
    agree.
    """
    w = np.ones(len(data)) if weights is None else np.asarray(weights, dtype=float)
    mean = (w[:, None] * data).sum(axis=0) / w.sum()
    centred = data - mean
    return (w[:, None] * centred).T @ centred / w.sum()


def _partial_from_covariance(cov: np.ndarray) -> float:
    """Correlation of variables 0 and 1 given all other variables, from their covariance.

    .. math:: r_{01\\cdot Z} = -\\frac{P_{01}}{\\sqrt{P_{00} P_{11}}}, \\qquad P = C^{-1}

    Reference: Whittaker, J. (1990). *Graphical Models in Applied Multivariate Statistics*,
    §5.7. With no other variables this is the ordinary correlation coefficient.
    """
    if cov.shape == (2, 2):
        return float(cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1]))
    precision = np.linalg.inv(cov)
    return float(-precision[0, 1] / np.sqrt(precision[0, 0] * precision[1, 1]))


def _partial_r(data: np.ndarray, w: np.ndarray | None, columns) -> tuple[float, str]:
    """(r, "") for the (weighted) partial correlation of columns 0 and 1 of ``data`` given
    the others, or (NaN, the reason) when too few cases, a constant column or collinear
    controls leave it undefined. ``columns`` names the columns, for the note."""
    n = len(data)
    if n < len(columns) + 2:
        return np.nan, f"too few complete cases ({n})"
    # Constancy is read off the data, exactly: a weighted mean of equal values need not
    # equal them to the last bit, so a constant column's variance can come out as 1e-33
    # and give an r (a weighted Spearman on a constant item did).
    spread = data.max(axis=0) - data.min(axis=0)
    cov = _weighted_covariance(data, w)
    if np.any(spread == 0) or np.any(np.diag(cov) <= 0):
        constant = [
            c for c, s, v in zip(columns, spread, np.diag(cov), strict=True) if s == 0 or v <= 0
        ]
        return np.nan, f"no variation in {constant}"
    try:
        return _partial_from_covariance(cov), ""
    except np.linalg.LinAlgError:
        return np.nan, "controls are collinear"


def _correlation_test(r: float, n: int, k: int = 0) -> dict:
    """Two-sided p-value and Fisher-z 95 % CI for a (partial) correlation.

    Degrees of freedom follow the usual convention for a partial correlation with ``k``
    controls: :math:`t = r\\sqrt{(n-2-k)/(1-r^2)}` on :math:`n-2-k` df, and
    :math:`z = \\operatorname{artanh} r \\pm 1.96/\\sqrt{n-3-k}`. For weighted estimates
    ``n`` is the number of respondents (as SPSS does with weights summing to n).

    Reference: Fisher, R. A. (1921). On the "probable error" of a coefficient of correlation
    deduced from a small sample. *Metron* 1, 3-32.
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


def _few_pairs_note(n: int) -> str:
    """The flag of an estimate on fewer than :data:`MIN_PAIRS` complete cases, or ""."""
    return f"fewer than {MIN_PAIRS} complete cases ({n})" if n < MIN_PAIRS else ""
