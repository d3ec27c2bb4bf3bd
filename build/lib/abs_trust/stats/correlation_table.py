"""Every association estimate of one wave, in one tidy table (results/tables/correlations.csv).

Pearson is the paper's coefficient (note 24); Spearman and the polychoric correlation treat
the four-point items as ordinal, as a reviewer will ask. Each is computed bivariate and
partial (controls from config), weighted and unweighted, by the estimators in
`abs_trust.stats.correlation` and `abs_trust.stats.polychoric`; this module only loops and labels.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from abs_trust.stats.correlation import complete_arrays, complete_cases, pearson_arrays
from abs_trust.stats.polychoric import polychoric_arrays, polychoric_partial_arrays, spearman_arrays
from abs_trust.stats.shares import country_wave_rows, float_columns, weighs

METHODS = ("pearson", "spearman", "polychoric")
COLUMNS = [
    "country", "wave", "year", "x", "y", "method", "controls", "weighted", "r", "p", "n",
    "ci_low", "ci_high", "df", "note",
]  # fmt: skip


def estimate(frame, method: str, x: str, y: str, covar: Sequence[str], weight: str | None):
    """One estimate as a dict (n, r, p, ci_low, ci_high, df, note), whatever the method."""
    columns = [x, y, *covar]
    return estimate_arrays(method, *complete_cases(frame, columns, weight), columns)


def estimate_arrays(method: str, data: np.ndarray, w: np.ndarray | None, columns) -> dict:
    """:func:`estimate` on listwise-complete data (columns x, y, then the controls)."""
    if method == "pearson":
        return pearson_arrays(data, w, columns)
    if method == "spearman":
        return spearman_arrays(data, w, columns)
    if method == "polychoric":
        if len(columns) > 2:
            return polychoric_partial_arrays(data, w, columns)
        # two-step polychoric: df is not defined the Pearson way; its SE drives the CI
        return {**polychoric_arrays(data, w), "df": float("nan")}
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
    items = [f"trust_{i}" for pair in pairs for i in pair]
    groups = country_wave_rows(frame)
    # a weight column is needed only when some country is weighted
    weights = ["weight"] if any(weighs(weighted, country) for country, _ in groups) else []
    # The data are converted to floats once, and each set of complete cases is selected once
    # for all methods: pandas indexing per estimate cost more than the Pearson r itself.
    table, position = float_columns(frame, [*items, *controls, *weights])
    rows = []
    for (country, wave), where in groups.items():
        values = table[where]
        for x, y in pairs:
            cx, cy = f"trust_{x}", f"trust_{y}"
            if np.isnan(values[:, position[cx]]).all() or np.isnan(values[:, position[cy]]).all():
                continue
            complete = {}  # (controls, weighted) -> listwise-complete data and weights
            for method in methods:
                for covar in ((), tuple(controls)) if controls else ((),):
                    for use_weights in (False, True) if weighs(weighted, country) else (False,):
                        columns = [cx, cy, *covar]
                        if (covar, use_weights) not in complete:
                            weight = "weight" if use_weights else None
                            complete[covar, use_weights] = complete_arrays(
                                values, position, columns, weight
                            )
                        est = estimate_arrays(method, *complete[covar, use_weights], columns)
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
