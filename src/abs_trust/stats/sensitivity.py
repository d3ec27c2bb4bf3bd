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
from abs_trust.stats.correlation import _partial_r
from abs_trust.stats.design import Design, design_columns
from abs_trust.stats.pearson import _pearson
from abs_trust.stats.shares import _share
from abs_trust.stats.weights import EstimateRules, refused, withheld_reason

LOWEST_LEVEL = 1  # harmonized trust: 1 = "none at all" in every wave (design.md §3)
SENSITIVITY_COLUMNS = [
    "country", "wave", "quantity", "institution_or_pair", "convention", "value", "n",
    "ci_low", "ci_high", "note",
]  # fmt: skip


def _withheld(est: dict, n: int, weights, rules: EstimateRules | None) -> dict:
    """``est`` with its value and interval removed, and the reason in ``note``, when it is on
    too few respondents or (``weights`` given) on unusable weights."""
    note = withheld_reason(n, weights, rules)
    if not note:
        return est
    return est | {"pct_trust": np.nan, "r": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                  "note": note}  # fmt: skip


def _refused(n: int, weights, rules: EstimateRules | None) -> dict:
    """The withheld row when the weights themselves are refused, else {}: such an estimate
    is not even computed (extreme weights could overflow)."""
    refusal = _withheld({}, n, weights, rules)
    return refusal if refused(refusal.get("note")) else {}


def _share_rows(levels, trusting, weights, design=None, rules=None) -> list:
    """(convention, estimate, n in the denominator) for the four share readings.

    ``levels``, ``trusting`` and ``weights`` as :func:`abs_trust.stats.shares._share` takes
    them; ``design`` the strata and PSUs of the same rows (None: weights only); ``rules`` as
    :func:`nonresponse_sensitivity`. Counting nonresponse as not trusting and as trusting
    bounds the share whatever the nonrespondents think (Manski's worst-case bounds).
    """
    substantive = _share(levels, trusting, None, "exclude")
    as_not = _share(levels, trusting, None, "as_not_trusting")
    # every nonresponse as trusting: the upper bound (1 - share trusting as not trusting)
    flipped = np.where(np.isnan(levels), 1.0, trusting)
    as_trusting = _share(levels, flipped, None, "as_not_trusting")
    valid = ~np.isnan(levels)
    n_valid = int(valid.sum())
    if refusal := _refused(n_valid, weights[valid], rules):
        weighted = refusal | {"n_valid": n_valid}
    else:
        weighted = _share(levels, trusting, weights, "exclude", design=design)
        weighted = _withheld(weighted, n_valid, weights[valid], rules)
    n_all = len(levels)
    return [
        ("substantive_only", _withheld(substantive, n_valid, None, rules), n_valid),
        ("nonresponse_as_not_trusting", _withheld(as_not, n_all, None, rules), n_all),
        ("nonresponse_as_trusting", _withheld(as_trusting, n_all, None, rules), n_all),
        ("weighted", weighted, weighted["n_valid"]),
    ]  # fmt: skip


def _filled_r(both: np.ndarray, fill: tuple[float, float], w, pair) -> float:
    """Pearson r of the two items with each one's nonresponse set to ``fill``."""
    filled = np.where(np.isnan(both), np.asarray(fill, dtype=float), both)
    return _partial_r(np.asfortranarray(filled), w, pair)[0]


def _r_rows(values, position, cx, cy, weight_col, top, design=None, rules=None) -> list:
    """(convention, estimate, n) for the readings of Pearson r.

    ``values`` and ``position``: one country-wave as
    :func:`abs_trust.stats.arrays.float_columns` returns them; ``top`` the scale's highest
    level; ``design`` the strata and PSUs of the country-wave's rows (None: weights only).
    """
    pair = [cx, cy]
    data, _ = complete_arrays(values, position, pair, None)
    rows = [("substantive_only", _withheld(_pearson(data, None, pair), len(data), None, rules))]
    data, w = complete_arrays(values, position, pair, weight_col)
    if refusal := _refused(len(data), w, rules):
        rows.append(("weighted", refusal | {"n": len(data)}))
    else:
        rows_design = None
        if design is not None:
            keep = ~np.isnan(values[:, [position[c] for c in (*pair, weight_col)]]).any(axis=1)
            rows_design = design.take(keep)
        weighted = _pearson(data, w, pair, rows_design)
        rows.append(("weighted", _withheld(weighted, len(data), w, rules)))
    # Nonresponse bounds: every nonresponse to an item set to its lowest or its highest
    # level, per item; the range over the four corners (not a sharp bound: r is not
    # monotone in the imputed values). CIs are not given: an imputed value is no answer.
    both = values[:, [position[cx], position[cy]]]
    n = len(both)
    corners = {
        "nonresponse_lowest": (LOWEST_LEVEL, LOWEST_LEVEL),
        "nonresponse_highest": (top, top),
        "nonresponse_x_lowest_y_highest": (LOWEST_LEVEL, top),
        "nonresponse_x_highest_y_lowest": (top, LOWEST_LEVEL),
    }
    for prefix, weights in (("", None), ("weighted_", values[:, position[weight_col]])):
        names = [*corners, "nonresponse_range_low", "nonresponse_range_high"]
        if refusal := _refused(n, weights, rules):
            rows += [(prefix + name, refusal | {"n": n}) for name in names]
            continue
        found = {name: _filled_r(both, fill, weights, pair) for name, fill in corners.items()}
        found["nonresponse_range_low"] = min(found.values())
        found["nonresponse_range_high"] = max(found.values())
        rows += [(prefix + name,
                  _withheld({"r": r, "n": n, "ci_low": np.nan, "ci_high": np.nan}, n, None,
                            rules))
                 for name, r in found.items()]  # fmt: skip
    return [(convention, est, est["n"]) for convention, est in rows]


def nonresponse_sensitivity(
    frame: pd.DataFrame,
    institutions: Iterable[str],
    trusting_levels: Iterable[int],
    pairs: Sequence[Sequence[str]],
    weight_col: str = "weight",
    rules: EstimateRules | None = None,
) -> pd.DataFrame:
    """Shares trusting and Pearson r under the nonresponse and weighting conventions, per
    country × wave.

    Conventions (``convention`` column):

    - ``substantive_only``: unweighted; shares over substantive answers, r listwise over
      respondents answering both items (the design default);
    - ``weighted``: the wave's within-country weight, substantive answers only (design-based
      CI, as the main tables);
    - shares: ``nonresponse_as_not_trusting`` and ``nonresponse_as_trusting`` (unweighted;
      nonresponse in the denominator as not trusting, or as trusting): the worst-case bounds
      of the share whatever the nonrespondents think (Manski 1989);
    - r: nonresponse bounds. Each item's nonresponse is set to its lowest level (1, "none
      at all") or its highest (the scale's top), per item: ``nonresponse_lowest`` (both
      lowest), ``nonresponse_highest``, ``nonresponse_x_lowest_y_highest``,
      ``nonresponse_x_highest_y_lowest``, and their range ``nonresponse_range_low`` /
      ``nonresponse_range_high`` (min and max of the four); unweighted, and weighted
      (prefix ``weighted_``). Over all respondents; no CI (an imputed value is not an
      answer). Extreme single-value imputations, not sharp bounds: r is not monotone in
      the imputed values, and sharp bounds over every imputation have no closed form.

    Reference: Manski, C. F. (1989). Anatomy of the selection problem. *Journal of Human
    Resources* 24(3), 343-360.

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
    design_names = design_columns(frame)
    table, position = float_columns(frame, [*items, *weight, *design_names])
    is_trusting = np.isin(table, trusting_levels).astype(float)  # (weight column: unused)
    top = max(trusting_levels)  # the scale's highest level is always a trusting one
    rows = []
    for (country, wave), where in country_wave_rows(frame).items():
        values = table[where]
        codes = {c: values[:, position[c]] for c in design_names}
        design = Design(codes.get("strata"), codes.get("psu")) if codes else None
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
            for convention, est, n in _share_rows(levels, trusting, weights, design, rules):
                rows.append(
                    (country, wave, "share", institution, convention, est["pct_trust"], n,
                     est["ci_low"], est["ci_high"], est.get("note", ""))
                )  # fmt: skip
        for x, y in pairs:
            if x not in asked or y not in asked:
                continue
            for convention, est, n in _r_rows(
                values, position, f"trust_{x}", f"trust_{y}", weight_col, top, design, rules
            ):
                rows.append(
                    (country, wave, "r", f"{x}|{y}", convention, est["r"], n,
                     est["ci_low"], est["ci_high"], est.get("note", ""))
                )  # fmt: skip
    table = pd.DataFrame(rows, columns=SENSITIVITY_COLUMNS)
    table["value"] = table["value"].astype(float)
    table["n"] = table["n"].astype(np.int64)
    return table
