"""Cross-national small multiples: local-government/NGO correlation by country and wave."""

import json
from pathlib import Path

from abs_trust.figures import figure_correlation_by_country, save_figure
from abs_trust.runner import run
from abs_trust.tableio import read_correlations

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    corr = read_correlations(snakemake.input.correlations)
    x, y = snakemake.params.pair
    rows = corr[
        (corr["x"] == x)
        & (corr["y"] == y)
        & (corr["method"] == "pearson")
        & (corr["controls"] == "")
        & (corr["weighted"] == snakemake.params.weighted)
    ]
    if rows.empty:  # a wave without weights has unweighted rows only
        rows = corr[
            (corr["x"] == x) & (corr["y"] == y) & (corr["method"] == "pearson")
            & (corr["controls"] == "") & ~corr["weighted"]
        ]  # fmt: skip
    synthetic = any(json.loads(Path(p).read_text())["synthetic"] for p in snakemake.input.metas)
    fig = figure_correlation_by_country(rows, synthetic)
    save_figure(fig, list(snakemake.output))
    return f"{rows['country'].nunique()} countries x {rows['wave'].nunique()} waves"


run(main, snakemake.log[0], "figure correlations by country")
