"""The `tables` job: every wave's tables -> the run's tables, Table 4, cross-national tables,
the weights' quality, the reproduction report, the provenance record, the HTML views of every
table the report shows, and the report summary. Aggregates in, aggregates out."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd

from abs_trust.config import plan_with_data
from abs_trust.errors import DataError
from abs_trust.outputs import escape
from abs_trust.outputs.comparability_notes import (
    add_note_column,
    append_rows,
    footnote_lines,
    scale_footnote_lines,
)
from abs_trust.outputs.country_tables import country_texts
from abs_trust.outputs.html_tables import csv_page, html_page
from abs_trust.outputs.markdown_latex import tex_escape
from abs_trust.outputs.report import summary_rst
from abs_trust.outputs.reproduction import checks_json
from abs_trust.outputs.reproduction_page import reproduction_texts
from abs_trust.outputs.table4 import headline_weighted, table4_texts
from abs_trust.outputs.verdict import NOT_APPLICABLE
from abs_trust.outputs.wave_tables import WAVE_TABLES, read_correlations, stack
from abs_trust.outputs.weights_table import weights_markdown
from abs_trust.runner import write_text_atomic
from abs_trust.stats.changes import CHANGE_COLUMNS, changes_table

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
        "Each estimate under each denominator and weighting, and its nonresponse bounds.",
    ),
    "weights": (
        "Survey weights: quality per country and wave",
        "One row per country x wave: missing, zero, constant, mean, max/median, the largest "
        "weight's share, Kish design effect and effective n, usable or not and why.",
    ),
    "changes": (
        "Changes in the share trusting between Table 4's waves",
        "One row per institution x convention: the change (points) with its 95 % CI and p.",
    ),
}

SYNTHETIC_ROW = "synthetic fixture (not ABS data)"


def tables_job(input, output, params) -> str:
    """Stack the waves' tables and write every table built from them; return the summary."""
    inp, out = input, output
    levels = pd.read_csv(inp.comparability, dtype=str, keep_default_na=False)
    metas = {m["wave"]: m for m in (json.loads(Path(p).read_text()) for p in inp.metas)}
    check_countries_found(metas, params.countries)
    synthetic_waves = check_synthetic_mix(metas, params.include_fixture)
    synthetic = bool(synthetic_waves)
    mixed = synthetic and len(synthetic_waves) < len(metas)
    for name in WAVE_TABLES:
        table = stack(inp[name])
        if mixed and "note" in table and "wave" in table:
            table = label_synthetic_rows(table, synthetic_waves)
        if name in ("trust", "correlations"):  # what measurement invariance licenses
            quantity = "shares" if name == "trust" else "correlations"
            table = add_note_column(table, levels, quantity)
        if name == "sensitivity":  # the six-point wave under each mapping: rows added
            table = append_rows(table, inp.scale_sensitivity)
        table.to_csv(out[name], index=False)
    # read back as the contract promises (e.g. an empty `controls` cell is "", not NaN)
    trust = pd.read_csv(out.trust)
    corr = read_correlations(out.correlations)
    min_cell = params.rules["min_cell_size"]
    data_notes = [sources_note(metas.values())]
    if mixed:
        data_notes.insert(0, synthetic_note(synthetic_waves))

    plan = plan_with_data(params.table4, metas, "table4")
    if plan["applicable"]:
        md, tex, html, table4_summary = table4_texts(
            trust, [metas[w] for w in plan["waves"]], plan["country"],
            params.table4_weighted, params.nonresponse,
            [*data_notes[:-1], sources_note(metas[w] for w in plan["waves"])], min_cell,
        )  # fmt: skip
    else:
        md, tex, html = not_applicable_texts("Table 4 (Farid & Song 2020)", plan["reason"])
        table4_summary = f"Table 4 {NOT_APPLICABLE}: {plan['reason']}"
    write_text_atomic(out.table4_md, md)
    write_text_atomic(out.table4_tex, tex)
    write_text_atomic(out.table4_html, html)
    # the change between Table 4's first and last waves, with CI and p, every institution
    # (no rows when Table 4 does not apply to this run's data)
    changes = pd.DataFrame(columns=CHANGE_COLUMNS)
    if plan["applicable"]:
        country = plan["country"]
        headline = {w: headline_weighted(metas[w], country, params.table4_weighted[w])
                    for w in plan["waves"]}  # fmt: skip
        changes = changes_table(trust, country, plan["waves"], headline, params.nonresponse)
    changes.to_csv(out.changes, index=False)

    # what invariance and the W5 mapping do not license: in every format of the shares table
    footnotes = footnote_lines(levels) + scale_footnote_lines(inp.scale_changes)
    country = country_texts(
        trust, pd.read_csv(out.coverage), list(metas.values()), params.weighted,
        params.nonresponse, data_notes, min_cell, footnotes,
    )  # fmt: skip
    write_text_atomic(out.country_md, country.markdown)
    write_text_atomic(out.country_tex, country.latex)
    write_text_atomic(out.coverage_md, country.coverage_markdown)
    write_text_atomic(out.country_html, country.html)
    write_text_atomic(out.coverage_wide_html, country.coverage_html)
    write_text_atomic(out.weights_md, weights_markdown(pd.read_csv(out.weights), data_notes))

    for name, (title, lead) in CSV_VIEWS.items():
        path = Path(out[name])
        page = csv_page(title, path.read_text(encoding="utf-8"), [lead], path.name, synthetic)
        write_text_atomic(out[f"{name}_html"], page)

    published = params.published or None
    reproduction = reproduction_texts(published, trust, corr, list(metas.values()))
    write_text_atomic(out.reproduction_json, checks_json(reproduction.checks))
    write_text_atomic(out.reproduction_md, reproduction.markdown)
    write_text_atomic(out.reproduction_html, reproduction.html)
    write_text_atomic(out.provenance, provenance_json(metas, synthetic_waves, mixed, params.rules))

    rst = summary_rst(
        list(metas.values()), reproduction.verdict, reproduction.published, params.settings
    )
    write_text_atomic(out.summary, rst)
    return (
        f"{len(metas)} waves -> {len(trust)} share rows, {len(corr)} correlations; "
        f"{table4_summary}; {country.summary}; reproduction: {reproduction.verdict}"
    )


def check_countries_found(metas: Mapping[str, Mapping], countries) -> None:
    """A configured country that no configured wave has is an error (one wave lacking it is
    not: ABS waves differ in coverage, and that wave's coverage table says so)."""
    if countries == "all":
        return
    found = {c for meta in metas.values() for c in meta["countries"]}
    missing = [c for c in countries if c not in found]
    if missing:
        files = "; ".join(
            f"{wave}: {', '.join(s['path'] for s in meta['sources'])}"
            for wave, meta in metas.items()
        )
        raise DataError(
            f"countries {missing} have no respondents in any configured wave ({files}); "
            "remove them from `countries:` or add a wave whose file covers them"
        )


def check_synthetic_mix(metas: Mapping[str, Mapping], include_fixture: bool) -> list[str]:
    """The waves whose files say they are synthetic (file label); refuse them beside real
    waves unless ``include_fixture`` (a copy of the fixture under another name is caught
    here, after the path check made when the workflow was parsed)."""
    synthetic = [wave for wave, meta in metas.items() if meta["synthetic"]]
    if synthetic and len(synthetic) < len(metas) and not include_fixture:
        listing = "; ".join(
            f"{wave}: {', '.join(s['path'] for s in metas[wave]['sources'])}" for wave in synthetic
        )
        raise DataError(
            f"the files of {listing} are labelled SYNTHETIC (generated data, not ABS data) but "
            f"sit beside other waves ({', '.join(w for w in metas if w not in synthetic)}); "
            "remove them, or set `include_fixture: true` to mix synthetic waves in on purpose"
        )
    return synthetic


def label_synthetic_rows(table: pd.DataFrame, synthetic: Sequence[str]) -> pd.DataFrame:
    """Prefix the ``note`` of every row of a synthetic wave (a run mixing them in on purpose)."""
    note = table["note"].astype("string").fillna("")
    labelled = (SYNTHETIC_ROW + "; " + note).str.rstrip("; ")
    return table.assign(note=note.where(~table["wave"].isin(synthetic), labelled))


def synthetic_note(synthetic: Sequence[str]) -> str:
    return (
        f"SYNTHETIC FIXTURE in this run: {', '.join(synthetic)} (generated to match published "
        "aggregates; not ABS data), included on purpose (include_fixture: true); the other "
        "waves are from the configured files."
    )


def sources_note(metas) -> str:
    """The files every number of a table came from, with the start of their checksums."""
    parts = [
        f"{meta['wave']} {source['path']} (sha256 {source['sha256'][:12]}…)"
        for meta in metas
        for source in meta["sources"]
    ]
    return f"Data: {'; '.join(parts)}; full checksums in results/provenance.json."


def provenance_json(metas: Mapping[str, Mapping], synthetic, mixed: bool, rules) -> str:
    """results/provenance.json: the files (sha256) every result of this run came from."""
    record = {
        "note": (
            "Every table and figure in results/ was computed from exactly these files, in "
            "this run (results/run-config.yaml has its config)."
        ),
        "waves": {
            wave: {
                "synthetic": bool(meta["synthetic"]),
                "sources": [
                    {k: s[k] for k in ("path", "sha256", "rows", "file_label")}
                    for s in meta["sources"]
                ],
                "countries": sorted(meta["countries"]),
                "countries_absent": meta.get("countries_absent", []),
            }
            for wave, meta in metas.items()
        },
        "synthetic_waves": list(synthetic),
        "mixes_synthetic_and_other_data": mixed,
        "estimate_rules": dict(rules),
    }
    return json.dumps(record, indent=2) + "\n"


def not_applicable_texts(what: str, reason: str) -> tuple[str, str, str]:
    """Markdown, LaTeX and HTML saying that a table is not applicable to this run, and why,
    in the verdict's words ("NOT APPLICABLE: <reason>"); ``reason`` names config values and
    is escaped for each format."""
    line = f"{NOT_APPLICABLE}: {reason}"
    text = (
        f"{what} compares mainland China in ABS W3 (2011) and W4 (2015); this run has no such "
        "table, because "
    )
    after = (
        ". A run on those waves produces it; table4: in the config draws another country or "
        "other waves."
    )
    md = (
        f"**{escape.markdown(what)}: {NOT_APPLICABLE}**\n\n"
        f"{escape.markdown(text + reason + after)}\n"
    )
    tex = "\n".join(
        [
            r"\begin{table}[htbp]",
            r"\centering",
            rf"\caption{{{tex_escape(what)}: {NOT_APPLICABLE}}}",
            r"\label{tab:institution-trust}",
            tex_escape(text + reason + after),
            r"\end{table}",
            "",
        ]
    )
    html = html_page(
        f"{what}: {NOT_APPLICABLE}", [], lead=[text + reason + after], verdict=line,
        downloads=[("table4.md", "text/markdown", md), ("table4.tex", "text/x-tex", tex)],
    )  # fmt: skip
    return md, tex, html
