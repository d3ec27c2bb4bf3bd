"""Stack the per-wave aggregate tables into the contract tables of results/tables/."""

import pandas as pd

from abs_trust.runner import run

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    trust = pd.concat([pd.read_csv(p) for p in snakemake.input.trust], ignore_index=True)
    corr = pd.concat([pd.read_csv(p) for p in snakemake.input.correlations], ignore_index=True)
    coverage = pd.concat([pd.read_csv(p) for p in snakemake.input.coverage], ignore_index=True)
    coverage.to_csv(snakemake.output.coverage, index=False)
    trust.to_csv(snakemake.output.trust, index=False)
    corr.to_csv(snakemake.output.correlations, index=False)
    waves = len(snakemake.input.trust)
    return f"{len(trust)} share rows and {len(corr)} correlations from {waves} waves"


run(main, snakemake.log[0], "combine tables")
