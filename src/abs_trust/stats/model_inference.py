"""Inference for the regression checks: cut points as R and Stata report them, the design-based
sandwich of a weighted (pseudo-ML) fit, and joint Wald tests of a categorical control.

Cut points. statsmodels' ``OrderedModel`` estimates :math:`\\theta = (\\kappa_1, \\log(\\kappa_2
- \\kappa_1), \\dots)` so the cut points stay ordered; R's ``MASS::polr``/``survey::svyolr``
and Stata's ``ologit`` report :math:`\\kappa_1 < \\kappa_2 < \\dots` themselves. With
:math:`J = \\partial\\kappa/\\partial\\theta` (:math:`J_{m1} = 1`, :math:`J_{mi} =
e^{\\theta_i}` for :math:`2 \\le i \\le m`), :math:`\\widehat V_\\kappa = J \\widehat V_\\theta
J'` (the delta method; at the maximum this is also the inverse information in
:math:`\\kappa`, which is what ``polr`` reports).

Weighted fits. The pseudo-ML estimate solves :math:`\\sum_i w_i s_i(\\hat\\theta) = 0`; its
linearized variable is :math:`A^{-1} w_i s_i` with :math:`A = -\\sum_i w_i \\partial s_i /
\\partial\\theta`, so

.. math:: \\widehat V = A^{-1}\\, \\widehat V_{\\text{design}}\\Big(\\sum_i w_i s_i\\Big)\\, A^{-1}

(`abs_trust.stats.design`): R's ``svyolr`` (Binder 1983).

Joint tests. For the q coefficients :math:`b` of a control's dummies with covariance
:math:`V_b`, :math:`W = b' V_b^{-1} b`: :math:`W/q \\sim F(q, n - p)` for OLS with HC1 SEs
(as its t tests, statsmodels ``wald_test(use_f=True)``), :math:`W \\sim \\chi^2_q` for the
ordered logit (as its z tests).

References: Binder, D. A. (1983). *International Statistical Review* 51(3), 279-292;
Venables, W. N. & Ripley, B. D. (2002). *Modern Applied Statistics with S*, 4th ed., §7.3
(``polr``); Wooldridge, J. M. (2010). *Econometric Analysis of Cross Section and Panel
Data*, 2nd ed., §4.2.3 (robust Wald tests).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy.special import chdtrc, fdtrc, ndtr, stdtr, stdtrit

from abs_trust.stats.correlation import Z95
from abs_trust.stats.design import Design, _design_variance


def _cut_point_transform(params: np.ndarray, k_thresholds: int) -> tuple[np.ndarray, np.ndarray]:
    """(beta, kappa) from statsmodels' (beta, theta), and the Jacobian of the whole map."""
    params = np.asarray(params, dtype=float)
    k = len(params)
    theta = params[-k_thresholds:]
    kappa = np.cumsum(np.concatenate([theta[:1], np.exp(theta[1:])]))
    jacobian = np.eye(k)
    block = np.tril(np.ones((k_thresholds, k_thresholds)))
    block[:, 1:] *= np.exp(theta[1:])
    jacobian[k - k_thresholds :, k - k_thresholds :] = block
    return np.concatenate([params[: k - k_thresholds], kappa]), jacobian


def cut_points(
    params: np.ndarray, cov: np.ndarray, k_thresholds: int
) -> tuple[np.ndarray, np.ndarray]:
    """Coefficients and covariance with the cut points :math:`\\kappa_1 < \\kappa_2 < \\dots`
    in place of statsmodels' first cut point and log increments (the delta method)."""
    values, jacobian = _cut_point_transform(params, k_thresholds)
    return values, jacobian @ np.asarray(cov) @ jacobian.T


def weighted_sandwich(
    score_obs: np.ndarray, hessian: np.ndarray, design: Design | None = None
) -> tuple[np.ndarray, int]:
    """Design-based covariance of a weighted pseudo-ML estimate, and the design's df.

    ``score_obs``: each respondent's weighted score :math:`w_i s_i` at the estimate (n x k);
    ``hessian``: :math:`\\sum_i w_i \\partial s_i/\\partial\\theta` there (k x k).
    """
    bread = np.linalg.inv(-np.asarray(hessian))
    meat, df = _design_variance(score_obs, design)
    return bread @ meat @ bread, df


def normal_rows(values: np.ndarray, cov: np.ndarray) -> dict[str, np.ndarray]:
    """SE, Wald z, two-sided p and 95 % normal interval of each coefficient."""
    se = np.sqrt(np.diag(cov))
    z = values / se
    return {
        "coef": values,
        "se": se,
        "z_or_t": z,
        "p": 2 * ndtr(-np.abs(z)),
        "ci_low": values - Z95 * se,
        "ci_high": values + Z95 * se,
    }


def dummy_positions(names: Sequence[str], control: str) -> list[int]:
    """Positions of the treatment dummies ``C(control)[T.level]`` among the term names."""
    prefix = f"C({control})[T."
    return [i for i, name in enumerate(names) if name.startswith(prefix)]


def joint_wald_chi2(values: np.ndarray, cov: np.ndarray, positions: Sequence[int]) -> dict:
    """:math:`W = b' V_b^{-1} b \\sim \\chi^2_q` for the coefficients at ``positions``."""
    b = np.asarray(values)[positions]
    v = np.asarray(cov)[np.ix_(positions, positions)]
    statistic = float(b @ np.linalg.solve(v, b))
    q = len(positions)
    return {"test": "wald_chi2", "statistic": statistic, "df_num": q, "df_den": np.nan,
            "p": float(chdtrc(q, statistic))}  # fmt: skip


def t_rows(values: np.ndarray, cov: np.ndarray, df: float) -> dict[str, np.ndarray]:
    """SE, t, two-sided p and 95 % interval of each coefficient on ``df`` degrees of freedom."""
    se = np.sqrt(np.diag(cov))
    t = values / se
    half = stdtrit(df, 0.975) * se
    return {"coef": values, "se": se, "z_or_t": t, "p": 2 * stdtr(df, -np.abs(t)),
            "ci_low": values - half, "ci_high": values + half}  # fmt: skip


def joint_wald_f(values, cov, positions: Sequence[int], df_den: float) -> dict:
    """:math:`F = b' V_b^{-1} b / q` on (q, ``df_den``) df for the coefficients at ``positions``."""
    q = len(positions)
    statistic = joint_wald_chi2(values, cov, positions)["statistic"] / q
    return {"test": "wald_F", "statistic": statistic, "df_num": q, "df_den": df_den,
            "p": float(fdtrc(q, df_den, statistic))}  # fmt: skip


def design_regression_cov(
    exog: np.ndarray, residuals: np.ndarray, weights: np.ndarray, design: Design
) -> tuple[np.ndarray, float]:
    """Design-based covariance of a WLS fit (R ``svyglm``) and its residual df.

    :math:`(X'WX)^{-1}\\, \\widehat V_{\\text{design}}(\\sum_i w_i e_i x_i)\\, (X'WX)^{-1}`
    on :math:`\\text{df}_\\text{design} - p + 1` df (svyglm's ``df.residual``).
    """
    exog = np.asarray(exog, dtype=float)
    bread = np.linalg.inv(exog.T @ (exog * weights[:, None]))
    meat, df = _design_variance(exog * (weights * residuals)[:, None], design)
    return bread @ meat @ bread, df - exog.shape[1] + 1
