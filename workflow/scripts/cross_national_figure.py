"""Cross-national small multiples: the local-government/NGO correlation by country and wave."""

import gc

# Before any other import: a job is a short-lived process, and the garbage collector's
# full passes over the growing heap were a fifth of its import time (docs/performance.md).
gc.disable()

# A local run forks the job from its preloaded interpreter, which has imported everything
# below already; this returns in that child, or when there is none (abs_trust.preload).
from abs_trust.preload import delegate

delegate(snakemake, __file__)  # noqa: F821  (snakemake: injected by Snakemake)

import json
from pathlib import Path

import pandas as pd

from abs_trust.figure_data import correlation_rows
from abs_trust.figures import figure_correlation_by_country, save_figure
from abs_trust.runner import run
from abs_trust.tableio import read_correlations

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    corr = pd.concat(
        [read_correlations(p) for p in snakemake.input.correlations], ignore_index=True
    )
    synthetic = any(json.loads(Path(p).read_text())["synthetic"] for p in snakemake.input.metas)
    rows = correlation_rows(corr, snakemake.params.pair, snakemake.params.weights_on)
    fig = figure_correlation_by_country(rows, synthetic)
    save_figure(fig, [snakemake.output.png, snakemake.output.svg, snakemake.output.pdf])
    return f"{rows['country'].nunique()} countries x {rows['wave'].nunique()} waves"


run(main, snakemake.log[0], "cross-national figure")
