"""Aggregates of one wave: shares trusting, coverage, correlations, models, sensitivity."""

import pandas as pd

from abs_trust.associations import correlation_table
from abs_trust.crosswalk import INSTITUTIONS
from abs_trust.ingest import read_wave
from abs_trust.models import ols_robust, ordered_logit
from abs_trust.runner import log, run
from abs_trust.sensitivity import nonresponse_sensitivity
from abs_trust.trust import coverage_table, trust_table

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def models_table(frame, pairs, controls, years, weighted, options) -> pd.DataFrame:
    """OLS (robust SE; weighted and not) and ordered logit of y's trust on x's, per country."""
    parts = []
    for (country, wave), group in frame.groupby(["country", "wave"], sort=True):
        for x, y in pairs:
            cx, cy = f"trust_{x}", f"trust_{y}"
            if group[cx].notna().sum() == 0 or group[cy].notna().sum() == 0:
                continue
            kwargs = {"categorical": options["categorical"], "min_cell": options["min_cell"]}
            fits = [ols_robust(group, cy, cx, controls, None, **kwargs)]
            if country in weighted:
                fits.append(ols_robust(group, cy, cx, controls, "weight", **kwargs))
            fits.append(ordered_logit(group, cy, cx, controls, **kwargs))
            for fit in fits:
                parts.append(fit.assign(country=country, wave=wave, year=years.get(country)))
    if not parts:
        return pd.DataFrame()
    table = pd.concat(parts, ignore_index=True)
    first = ["country", "wave", "year"]
    return table[first + [c for c in table.columns if c not in first]]


def main() -> str:
    frame, meta = read_wave(snakemake.input.parquet, snakemake.input.meta)
    params = snakemake.params
    years = {c: v["year"] for c, v in meta["countries"].items()}
    # weighted estimates only where the weight varies within the country (W1/W2 may not)
    weighted = {c for c, v in meta["countries"].items() if v.get("weight_varies", True)}
    trusting = meta["scale"]["trusting_levels"]
    shares = trust_table(frame, INSTITUTIONS, trusting, years, weighted=weighted)
    # Which scale the shares are on: W5's six points are not comparable with four-point waves.
    shares.insert(shares.columns.get_loc("ci_method") + 1, "scale", meta["scale"]["name"])
    coverage = coverage_table(frame, INSTITUTIONS, meta["items"], years)
    corr = correlation_table(
        frame, params.pairs, params.controls, years, weighted=weighted, methods=params.methods
    )
    models = models_table(frame, params.pairs, params.controls, years, weighted, params.models)
    sensitivity = nonresponse_sensitivity(frame, INSTITUTIONS, trusting, params.pairs)
    sensitivity.insert(2, "year", sensitivity["country"].map(years))
    for table, path in [
        (shares, snakemake.output.trust),
        (coverage, snakemake.output.coverage),
        (corr, snakemake.output.correlations),
        (models, snakemake.output.models),
        (sensitivity, snakemake.output.sensitivity),
    ]:
        table.to_csv(path, index=False)
    not_asked = coverage[~coverage["asked"] & (coverage["variable"] != "")]
    for row in not_asked.itertuples():
        log.warning("%s %s: %s (%s) %s", row.country, row.wave, row.institution, row.variable,
                    row.note)  # fmt: skip
    flagged = int((corr["note"].fillna("") != "").sum())
    return (
        f"{shares['institution'].nunique()} institutions x {shares['country'].nunique()} "
        f"countries -> {len(shares)} share rows; {len(corr)} correlations ({flagged} flagged); "
        f"{len(models)} model terms; {len(not_asked)} items not asked"
    )


run(main, snakemake.log[0], f"analyse {snakemake.wildcards.wave}")
