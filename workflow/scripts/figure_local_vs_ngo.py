"""Figure 1: trust in NGOs by trust in local government, one panel per wave."""

import json
from pathlib import Path

import pandas as pd

from abs_trust.figures import figure_local_vs_ngo, save_figure
from abs_trust.runner import run
from abs_trust.tableio import read_correlations

snakemake = snakemake  # noqa: F821  (injected by Snakemake)


def main() -> str:
    country = snakemake.params.country
    corr = read_correlations(snakemake.input.correlations)
    panels, synthetic, level_labels = [], False, None
    for parquet, meta_path in zip(snakemake.input.parquets, snakemake.input.metas, strict=True):
        meta = json.loads(Path(meta_path).read_text())
        wave = meta["wave"]
        frame = pd.read_parquet(parquet, columns=["country", "weight", "trust_local_government",
                                                  "trust_ngos"])  # fmt: skip
        frame = frame[frame["country"] == country]
        weighted = (
            bool(snakemake.params.weighted[wave])
            and meta["weight_variable"] is not None
            and meta["countries"].get(country, {}).get("weight_varies", True)
        )
        row = corr[
            (corr["country"] == country)
            & (corr["wave"] == wave)
            & (corr["x"] == "local_government")
            & (corr["y"] == "ngos")
            & (corr["controls"] == "")
            & (corr["weighted"] == weighted)
        ]
        if row.empty:  # an item not asked in this wave: no panel rather than an empty one
            continue
        year = meta["countries"][country]["year"]
        panels.append(
            {
                "title": f"{year} (ABS {wave})",
                "frame": frame,
                "weight": "weight" if weighted else None,
                "r": float(row["r"].iloc[0]),
                "n": int(row["n"].iloc[0]),
                "note": "weighted" if weighted else "unweighted",
            }
        )
        synthetic = synthetic or meta["synthetic"]
        level_labels = level_labels or meta["scale"]["level_labels"]
    fig = figure_local_vs_ngo(panels, level_labels, synthetic)
    save_figure(fig, [snakemake.output.png, snakemake.output.svg, snakemake.output.pdf])
    return f"{len(panels)} panels" + (" (synthetic fixture)" if synthetic else "")


run(main, snakemake.log[0], "figure local government vs NGOs")
