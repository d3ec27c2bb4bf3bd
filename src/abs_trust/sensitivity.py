"""How much do the headline numbers depend on the nonresponse and weighting conventions?

The published shares and correlations each follow one convention (design.md §4): substantive
answers only or nonresponse counted as not trusting; weighted or not. This module puts the
three readings side by side for every country-wave, so a reader sees at once whether a
conclusion hangs on a convention (in China, where "don't know" is common on some items, it
can move a share by several points).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from abs_trust.correlation import pearson
from abs_trust.trust import share_trusting

LOWEST_LEVEL = 1  # harmonized trust: 1 = "none at all" in every wave (design.md §3)
SENSITIVITY_COLUMNS = [
    "country", "wave", "quantity", "institution_or_pair", "convention", "value", "n",
    "ci_low", "ci_high",
]  # fmt: skip


def _share_rows(levels, trusting_levels, weights) -> list[tuple[str, dict, int]]:
    """(convention, estimate, n in the denominator) for the three share readings."""
    substantive = share_trusting(levels, trusting_levels, None, "exclude")
    as_not = share_trusting(levels, trusting_levels, None, "as_not_trusting")
    weighted = share_trusting(levels, trusting_levels, weights, "exclude")
    return [
        ("substantive_only", substantive, substantive["n_valid"]),
        ("nonresponse_as_not_trusting", as_not, len(levels)),
        ("weighted", weighted, weighted["n_valid"]),
    ]


def _r_rows(group, cx, cy, weight_col) -> list[tuple[str, dict, int]]:
    """(convention, estimate, n) for the three readings of Pearson r."""
    # Recode nonresponse as the lowest level for both items: "not trusting" on the scale.
    recoded = group[[cx, cy]].fillna(LOWEST_LEVEL)
    readings = [
        ("substantive_only", pearson(group, cx, cy)),
        ("nonresponse_as_not_trusting", pearson(recoded, cx, cy)),
        ("weighted", pearson(group, cx, cy, weight=weight_col)),
    ]
    return [(convention, est, est["n"]) for convention, est in readings]


def nonresponse_sensitivity(
    frame: pd.DataFrame,
    institutions: Iterable[str],
    trusting_levels: Iterable[int],
    pairs: Sequence[Sequence[str]],
    weight_col: str = "weight",
) -> pd.DataFrame:
    """Shares trusting and Pearson r under three conventions, per country × wave.

    Conventions (``convention`` column):

    - ``substantive_only``: unweighted; shares over substantive answers, r listwise over
      respondents answering both items (the design default);
    - ``nonresponse_as_not_trusting``: unweighted; nonresponse stays in the share's
      denominator as not trusting, and is recoded to the lowest level (1, "none at all")
      for both items before computing r;
    - ``weighted``: the wave's within-country weight, substantive answers only.

    Items not asked in a country-wave (no substantive answer) and pairs involving one are
    skipped, never reported as 0 %.

    Returns
    -------
    pd.DataFrame
        long; columns ``country, wave, quantity, institution_or_pair, convention, value, n,
        ci_low, ci_high``. ``quantity`` is ``share`` (``value`` in percent, as
        ``pct_trust``) or ``r``; ``institution_or_pair`` is an institution slug or
        ``x|y``; ``n`` is the denominator (share) or the number of respondents used (r).
    """
    trusting_levels = list(trusting_levels)
    rows = []
    for (country, wave), group in frame.groupby(["country", "wave"], sort=True):
        asked = {
            col.removeprefix("trust_")
            for col in group.columns
            if col.startswith("trust_") and group[col].notna().any()
        }
        for institution in institutions:
            if institution not in asked:
                continue
            levels = group[f"trust_{institution}"]
            for convention, est, n in _share_rows(levels, trusting_levels, group[weight_col]):
                rows.append(
                    (country, wave, "share", institution, convention, est["pct_trust"], n,
                     est["ci_low"], est["ci_high"])
                )  # fmt: skip
        for x, y in pairs:
            if x not in asked or y not in asked:
                continue
            for convention, est, n in _r_rows(group, f"trust_{x}", f"trust_{y}", weight_col):
                rows.append(
                    (country, wave, "r", f"{x}|{y}", convention, est["r"], n,
                     est["ci_low"], est["ci_high"])
                )  # fmt: skip
    table = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
    table["value"] = table["value"].astype(float)
    table["n"] = table["n"].astype(np.int64)
    return table
