"""Confidence intervals for a weighted proportion from its design-based SE: Wald, logit and
Korn-Graubard, as R ``survey::svyciprop`` computes them.

Each takes the estimate :math:`\\hat p`, its linearization SE and the design's degrees of
freedom (`abs_trust.stats.design`):

- ``wald``: :math:`\\hat p \\pm z_{0.975}\\,\\widehat{SE}`, clipped to [0, 1]
  (``svyciprop(method = "mean", df = Inf)``). Symmetric; can cover impossible values and
  undercovers near 0 and 1.
- ``logit``: :math:`\\operatorname{expit}\\big(\\operatorname{logit}\\hat p \\pm
  t_{df,0.975}\\,\\widehat{SE}/(\\hat p(1-\\hat p))\\big)` (``svyciprop(method = "logit")``,
  R's and Stata's default: the Wald interval of the logit of the share, whose SE is the
  delta method's). Inside (0, 1), asymmetric near the bounds.
- ``korn-graubard``: the Clopper-Pearson interval at the effective sample size
  :math:`n^* = \\hat p(1-\\hat p)/\\widehat V \\cdot (t_{n-1,0.975}/t_{df,0.975})^2`,

  .. math:: \\big[B^{-1}_{0.025}(n^*\\hat p,\\, n^*(1-\\hat p) + 1),\\;
      B^{-1}_{0.975}(n^*\\hat p + 1,\\, n^*(1-\\hat p))\\big]

  (``svyciprop(method = "beta")``); conservative, and defined at 0 % and 100 %, where
  :math:`n^*` is the number of respondents.

References: Korn, E. L. & Graubard, B. I. (1998). Confidence intervals for proportions with
small expected number of positive counts estimated from survey data. *Survey Methodology*
24(2), 193-201. Lumley, T. (2010). *Complex Surveys*, §2.4 (``svyciprop``). Dean, N. &
Pagano, M. (2015). Evaluating confidence interval methods for binomial proportions in
clustered surveys. *Journal of Survey Statistics and Methodology* 3(4), 484-503.
"""

from __future__ import annotations

import numpy as np
from scipy.special import betaincinv, expit, logit, ndtri, stdtrit

from abs_trust.stats.correlation import Z95

CI_METHODS = ("wald", "logit", "korn-graubard")
DEFAULT_CI_METHOD = "logit"  # R's svyciprop and Stata's svy: proportion default


def _proportion_interval(
    p: float, se: float, df: float, n: int, method: str, level: float = 0.95
) -> tuple[float, float]:
    """(low, high) of a proportion ``p`` with design SE ``se`` on ``df`` degrees of freedom,
    from ``n`` respondents, by ``method`` (one of :data:`CI_METHODS`)."""
    if method not in CI_METHODS:
        raise ValueError(f"ci_method must be one of {CI_METHODS}, got {method!r}")
    if not np.isfinite(p):
        return (np.nan, np.nan)
    alpha = 1 - level
    if method == "wald":
        z = Z95 if level == 0.95 else ndtri(1 - alpha / 2)
        return (max(0.0, p - z * se), min(1.0, p + z * se))
    if method == "logit":
        if p <= 0 or p >= 1 or not se > 0:
            return (p, p)  # no logit at the bounds: a share of 0 or 1 has no spread here
        half = stdtrit(df, 1 - alpha / 2) * se / (p * (1 - p))
        return (float(expit(logit(p) - half)), float(expit(logit(p) + half)))
    # Korn-Graubard: Clopper-Pearson at the effective sample size, its df-adjusted form
    n_eff = p * (1 - p) / se**2 if se > 0 else float(n)
    if n > 1 and df >= 1:
        n_eff *= (stdtrit(n - 1, alpha / 2) / stdtrit(df, alpha / 2)) ** 2
    low = 0.0 if p <= 0 else float(betaincinv(n_eff * p, n_eff * (1 - p) + 1, alpha / 2))
    high = 1.0 if p >= 1 else float(betaincinv(n_eff * p + 1, n_eff * (1 - p), 1 - alpha / 2))
    return (low, high)
