"""The `comparability` job: harmonization provenance (stacked) and measurement invariance.

Reads the harmonized respondents of every wave (data/interim/), writes aggregates only: the
provenance (counts per source code), the fit of each invariance model, and per country-wave
the level each comparison supports with the note the cross-national tables carry.
"""

from __future__ import annotations

import json
import time
from pathlib import Path

import pandas as pd

from abs_trust.harmonize.crosswalk import INSTITUTIONS
from abs_trust.outputs.comparability_notes import comparability_levels
from abs_trust.outputs.html_tables import csv_page
from abs_trust.outputs.wave_tables import stack
from abs_trust.runner import write_text_atomic


def wave_key(wave: str) -> tuple:
    """W1 < W2 < ... < W10 (by number), other ids after them by name."""
    digits = "".join(ch for ch in wave if ch.isdigit())
    return (0, int(digits), wave) if digits else (1, 0, wave)


def default_items(coverage: pd.DataFrame) -> list[str]:
    """The institutions asked (a substantive answer) in every country-wave, in battery order."""
    asked = coverage.groupby("institution")["asked"].agg(["all", "size"])
    cells = coverage[["country", "wave"]].drop_duplicates().shape[0]
    keep = asked[asked["all"] & (asked["size"] == cells)].index
    return [i for i in INSTITUTIONS if i in keep]


# The tables the report shows in the page (abs_trust.outputs.html_tables): title and lead.
VIEWS = {
    "harmonization": (
        "Harmonization provenance: what each source code became",
        "One row per file x country x variable x source code, with its label, what it became "
        "and how many respondents had it.",
    ),
    "invariance": (
        "Measurement invariance of the trust battery",
        "One-factor multi-group CFA (ML, items as continuous): configural, metric, scalar.",
    ),
    "scale_changes": (
        "Cross-wave changes that depend on the six-point scale mapping",
        "Each share change next to a six-point wave, under each defensible mapping.",
    ),
}


def comparability_job(input, output, params) -> str:
    """Stack the provenance, fit the invariance models; return the log's summary line."""
    from abs_trust.stats.invariance import invariance_table

    provenance = stack(input.harmonization)
    if "scale_points" in provenance:  # empty for demographics: kept an integer column
        provenance["scale_points"] = provenance["scale_points"].astype("Int64")
    provenance.to_csv(output.harmonization, index=False)
    options = dict(params.invariance)
    coverage = stack(input.coverage)
    items = options.get("items") or default_items(coverage)
    metas = [json.loads(Path(p).read_text()) for p in input.metas]
    # in time order (the config may list waves in any order): "adjacent" and the groups'
    # order in the tables follow the wave number
    order = sorted(range(len(metas)), key=lambda i: wave_key(metas[i]["wave"]))
    metas = [metas[i] for i in order]
    parquets = [input.parquets[i] for i in order]
    points = {m["wave"]: m["scale"]["points"] for m in metas}
    trust_columns = [f"trust_{i}" for i in INSTITUTIONS]
    frames = {}
    for meta, path in zip(metas, parquets, strict=True):
        frame = pd.read_parquet(path, columns=["country", *trust_columns])
        frames[meta["wave"]] = frame.astype({c: "float64" for c in trust_columns})
    start = time.perf_counter()
    table = invariance_table(
        frames, points, items, options.get("cutoffs"), int(options.get("min_n", 50))
    )
    seconds = time.perf_counter() - start
    scale_summary = _scale_sensitivity(frames, metas, points, input, output, params)
    table.to_csv(output.invariance, index=False)
    index = coverage[["country", "wave"]].drop_duplicates()
    comparability_levels(table, index).to_csv(output.levels, index=False)
    synthetic = any(m["synthetic"] for m in metas)
    for name, (title, lead) in VIEWS.items():
        csv = Path(output[name])
        page = csv_page(title, csv.read_text(encoding="utf-8"), [lead], csv.name, synthetic)
        write_text_atomic(output[f"{name}_html"], page)
    fitted = int(table["level"].ne("").sum())
    return (
        f"{len(items)} items ({', '.join(items)}); {fitted} invariance models over "
        f"{table[['comparison', 'wave', 'country']].drop_duplicates().shape[0]} comparisons "
        f"fitted in {seconds:.2f} s; {scale_summary}"
    )


def _scale_sensitivity(frames, metas, points, input, output, params) -> str:
    """Shares and r of six-point waves under each mapping, and the changes they move."""
    from abs_trust.stats.scale_sensitivity import (
        mapping_dependent_changes,
        scale_mapping_sensitivity,
    )

    order = [m["wave"] for m in metas]
    rows = scale_mapping_sensitivity(frames, points, order, INSTITUTIONS, params.pairs)
    years = {(m["wave"], c): v["year"] for m in metas for c, v in m["countries"].items()}
    keys = zip(rows["country"], rows["wave"], strict=True)
    rows.insert(2, "year", [years.get((w, c)) for c, w in keys])
    rows = rows.astype({"year": "Int64"})
    rows.to_csv(output.scale_sensitivity, index=False)
    shares = stack(input.trust)
    changes = mapping_dependent_changes(rows, shares, points, order)
    changes.to_csv(output.scale_changes, index=False)
    flagged = changes.loc[changes["depends_on_mapping"], ["country", "institution"]]
    return (
        f"{len(rows)} scale-mapping rows; {len(flagged.drop_duplicates())} cross-wave share "
        "changes whose sign or significance depends on the six-point mapping"
    )
