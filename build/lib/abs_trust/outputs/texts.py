"""The run's outputs built from every wave's tables: the contract tables, Table 4, the
cross-national tables, the reproduction report and the report's landing-page summary.

Only aggregates come in (the per-wave CSVs and the waves' metadata sidecars), so this module
imports neither scipy nor the readers, and the job running it starts quickly.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence

import pandas as pd

from abs_trust.config import read_yaml, validate
from abs_trust.outputs.reproduction import (
    convention_scan,
    evaluate,
    failures,
    scan_markdown,
    to_markdown,
)
from abs_trust.outputs.table_text import (
    TABLE4_INSTITUTIONS,
    Column,
    coverage_wide,
    headline_weighted,
    table4_frame,
    table4_latex,
    table4_markdown,
    table4_notes,
    trust_by_country,
    wide_latex,
    wide_markdown,
)

COUNTRY_LABELS = {"china": "mainland China"}
DENOMINATOR = {"exclude": "excluded", "as_not_trusting": "counted as not trusting"}
SYNTHETIC_NOTE = "SYNTHETIC FIXTURE: generated to match published aggregates; not ABS data."


def stack(paths: Sequence[str]) -> pd.DataFrame:
    """The per-wave CSVs of one table, one under the other (a wave with no rows is skipped)."""
    parts = []
    for path in paths:
        try:
            parts.append(pd.read_csv(path))
        except pd.errors.EmptyDataError:  # a wave with nothing to model writes an empty file
            continue
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def table4_texts(
    trust: pd.DataFrame,
    metas: Sequence[Mapping],
    country: str,
    weighted: Mapping[str, bool],
    nonresponse: str,
) -> tuple[str, str, str]:
    """Table 4 as Markdown and LaTeX (one column per wave in ``metas``), and a summary line."""
    columns = []
    for meta in metas:
        facts = meta["countries"][country]
        wanted = weighted[meta["wave"]] and meta["weight_variable"] is not None
        columns.append(
            Column(
                wave=meta["wave"],
                year=facts["year"],
                weighted=headline_weighted(meta, country, weighted[meta["wave"]]),
                nonresponse=nonresponse,
                weight_variable=meta["weight_variable"],
                respondents=facts["respondents"],
                weight_note=_unweighted_because(meta["weight_variable"], facts) if wanted else "",
            )
        )
    synthetic = any(m["synthetic"] for m in metas)
    label = COUNTRY_LABELS.get(country, country.replace("_", " ").title())
    table = table4_frame(trust, country, columns, TABLE4_INSTITUTIONS)
    notes = table4_notes(columns, label, synthetic)
    years = ", ".join(str(c.year) for c in columns)
    title = f"Public trust in institutions in {label}, {years} (%)"
    return (
        table4_markdown(table, notes, title),
        table4_latex(table, notes, title),
        f"Table 4: {len(table)} institutions x {len(columns)} years",
    )


def _unweighted_because(variable: str, facts: Mapping) -> str:
    """Why a country's estimates are unweighted although weights were asked for ("" if not)."""
    if facts.get("weight_varies", True):
        return ""
    if facts.get("weight_missing"):
        return f"{variable} is missing for this country in the release"
    return f"{variable} does not vary in this country"


def _weighting_note(meta: Mapping, wanted: bool) -> str:
    if wanted and meta["weight_variable"]:
        countries = meta["countries"]
        missing = [c for c, v in countries.items() if v.get("weight_missing")]
        constant = [
            c for c, v in countries.items() if not v.get("weight_varies") and c not in missing
        ]
        text = f"{meta['wave']} weighted by {meta['weight_variable']}"
        if constant:
            text += f" (constant, so unweighted, in {', '.join(constant)})"
        if missing:
            text += f" (missing in the release, so unweighted, in {', '.join(missing)})"
        return text
    return f"{meta['wave']} unweighted"


def country_texts(
    trust: pd.DataFrame,
    coverage: pd.DataFrame,
    metas: Sequence[Mapping],
    weighted: Mapping[str, bool],
    nonresponse: str,
) -> tuple[str, str, str, str]:
    """Shares by country x wave (Markdown, LaTeX), the coverage table (Markdown), a summary."""
    notes = [
        "Share trusting (the scale's trusting categories), %, by country and wave; "
        f"{'; '.join(_weighting_note(m, weighted[m['wave']]) for m in metas)}; nonresponse "
        f"{DENOMINATOR[nonresponse]}.",
        "— = not asked in that country-wave (see the coverage table).",
    ]
    notes += [
        f"{m['wave']}: {m['scale']['comparable']}" for m in metas if m["scale"].get("comparable")
    ]
    if any(m["synthetic"] for m in metas):
        notes.append(SYNTHETIC_NOTE)
    wide = trust_by_country(trust, dict(weighted), nonresponse)
    title = "Trust in institutions by country and wave (%)"
    cov_notes = [
        "Item nonresponse (% of respondents: don't know, can't choose, decline, missing); "
        "— = not asked (no substantive answer) or no such item in the wave."
    ]
    return (
        wide_markdown(wide, title, notes),
        wide_latex(wide, title, notes, "tab:trust-by-country"),
        wide_markdown(
            coverage_wide(coverage), "Trust items asked, and their nonresponse (%)", cov_notes
        ),
        f"cross-national: {len(wide)} country-waves x {wide.shape[1] - 3} institutions",
    )


def reproduction_texts(
    published_path: str | None,
    trust: pd.DataFrame,
    corr: pd.DataFrame,
    metas: Sequence[Mapping],
) -> tuple[list[dict], str, str]:
    """Every published number beside ours: the checks (JSON-ready), Markdown, a summary.

    Without a ``published`` file the report says so, and the check list is empty.
    """
    if not published_path:
        md = (
            "# Reproduction\n\nNo published numbers are configured for this run "
            "(`published:` in the config), so nothing was checked.\n"
        )
        return [], md, "no published numbers configured"
    published = validate(read_yaml(published_path), "published.schema.yaml", published_path)
    waves = [m["wave"] for m in metas]
    results = evaluate(published, trust, corr, waves)
    synthetic = any(m["synthetic"] for m in metas)
    sources = [s["path"] for m in metas for s in m["sources"]]
    scan = convention_scan(published, trust, waves)
    md = to_markdown(results, published, synthetic, sources) + "\n" + scan_markdown(scan)
    decided = [r for r in results if r["ok"] is not None]
    summary = f"{len(decided) - len(failures(results))} of {len(decided)} applicable checks pass"
    return results, md, summary


def summary_rst(metas: Sequence[Mapping], checks: list[dict] | None) -> tuple[str, str]:
    """The report's landing-page summary (reStructuredText): verdict, data, respondents."""
    lines = []
    if any(m["synthetic"] for m in metas):
        lines += [
            ".. warning::",
            "",
            "   **Synthetic fixture.** This run used the shipped synthetic data (ABS layout,",
            "   values generated to match the published aggregates), not ABS data.",
            "",
        ]
    verdict = "not checked (no published numbers configured)"
    if checks is not None:
        decided = [c for c in checks if c["ok"] is not None]
        failed = [c for c in decided if not c["ok"]]
        verdict = (
            f"**{'FAIL' if failed else 'PASS'}**: {len(decided) - len(failed)} of "
            f"{len(decided)} applicable published checks reproduced"
        )
        if failed:
            verdict += " (failed: " + ", ".join(c["id"] for c in failed) + ")"
    lines += ["Reproduction verdict", "--------------------", "", verdict + ".", ""]
    lines += ["Data", "----", ""]
    for meta in metas:
        people = ", ".join(
            f"{c} {v['respondents']:,} ({v['year']})" for c, v in meta["countries"].items()
        )
        for source in meta["sources"]:
            lines.append(
                f"- **{meta['wave']}** ``{source['path']}`` (sha256 {source['sha256'][:12]}…, "
                f"{source['rows']:,} rows): {people}"
            )
    return "\n".join(lines) + "\n", verdict.replace("*", "")


def checks_json(results: list[dict]) -> str:
    return json.dumps(results, indent=2) + "\n"
