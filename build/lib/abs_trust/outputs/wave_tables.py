"""Read the produced aggregate tables back, with the types the contract promises.

Kept apart from the estimators so a job that only reads tables does not import scipy.
"""

from __future__ import annotations

import pandas as pd

#: the tables each wave's job writes (results/tables/waves/<wave>/), keyed as in the rules
WAVE_TABLES = ("trust", "coverage", "correlations", "models", "sensitivity")


def read_correlations(path) -> pd.DataFrame:
    """Read ``correlations.csv`` back; an empty ``controls`` cell is the bivariate r, not NaN."""
    table = pd.read_csv(path, dtype={"controls": "string", "note": "string"})
    table["controls"] = table["controls"].fillna("")
    table["note"] = table["note"].fillna("")
    return table
