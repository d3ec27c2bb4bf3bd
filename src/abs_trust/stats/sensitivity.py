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

from abs_trust.stats.arrays import complete_arrays, country_wave_rows, float_columns
from abs_trust.stats.pearson import _pearson
from abs_trust.stats.shares import _share
from abs_trust.stats.weights import EstimateRules, small_cell_note, weights_refusal

LOWEST_LEVEL = 1  # harmonized trust: 1 = "none at all" in every wave (design.md §3)
SENSITIVITY_COLUMNS = [
    "country", "wave", "quantity", "institution_or_pair", "convention", "value", "n",
    "ci_low", "ci_high", "note",
]  # fmt: skip


def _withheld(est: dict, n: int, weights, rules: EstimateRules | None) -> dict:
    """``est`` with its value and interval removed, and the reason in ``note``, when it is on
    too few respondents or (``weights`` given) on unusable weights."""
    if rules is None:
        return est
    note = small_cell_note(n, rules)
    if not note and weights is not None:
        note = weights_refusal(weights, rules)
    if not note:
        return est
    return est | {"pct_trust": np.nan, "r": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                  "note": note}  # fmt: skip


def _share_rows(levels, trusting, weights, rules=None) -> list[tuple[str, dict, int]]:
    """(convention, estimate, n in the denominator) for the three share readings.

    ``levels``, ``trusting`` and ``weights`` as :func:`abs_trust.stats.shares._share` takes
    them; ``rules`` as :func:`nonresponse_sensitivity`.
    """
    substantive = _share(levels, trusting, None, "exclude")
    as_not = _share(levels, trusting, None, "as_not_trusting")
    valid = ~np.isnan(levels)
    refusal = _withheld({}, int(valid.sum()), weights[valid], rules)
    if refusal.get("note", "").startswith("weighted"):  # not computed: it could overflow
        weighted = refusal | {"n_valid": int(valid.sum())}
    else:
        weighted = _share(levels, trusting, weights, "exclude") | refusal
    return [
        ("substantive_only", _withheld(substantive, substantive["n_valid"], None, rules),
         substantive["n_valid"]),
        ("nonresponse_as_not_trusting", _withheld(as_not, len(levels), None, rules),
         len(levels)),
        ("weighted", weighted, weighted["n_valid"]),
    ]  # fmt: skip


def _r_rows(values, position, cx, cy, weight_col, rules=None) -> list[tuple[str, dict, int]]:
    """(convention, estimate, n) for the three readings of Pearson r.

    ``values`` and ``position``: one country-wave as
    :func:`abs_trust.stats.arrays.float_columns` returns them.
    """
    pair = [cx, cy]
    # Recode nonresponse as the lowest level for both items: "not trusting" on the scale.
    both = values[:, [position[cx], position[cy]]]
    recoded = np.where(np.isnan(both), LOWEST_LEVEL, both)
    samples = {
        "substantive_only": complete_arrays(values, position, pair, None),
        "nonresponse_as_not_trusting": complete_arrays(recoded, {cx: 0, cy: 1}, pair, None),
        "weighted": complete_arrays(values, position, pair, weight_col),
    }
    estimates = {}
    for convention, (data, w) in samples.items():
        refusal = _withheld({}, len(data), w, rules)
        if refusal.get("note", "").startswith("weighted"):  # not computed: it could overflow
            estimates[convention] = refusal | {"n": len(data)}
        else:
            estimates[convention] = _pearson(data, w, pair) | refusal
    return [(convention, est, est["n"]) for convention, est in estimates.items()]


def nonresponse_sensitivity(
    frame: pd.DataFrame,
    institutions: Iterable[str],
    trusting_levels: Iterable[int],
    pairs: Sequence[Sequence[str]],
    weight_col: str = "weight",
    rules: EstimateRules | None = None,
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
    skipped, never reported as 0 %. With ``rules`` (`abs_trust.stats.weights.EstimateRules`),
    a value on too few respondents, or weighted on unusable weights, is left empty and
    ``note`` says why.

    Returns
    -------
    pd.DataFrame
        long; columns ``country, wave, quantity, institution_or_pair, convention, value, n,
        ci_low, ci_high, note``. ``quantity`` is ``share`` (``value`` in percent, as
        ``pct_trust``) or ``r``; ``institution_or_pair`` is an institution slug or
        ``x|y``; ``n`` is the denominator (share) or the number of respondents used (r).
    """
    trusting_levels = list(trusting_levels)
    items = [col for col in frame.columns if col.startswith("trust_")]
    # every item and the weight as floats, once per wave (see abs_trust.stats.arrays)
    weight = [weight_col] if weight_col in frame.columns else []
    table, position = float_columns(frame, [*items, *weight])
    is_trusting = np.isin(table, trusting_levels).astype(float)  # (weight column: unused)
    rows = []
    for (country, wave), where in country_wave_rows(frame).items():
        values = table[where]
        asked = {
            col.removeprefix("trust_")
            for col in items
            if not np.isnan(values[:, position[col]]).all()
        }
        for institution in institutions:
            if institution not in asked:
                continue
            column = position[f"trust_{institution}"]
            levels, trusting = values[:, column], is_trusting[where, column]
            weights = values[:, position[weight_col]]
            for convention, est, n in _share_rows(levels, trusting, weights, rules):
                rows.append(
                    (country, wave, "share", institution, convention, est["pct_trust"], n,
                     est["ci_low"], est["ci_high"], est.get("note", ""))
                )  # fmt: skip
        for x, y in pairs:
            if x not in asked or y not in asked:
                continue
            for convention, est, n in _r_rows(
                values, position, f"trust_{x}", f"trust_{y}", weight_col, rules
            ):
                rows.append(
                    (country, wave, "r", f"{x}|{y}", convention, est["r"], n,
                     est["ci_low"], est["ci_high"], est.get("note", ""))
                )  # fmt: skip
    table = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
    table["value"] = table["value"].astype(float)
    table["n"] = table["n"].astype(np.int64)
    return table
