"""Every aggregate of one harmonized wave: shares, coverage, correlations, models, sensitivity.

One function so the workflow's per-wave job can go straight from the harmonized frame to
the tables without writing and re-reading it, and so tests can call exactly what the job runs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence

import pandas as pd

from abs_trust.harmonize.crosswalk import INSTITUTIONS
from abs_trust.stats.correlation_table import correlation_table
from abs_trust.stats.design import design_columns
from abs_trust.stats.models import ols_robust, ordered_logit
from abs_trust.stats.proportion_ci import DEFAULT_CI_METHOD
from abs_trust.stats.sensitivity import nonresponse_sensitivity
from abs_trust.stats.shares import coverage_table, trust_table
from abs_trust.stats.weights import EstimateRules


def models_table(
    frame: pd.DataFrame,
    pairs: Sequence[Sequence[str]],
    controls: Sequence[str],
    years: Mapping[str, int | None],
    weighted: Collection[str],
    options: Mapping,
    rules: EstimateRules | None = None,
) -> pd.DataFrame:
    """OLS (robust SE) and ordered logit (weighted and not) of y's trust on x's, per country.

    A pair is skipped in a country where either item was not asked (no substantive answer).
    """
    parts = []
    kwargs = {"categorical": options["categorical"], "min_cell": options["min_cell"]}
    kwargs["rules"] = rules
    # the weighted ordered logit's SE uses the design columns the frame carries
    design = {c: c for c in design_columns(frame)}
    for (country, wave), group in frame.groupby(["country", "wave"], sort=True):
        for x, y in pairs:
            cx, cy = f"trust_{x}", f"trust_{y}"
            if group[cx].notna().sum() == 0 or group[cy].notna().sum() == 0:
                continue
            fits = [ols_robust(group, cy, cx, controls, None, **kwargs)]
            if country in weighted:
                fits.append(ols_robust(group, cy, cx, controls, "weight", **kwargs, **design))
            fits.append(ordered_logit(group, cy, cx, controls, **kwargs))
            if country in weighted:
                fits.append(ordered_logit(group, cy, cx, controls, **kwargs, weight="weight",
                                          **design))  # fmt: skip
            for fit in fits:
                parts.append(fit.assign(country=country, wave=wave, year=years.get(country)))
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    first = ["country", "wave", "year"]
    return table[first + [c for c in table.columns if c not in first]]


def analyse_wave(
    frame: pd.DataFrame,
    meta: Mapping,
    pairs: Sequence[Sequence[str]],
    controls: Sequence[str],
    methods: Sequence[str],
    models: Mapping,
    rules: EstimateRules | None = None,
    ci_method: str = DEFAULT_CI_METHOD,
) -> dict[str, pd.DataFrame]:
    """The tables of ``results/tables/waves/<wave>/``, keyed as
    ``abs_trust.outputs.wave_tables.WAVE_TABLES``.

    ``meta`` is the wave's sidecar (`abs_trust.harmonize.ingest.wave_metadata`): modal
    year, whether the weight varies, and the scale's trusting levels, per country.
    ``rules`` (`abs_trust.stats.weights.EstimateRules`): small cells suppressed and weighted
    estimates on unusable weights refused, in every table; None shows everything.
    ``ci_method`` is the weighted shares' interval (`abs_trust.stats.proportion_ci`).
    """
    years = {c: v["year"] for c, v in meta["countries"].items()}
    # weighted estimates only where the weight varies within the country (W1/W2 may not)
    weighted = {c for c, v in meta["countries"].items() if v.get("weight_varies", True)}
    trusting = meta["scale"]["trusting_levels"]
    shares = trust_table(
        frame, INSTITUTIONS, trusting, years, weighted=weighted, rules=rules, ci_method=ci_method
    )
    # Which scale the shares are on: W5's six points are not comparable with four-point waves.
    shares.insert(shares.columns.get_loc("ci_method") + 1, "scale", meta["scale"]["name"])
    sensitivity = nonresponse_sensitivity(frame, INSTITUTIONS, trusting, pairs, rules=rules)
    sensitivity.insert(2, "year", sensitivity["country"].map(years))
    return {
        "trust": shares,
        "coverage": coverage_table(frame, INSTITUTIONS, meta["items"], years, rules),
        "correlations": correlation_table(
            frame, pairs, controls, years, weighted=weighted, methods=methods, rules=rules
        ),
        "models": models_table(frame, pairs, controls, years, weighted, models, rules),
        "sensitivity": sensitivity,
    }
