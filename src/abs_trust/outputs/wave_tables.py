"""The tables each wave's job writes: their names, stacking them across waves, and reading
them back with the types the contract promises.

Kept apart from the estimators so a job that only reads tables does not import scipy.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

#: the tables each wave's job writes (results/tables/waves/<wave>/), keyed as in the rules
WAVE_TABLES = ("trust", "coverage", "correlations", "models", "sensitivity", "weights")


def read_correlations(path) -> pd.DataFrame:
    """Read ``correlations.csv`` back; an empty ``controls`` cell is the bivariate r, not NaN."""
    table = pd.read_csv(path, dtype={"controls": "string", "note": "string"})
    table["controls"] = table["controls"].fillna("")
    table["note"] = table["note"].fillna("")
    return table


def stack(paths: Sequence[str]) -> pd.DataFrame:
    """The per-wave CSVs of one table, one under the other (a wave with no rows is skipped)."""
    parts = []
    for path in paths:
        try:
            parts.append(pd.read_csv(path))
        except pd.errors.EmptyDataError:  # a wave with nothing to model writes an empty file
            continue
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
