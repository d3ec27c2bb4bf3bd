"""The optional `bootstrap` job: harmonized waves -> results/tables/bootstrap.csv."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from abs_trust.harmonize.crosswalk import INSTITUTIONS
from abs_trust.outputs.html_tables import csv_page
from abs_trust.runner import write_text_atomic
from abs_trust.stats.bootstrap import bootstrap_table

DEFAULT_METHODS = ("pearson", "spearman")


def bootstrap_job(input, output, params) -> str:
    """Bootstrap every wave's shares and correlations; return the summary line."""
    settings = params.bootstrap
    reps, seed = int(settings["replicates"]), int(settings["seed"])
    methods = settings.get("methods", DEFAULT_METHODS)
    parts, synthetic = [], False
    for parquet, sidecar in zip(input.parquets, input.metas, strict=True):
        # as abs_trust.harmonize.ingest.read_wave, without importing the release readers
        frame = pd.read_parquet(parquet)
        meta = json.loads(Path(sidecar).read_text(encoding="utf-8"))
        countries = meta["countries"]
        synthetic = synthetic or meta["synthetic"]
        parts.append(
            bootstrap_table(
                frame,
                INSTITUTIONS,
                meta["scale"]["trusting_levels"],
                params.pairs,
                params.controls,
                methods,
                years={c: v["year"] for c, v in countries.items()},
                weighted={c for c, v in countries.items() if v.get("weight_varies", True)},
                reps=reps,
                seed=seed,
            )
        )
    table = pd.concat(parts, ignore_index=True)
    table.to_csv(output.table, index=False)
    # the report's view of it, as of every other table
    csv = Path(output.table)
    lead = (
        f"Percentile bootstrap: {reps:,} replicates (seed {seed}); respondents resampled with "
        "their weights, or PSUs within strata (Rao-Wu) where the release names a design. One "
        "row per estimate: the estimate, its bootstrap SE and 95 % percentile interval."
    )
    page = csv_page("Bootstrap intervals of the shares and correlations",
                    csv.read_text(encoding="utf-8"), [lead], csv.name, synthetic)  # fmt: skip
    write_text_atomic(output.html, page)
    return f"{len(table)} bootstrap intervals, {reps} replicates each, seed {seed}"
