"""Every association estimate of one wave, in one tidy table (results/tables/correlations.csv).

Pearson is the paper's coefficient (note 24); Spearman and the polychoric correlation treat
the four-point items as ordinal, as a reviewer will ask. Each is computed bivariate and
partial (controls from config), weighted and unweighted, by the kernels of
`abs_trust.stats.pearson`, `abs_trust.stats.spearman` and `abs_trust.stats.polychoric` on
arrays selected once per country and pair; this module only loops and labels.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence

import numpy as np
import pandas as pd

from abs_trust.stats.arrays import complete_arrays, country_wave_rows, float_columns, weighs
from abs_trust.stats.correlation import _empty_result
from abs_trust.stats.design import Design, design_columns
from abs_trust.stats.pearson import _pearson
from abs_trust.stats.polychoric import _polychoric
from abs_trust.stats.polychoric_partial import _polychoric_partial
from abs_trust.stats.spearman import _spearman
from abs_trust.stats.weights import EstimateRules, withheld_reason

METHODS = ("pearson", "spearman", "polychoric")
COLUMNS = [
    "country", "wave", "year", "x", "y", "method", "controls", "weighted", "r", "p", "n",
    "ci_low", "ci_high", "df", "note", "se", "se_method",
]  # fmt: skip


def _estimate(
    method: str, data: np.ndarray, w: np.ndarray | None, columns, design: Design | None = None
) -> dict:
    """One estimate on listwise-complete data (columns x, y, then the controls) as a dict
    (n, r, p, ci_low, ci_high, df, note, se, se_method), whatever the method; ``design``
    the strata and PSUs of the same rows (None: weights only)."""
    if method == "pearson":
        return _pearson(data, w, columns, design)
    if method == "spearman":
        return _spearman(data, w, columns, design)
    if method == "polychoric":
        if len(columns) > 2:
            return _polychoric_partial(data, w, columns, design=design)
        return _polychoric(data, w, design)
    raise ValueError(f"unknown method {method!r}; expected one of {METHODS}")


def _split_design(data: np.ndarray, n_columns: int, names: Sequence[str]):
    """Complete-case data whose last columns are the design's (``names``, in the order
    strata, psu) -> the analysis columns and the :class:`Design` (None when no names)."""
    if not names:
        return data, None
    extra = dict(zip(names, data[:, n_columns:].T, strict=True))
    return data[:, :n_columns], Design(extra.get("strata"), extra.get("psu"))


def correlation_table(
    frame: pd.DataFrame,
    pairs: Sequence[Sequence[str]],
    controls: Sequence[str],
    years: dict[str, int],
    weighted: bool | Collection[str] = True,
    methods: Sequence[str] = ("pearson",),
    rules: EstimateRules | None = None,
) -> pd.DataFrame:
    """Bivariate and partial correlations for every pair, country, method and weighting.

    Weighted estimates carry design-based SEs (Taylor linearization) under the frame's
    design: its ``strata`` and ``psu`` columns when it has them, weights only otherwise.

    ``rules`` (`abs_trust.stats.weights.EstimateRules`): an estimate on fewer complete cases
    than ``min_cell_size`` is suppressed, and a weighted one on unusable weights refused;
    either keeps its row, with an empty r and the reason in ``note``.

    Returns
    -------
    pd.DataFrame
        long; ``country, wave, year, x, y, method, controls, weighted, r, p, n, ci_low,
        ci_high, df, note, se, se_method`` (design.md §3, plus df, note, the SE of r where
        the interval is built from one, and how it was estimated). Pairs where either item
        was not asked are skipped; estimates on too few cases are kept with a ``note``.
    """
    items = [f"trust_{i}" for pair in pairs for i in pair]
    groups = country_wave_rows(frame)
    # a weight column is needed only when some country is weighted
    weights = ["weight"] if any(weighs(weighted, country) for country, _ in groups) else []
    design = design_columns(frame) if weights else []
    # The data are converted to floats once, and each set of complete cases is selected once
    # for all methods: pandas indexing per estimate cost more than the Pearson r itself.
    table, position = float_columns(frame, [*items, *controls, *design, *weights])
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
                            named = design if use_weights else []
                            data, w = complete_arrays(values, position, [*columns, *named], weight)
                            complete[covar, use_weights] = (
                                *_split_design(data, len(columns), named),
                                w,
                            )
                        data, design_rows, w = complete[covar, use_weights]
                        note = _withheld(data, w, rules)
                        if note:
                            est = _empty_result(len(data), len(data) - len(columns), note)
                        else:
                            est = _estimate(method, data, w, columns, design_rows)
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
    # df is a float column (written 2729.0), as when some rows had none: the CSV's bytes stay
    return pd.DataFrame(rows, columns=COLUMNS).astype({"df": "float64"})


def _withheld(data: np.ndarray, w: np.ndarray | None, rules: EstimateRules | None) -> str:
    """Why an estimate is not shown (too few complete cases; unusable weights), or ""."""
    return withheld_reason(len(data), w, rules)
