"""Student's t tail probability and quantile in the standard library alone.

The change between waves is computed by the ``tables`` job, which imports neither numpy's
heavier companions nor scipy: ``scipy.special`` alone costs 0.4-0.6 s of a job that takes a
second (tests/test_imports.py keeps it out). These two functions are all it needs; the tests
check them against ``scipy.stats.t`` to 1e-12.

The upper tail is the regularized incomplete beta function,
:math:`P(T > |t|) = \\tfrac12 I_{\\nu/(\\nu + t^2)}(\\nu/2, 1/2)`, evaluated by its continued
fraction (modified Lentz); the quantile solves :math:`P(T > t) = \\alpha` by Newton's method
from the normal quantile.

Reference: Press, W. H. et al. (2007). *Numerical Recipes*, 3rd ed., §6.4 (incomplete beta
function) and §6.14.2 (Student's t); Abramowitz, M. & Stegun, I. A. (1964), 26.5.27 and 26.7.1.
"""

from __future__ import annotations

import math
from statistics import NormalDist

_TINY = 1e-300


def _beta_fraction(a: float, b: float, x: float) -> float:
    """Continued fraction of the incomplete beta function (Lentz), for x < (a + 1)/(a + b + 2)."""
    c, d = 1.0, 1.0 - (a + b) * x / (a + 1)
    d = 1.0 / (d if abs(d) > _TINY else _TINY)
    h = d
    for m in range(1, 1000):
        for numerator in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1.0 + numerator * d
            d = 1.0 / (d if abs(d) > _TINY else _TINY)
            c = 1.0 + numerator / c
            c = c if abs(c) > _TINY else _TINY
            h *= d * c
        if abs(d * c - 1.0) < 1e-16:
            break
    return h


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """Regularized incomplete beta function :math:`I_x(a, b)`."""
    if x <= 0.0:
        return 0.0
    if x >= 1.0:
        return 1.0
    log_front = (
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return math.exp(log_front) * _beta_fraction(a, b, x) / a
    return 1.0 - math.exp(log_front) * _beta_fraction(b, a, 1.0 - x) / b


def t_sf(t: float, df: float) -> float:
    """:math:`P(T > t)` for Student's t on ``df`` degrees of freedom (infinite: normal)."""
    if math.isinf(df):
        return 1.0 - NormalDist().cdf(t)
    tail = 0.5 * _incomplete_beta(df / 2, 0.5, df / (df + t * t))
    return tail if t >= 0 else 1.0 - tail


def t_quantile(q: float, df: float) -> float:
    """The ``q`` quantile of Student's t on ``df`` degrees of freedom (0 < q < 1)."""
    t = NormalDist().inv_cdf(q)
    if math.isinf(df):
        return t
    log_norm = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    for _ in range(100):
        density = math.exp(log_norm - (df + 1) / 2 * math.log1p(t * t / df))
        step = ((1.0 - t_sf(t, df)) - q) / density
        t -= step
        if abs(step) < 1e-14 * max(1.0, abs(t)):
            break
    return t
