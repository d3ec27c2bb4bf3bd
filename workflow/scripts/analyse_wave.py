"""Shares trusting and correlations for one wave (aggregates only)."""

from abs_trust.correlation import correlation_table
from abs_trust.crosswalk import INSTITUTIONS
from abs_trust.ingest import read_wave
from abs_trust.runner import log, run
from abs_trust.trust import coverage_table, trust_table

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    frame, meta = read_wave(snakemake.input.parquet, snakemake.input.meta)
    years = {c: v["year"] for c, v in meta["countries"].items()}
    weighted = meta["weight_variable"] is not None
    shares = trust_table(
        frame, INSTITUTIONS, meta["scale"]["trusting_levels"], years, weighted=weighted
    )
    corr = correlation_table(frame, snakemake.params.pairs, snakemake.params.controls, years,
                             weighted=weighted)  # fmt: skip
    coverage = coverage_table(frame, INSTITUTIONS, meta["items"], years)
    coverage.to_csv(snakemake.output.coverage, index=False)
    shares.to_csv(snakemake.output.trust, index=False)
    corr.to_csv(snakemake.output.correlations, index=False)
    flagged = int((corr["note"].fillna("") != "").sum())
    not_asked = coverage[~coverage["asked"] & (coverage["variable"] != "")]
    for row in not_asked.itertuples():
        log.warning("%s %s: %s (%s) %s", row.country, row.wave, row.institution, row.variable,
                    row.note)  # fmt: skip
    return (
        f"{shares['institution'].nunique()} institutions x {shares['country'].nunique()} "
        f"countries -> {len(shares)} share rows; {len(corr)} correlations ({flagged} flagged)"
    )


run(main, snakemake.log[0], f"analyse {snakemake.wildcards.wave}")
