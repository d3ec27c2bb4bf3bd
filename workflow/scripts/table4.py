"""Table 4 (institutions x years + change) as Markdown and LaTeX."""

import json
from pathlib import Path

import pandas as pd

from abs_trust.runner import run, write_text_atomic
from abs_trust.tables import (
    TABLE4_INSTITUTIONS,
    Column,
    table4_frame,
    table4_latex,
    table4_markdown,
    table4_notes,
)

snakemake = snakemake  # noqa: F821  (injected by Snakemake)
COUNTRY_LABELS = {"china": "mainland China"}


def main() -> str:
    params = snakemake.params
    trust = pd.read_csv(snakemake.input.trust)
    metas = [json.loads(Path(p).read_text()) for p in snakemake.input.metas]
    country = params.country
    columns = []
    for meta in metas:
        facts = meta["countries"][country]
        wanted = params.weighted[meta["wave"]] and meta["weight_variable"] is not None
        varies = facts.get("weight_varies", True)
        columns.append(
            Column(
                wave=meta["wave"],
                year=facts["year"],
                weighted=wanted and varies,
                nonresponse=params.nonresponse,
                weight_variable=meta["weight_variable"],
                respondents=facts["respondents"],
                weight_note=""
                if varies or not wanted
                else f"{meta['weight_variable']} does not vary in this country",
            )
        )
    synthetic = any(m["synthetic"] for m in metas)
    label = COUNTRY_LABELS.get(country, country.replace("_", " ").title())
    table = table4_frame(trust, country, columns, TABLE4_INSTITUTIONS)
    notes = table4_notes(columns, label, synthetic)
    years = ", ".join(str(c.year) for c in columns)
    title = f"Public trust in institutions in {label}, {years} (%)"
    write_text_atomic(snakemake.output.md, table4_markdown(table, notes, title))
    write_text_atomic(snakemake.output.tex, table4_latex(table, notes, title))
    return f"{len(table)} institutions x {len(columns)} years"


run(main, snakemake.log[0], "table 4")
