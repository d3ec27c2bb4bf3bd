"""Ingest one wave: release file(s) -> data/interim/<wave>.parquet + .json (abs_trust.ingest)."""

from abs_trust.crosswalk import parse_crosswalk
from abs_trust.ingest import ingest_wave, write_wave
from abs_trust.runner import run

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    # the path only names the file in messages; the entry itself comes in as a parameter
    crosswalk = parse_crosswalk(snakemake.params.crosswalk, snakemake.config["crosswalk"])
    spec = crosswalk.wave(snakemake.params.wave)
    frame, meta = ingest_wave(
        list(snakemake.input.files),
        spec,
        crosswalk,
        snakemake.params.countries,
        encoding=snakemake.params.encoding,
    )
    write_wave(frame, meta, snakemake.output.parquet, snakemake.output.meta)
    counts = ", ".join(f"{c} {v['respondents']:,}" for c, v in meta["countries"].items())
    return (
        f"read {sum(s['rows'] for s in meta['sources']):,} rows from "
        f"{len(meta['sources'])} file(s); harmonized {len(spec.items)} trust items; "
        f"respondents kept: {counts}"
    )


run(main, snakemake.log[0], f"ingest {snakemake.params.wave}")
