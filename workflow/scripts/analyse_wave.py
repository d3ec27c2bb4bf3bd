"""Shares trusting and correlations for one wave (aggregates only)."""

from abs_trust.correlation import correlation_table
from abs_trust.crosswalk import INSTITUTIONS
from abs_trust.ingest import read_wave
from abs_trust.runner import run
from abs_trust.trust import trust_table

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
    shares.to_csv(snakemake.output.trust, index=False)
    corr.to_csv(snakemake.output.correlations, index=False)
    flagged = int((corr["note"].fillna("") != "").sum())
    return (
        f"{shares['institution'].nunique()} institutions x {shares['country'].nunique()} "
        f"countries -> {len(shares)} share rows; {len(corr)} correlations ({flagged} flagged)"
    )


run(main, snakemake.log[0], f"analyse {snakemake.wildcards.wave}")
