"""From a harmonized frame to the float arrays the estimators' kernels take.

The public estimators select their complete cases with :func:`complete_cases`. The table
builders convert the columns they need once per wave (:func:`float_columns`), slice them by
country-wave (:func:`country_wave_rows`) and select each set of complete cases from the
array (:func:`complete_arrays`): a pandas sub-frame per country-wave, indexed once per
estimate, cost more than the estimates themselves.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence

import numpy as np
import pandas as pd


def complete_cases(
    frame: pd.DataFrame, columns: Sequence[str], weight: str | None
) -> tuple[np.ndarray, np.ndarray | None]:
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
    ``position[c]`` (as :func:`float_columns` returns them): the same arrays, bit for bit.
    """
    block = values[:, [position[c] for c in [*columns, *([weight] if weight else [])]]]
    block = block[~np.isnan(block).any(axis=1)]
    # column-major, as DataFrame.to_numpy returns it: numpy then sums in the same order, so
    # the estimates are bit-for-bit those from complete_cases
    data = np.asfortranarray(block[:, : len(columns)])
    return data, (block[:, -1].copy() if weight else None)


def float_columns(frame: pd.DataFrame, columns: Iterable[str]) -> tuple[np.ndarray, dict]:
    """``columns`` (nullable or not) as one float array, NaN where missing, and each column's
    position in it (a column named twice appears once)."""
    columns = list(dict.fromkeys(columns))
    values = frame[columns].to_numpy(dtype=float, na_value=np.nan)
    return values, {c: i for i, c in enumerate(columns)}


def country_wave_rows(frame: pd.DataFrame) -> dict[tuple, np.ndarray]:
    """Row positions of every (country, wave), in the order ``frame.groupby(["country",
    "wave"], sort=True)`` iterates over them (rows with a missing key in no group)."""
    return frame.groupby(["country", "wave"], sort=True).indices


def weighs(weighted: bool | Collection[str], country: str) -> bool:
    """``weighted`` is a flag for every country, or the set of countries whose weight varies.

    A weight that is constant within a country (as W1/W2's may be) is no weight at all:
    those countries get unweighted rows only.
    """
    return weighted if isinstance(weighted, bool) else country in weighted
