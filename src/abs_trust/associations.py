"""Every association estimate of one wave, in one tidy table (results/tables/correlations.csv).

Pearson is the paper's coefficient (note 24); Spearman and the polychoric correlation treat
the four-point items as ordinal, as a reviewer will ask. Each is computed bivariate and
partial (controls from config), weighted and unweighted, by the estimators in
`abs_trust.correlation` and `abs_trust.ordinal`; this module only loops and labels.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import pandas as pd

from .correlation import pearson
from .ordinal import polychoric, polychoric_partial, spearman
from .trust import weighs

METHODS = ("pearson", "spearman", "polychoric")
COLUMNS = [
    "country", "wave", "year", "x", "y", "method", "controls", "weighted", "r", "p", "n",
    "ci_low", "ci_high", "df", "note",
]  # fmt: skip


def estimate(frame, method: str, x: str, y: str, covar: Sequence[str], weight: str | None):
    """One estimate as a dict (n, r, p, ci_low, ci_high, df, note), whatever the method."""
    if method == "pearson":
        return pearson(frame, x, y, covar, weight)
    if method == "spearman":
        return spearman(frame, x, y, covar, weight)
    if method == "polychoric":
        if covar:
            return polychoric_partial(frame, x, y, covar, weight)
        est = polychoric(frame, x, y, weight)
        # two-step polychoric: df is not defined the Pearson way; its SE drives the CI
        return {**est, "df": float("nan")}
    raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")


def correlation_table(
    frame: pd.DataFrame,
    pairs: Sequence[Sequence[str]],
    controls: Sequence[str],
    years: dict[str, int],
    weighted: bool | Collection[str] = True,
    methods: Sequence[str] = ("pearson",),
) -> pd.DataFrame:
    """Bivariate and partial correlations for every pair, country, method and weighting.

    Returns
    -------
    pd.DataFrame
        long; ``country, wave, year, x, y, method, controls, weighted, r, p, n, ci_low,
        ci_high, df, note`` (design.md §3, plus df and note). Pairs where either item was
        not asked are skipped; estimates on too few cases are kept with a ``note``.
    """
    rows = []
    for (country, wave), group in frame.groupby(["country", "wave"], sort=True):
        for x, y in pairs:
            cx, cy = f"trust_{x}", f"trust_{y}"
            if group[cx].notna().sum() == 0 or group[cy].notna().sum() == 0:
                continue
            for method in methods:
                for covar in ((), tuple(controls)) if controls else ((),):
                    for use_weights in (False, True) if weighs(weighted, country) else (False,):
                        est = estimate(
                            group, method, cx, cy, covar, "weight" if use_weights else None
                        )
                        rows.append(
                            {
                                "country": country,
                                "wave": wave,
                                "year": years.get(country),
                                "x": x,
                                "y": y,
                                "method": method,
                                "controls": "+".join(covar),
                                "weighted": use_weights,
                                **{k: est.get(k) for k in COLUMNS[8:]},
                            }
                        )
    return pd.DataFrame(rows, columns=COLUMNS)
