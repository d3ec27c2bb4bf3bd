"""The `tables` job: every wave's tables -> the run's tables, Table 4, cross-national tables,
the reproduction report, the HTML views of every table the report shows, and the report
summary. Aggregates in, aggregates out."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from abs_trust.outputs.comparability_notes import (
    add_note_column,
    append_rows,
    footnote_lines,
    scale_footnote_lines,
    with_footnotes,
)
from abs_trust.outputs.country_tables import country_texts
from abs_trust.outputs.html_tables import csv_page
from abs_trust.outputs.report import summary_rst
from abs_trust.outputs.reproduction import checks_json
from abs_trust.outputs.reproduction_page import reproduction_texts
from abs_trust.outputs.table4 import table4_texts
from abs_trust.outputs.wave_tables import WAVE_TABLES, read_correlations, stack
from abs_trust.runner import write_text_atomic

#: the HTML view of each contract CSV: output key -> (title, what a row is)
CSV_VIEWS = {
    "trust": (
        "Share trusting per country, wave and institution",
        "One row per country x wave x institution x weighting x denominator: pct_trust (%) "
        "with its 95 % interval, n_valid substantive answers, n_nonresponse.",
    ),
    "correlations": (
        "Correlations between trust items",
        "One row per country x wave x pair x method x controls x weighting: r, p, n and the "
        "95 % interval.",
    ),
    "coverage": (
        "Which trust items were asked, per country and wave",
        "One row per country x wave x institution: asked, substantive answers, nonresponse.",
    ),
    "models": (
        "Regression robustness of the local-government/NGO link",
        "One row per model term: OLS (HC1) and ordered logit estimates with n.",
    ),
    "sensitivity": (
        "Nonresponse sensitivity of the shares and correlations",
        "Each estimate under each denominator and weighting.",
    ),
}


def tables_job(input, output, params) -> str:
    """Stack the waves' tables and write every table built from them; return the summary."""
    inp, out = input, output
    levels = pd.read_csv(inp.comparability, dtype=str, keep_default_na=False)
    for name in WAVE_TABLES:
        table = stack(inp[name])
        if name in ("trust", "correlations"):  # what measurement invariance licenses
            quantity = "shares" if name == "trust" else "correlations"
            table = add_note_column(table, levels, quantity)
        if name == "sensitivity":  # the six-point wave under each mapping: rows added
            table = append_rows(table, inp.scale_sensitivity)
        table.to_csv(out[name], index=False)
    # read back as the contract promises (e.g. an empty `controls` cell is "", not NaN)
    trust = pd.read_csv(out.trust)
    corr = read_correlations(out.correlations)
    metas = {m["wave"]: m for m in (json.loads(Path(p).read_text()) for p in inp.metas)}
    synthetic = any(m["synthetic"] for m in metas.values())

    table4 = [metas[w] for w in params.table4_waves]
    md, tex, html, table4_summary = table4_texts(
        trust, table4, params.table4_country, params.table4_weighted, params.nonresponse
    )
    write_text_atomic(out.table4_md, md)
    write_text_atomic(out.table4_tex, tex)
    write_text_atomic(out.table4_html, html)

    country = country_texts(
        trust, pd.read_csv(out.coverage), list(metas.values()), params.weighted,
        params.nonresponse,
    )  # fmt: skip
    notes = footnote_lines(levels) + scale_footnote_lines(inp.scale_changes)
    write_text_atomic(out.country_md, with_footnotes(country.markdown, notes))
    write_text_atomic(out.country_tex, country.latex)
    write_text_atomic(out.coverage_md, country.coverage_markdown)
    write_text_atomic(out.country_html, country.html)
    write_text_atomic(out.coverage_wide_html, country.coverage_html)

    for name, (title, lead) in CSV_VIEWS.items():
        path = Path(out[name])
        page = csv_page(title, path.read_text(encoding="utf-8"), [lead], path.name, synthetic)
        write_text_atomic(out[f"{name}_html"], page)

    published = inp.get("published") or None
    reproduction = reproduction_texts(published, trust, corr, list(metas.values()))
    write_text_atomic(out.reproduction_json, checks_json(reproduction.checks))
    write_text_atomic(out.reproduction_md, reproduction.markdown)
    write_text_atomic(out.reproduction_html, reproduction.html)

    rst = summary_rst(
        list(metas.values()), reproduction.verdict, reproduction.published, params.settings
    )
    write_text_atomic(out.summary, rst)
    return (
        f"{len(metas)} waves -> {len(trust)} share rows, {len(corr)} correlations; "
        f"{table4_summary}; {country.summary}; reproduction: {reproduction.verdict}"
    )
