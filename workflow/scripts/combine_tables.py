"""Stack the per-wave aggregate tables into the contract tables of results/tables/."""

import pandas as pd

from abs_trust.runner import run

snakemake = snakemake  # noqa: F821  (injected by Snakemake)
TABLES = ("trust", "correlations", "coverage", "models", "sensitivity")


def stack(paths) -> pd.DataFrame:
    parts = []
    for path in paths:
        try:
            parts.append(pd.read_csv(path))
        except pd.errors.EmptyDataError:  # a wave with nothing to model writes an empty file
            continue
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def main() -> str:
    sizes = {}
    for name in TABLES:
        table = stack(snakemake.input[name])
        table.to_csv(snakemake.output[name], index=False)
        sizes[name] = len(table)
    waves = len(snakemake.input.trust)
    return f"{waves} waves -> " + ", ".join(f"{k} {v} rows" for k, v in sizes.items())


run(main, snakemake.log[0], "combine tables")
