"""The cross-national tables: share trusting by country × wave, and the coverage table
(which items each country-wave asked, and their nonresponse)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import NamedTuple

import pandas as pd

from abs_trust.harmonize.crosswalk import INSTITUTION_LABELS
from abs_trust.outputs.html_tables import HtmlTable, html_page
from abs_trust.outputs.markdown_latex import (
    NOT_ASKED,
    country_cell,
    fmt_share,
    wide_latex,
    wide_markdown,
)
from abs_trust.outputs.table4 import (
    REFUSED,
    SUPPRESSED,
    SYNTHETIC_NOTE,
    withheld_marker,
    withheld_notes,
)
from abs_trust.stats.weights import SUPPRESSED_NOTE

DENOMINATOR = {"exclude": "excluded", "as_not_trusting": "counted as not trusting"}


def trust_by_country(trust: pd.DataFrame, weighted: dict[str, bool], nonresponse: str):
    """Cross-national table: one row per country × wave, one column per institution (%).

    ``weighted`` maps each wave to its headline weighting (a wave without a weight has only
    unweighted rows, which are then used). Not asked = NaN, shown as a dash.
    """
    parts = []
    for wave, group in trust[trust["nonresponse"] == nonresponse].groupby("wave", sort=True):
        use = bool(weighted.get(wave, True)) and bool(group["weighted"].any())
        parts.append(group[group["weighted"] == use])
    rows = pd.concat(parts, ignore_index=True) if parts else trust.iloc[0:0]
    wide = rows.pivot_table(
        index=["country", "wave", "year"], columns="institution", values="pct_trust"
    )
    wide = _mark_withheld(wide, rows)
    columns = [c for c in INSTITUTION_LABELS if c in wide.columns]
    return wide[columns].reset_index()


def _mark_withheld(wide: pd.DataFrame, rows: pd.DataFrame) -> pd.DataFrame:
    """Cells whose share is not shown (``note``: too few respondents, unusable weights) get
    their marker instead of the dash that means "not asked"."""
    if "note" not in rows:
        return wide
    marked = rows.assign(marker=rows["note"].fillna("").map(withheld_marker))
    marked = marked[marked["marker"] != ""]
    if marked.empty:
        return wide
    wide = wide.astype(object)
    for row in marked.itertuples():
        wide.loc[(row.country, row.wave, row.year), row.institution] = row.marker
    return wide.sort_index()


NOT_IN_FILE_CELL = "not in file"


def _coverage_cell(row) -> str:
    note = row.get("note")
    note = note if isinstance(note, str) else ""
    if note == "country not in this wave's file":
        return NOT_IN_FILE_CELL
    if not row["asked"]:
        return NOT_ASKED
    if note.startswith(SUPPRESSED_NOTE):
        return SUPPRESSED
    return fmt_share(100 * row["nonresponse_share"])


def coverage_wide(coverage: pd.DataFrame) -> pd.DataFrame:
    """Coverage as country × wave rows: the nonresponse share per item, or not asked."""
    # a country absent from a wave's file has no year there: kept as a row, year "—"
    year = pd.to_numeric(coverage["year"]).astype("Int64").fillna(-1)
    coverage = coverage.assign(year=year)
    cells = coverage.assign(cell=lambda d: d.apply(_coverage_cell, axis=1))
    wide = cells.pivot_table(
        index=["country", "wave", "year"], columns="institution", values="cell", aggfunc="first"
    )
    columns = [c for c in INSTITUTION_LABELS if c in wide.columns]
    wide = wide[columns].reset_index()
    wide["year"] = wide["year"].astype(object).where(wide["year"] != -1, NOT_ASKED)
    return wide


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
    extra_notes: Sequence[str] = (),
    min_cell_size: int | None = None,
    footnotes: Sequence[str] = (),
) -> CountryTexts:
    """Shares by country x wave (Markdown, LaTeX, HTML), the coverage table (Markdown, HTML),
    and a summary line.

    ``extra_notes`` follow each table's own notes (e.g. the files they were computed from);
    ``footnotes`` (what measurement invariance and the six-point scale's mapping do not
    license) follow the shares table's notes only. Like every note, each format escapes them.
    """
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
    cells = wide.drop(columns=["country", "wave", "year"]).to_numpy().ravel()
    notes += withheld_notes([c for c in cells if isinstance(c, str)], min_cell_size)
    notes += [*footnotes, *extra_notes]
    title = "Trust in institutions by country and wave (%)"
    cov_notes = [
        "Item nonresponse (% of respondents: don't know, can't choose, decline, missing); "
        "— = not asked (no substantive answer) or no such item in the wave."
    ]
    cov_wide = coverage_wide(coverage)
    cov_cells = set(cov_wide.drop(columns=["country", "wave", "year"]).to_numpy().ravel())
    if NOT_IN_FILE_CELL in cov_cells:
        cov_notes.append(
            f"{NOT_IN_FILE_CELL} = the country is configured but has no respondents in this "
            "wave's file(s): skipped in that wave."
        )
    if SUPPRESSED in cov_cells:
        cov_notes.append(
            f"{SUPPRESSED} = not shown: the country-wave has fewer than "
            f"{min_cell_size or 'min_cell_size'} respondents."
        )
    cov_notes += list(extra_notes)
    synthetic = any(m["synthetic"] for m in metas)
    md, tex = (
        wide_markdown(wide, title, notes),
        wide_latex(wide, title, notes, "tab:trust-by-country"),
    )
    cov_title = "Trust items asked, and their nonresponse (%)"
    cov = cov_wide
    cov_md = wide_markdown(cov, cov_title, cov_notes)
    texts = CountryTexts(
        md, tex, cov_md,
        wide_html(wide, title, notes, synthetic, [
            ("trust_by_country.md", "text/markdown", md),
            ("trust_by_country.tex", "text/x-tex", tex),
        ]),
        wide_html(cov, cov_title, cov_notes, synthetic, [("coverage.md", "text/markdown", cov_md)]),
        f"cross-national: {len(wide)} country-waves x {wide.shape[1] - 3} institutions",
    )  # fmt: skip
    return texts


class CountryTexts(NamedTuple):
    """The cross-national tables in each format, and a summary line."""

    markdown: str
    latex: str
    coverage_markdown: str
    html: str
    coverage_html: str
    summary: str


def wide_html(table: pd.DataFrame, title: str, notes: list, synthetic: bool, downloads) -> str:
    """A country x wave table as the report shows it (the same cells as the Markdown)."""
    keys = {"country": "Country", "wave": "Wave", "year": "Year"}
    items = [c for c in table.columns if c not in keys]
    shown = table.assign(country=table["country"].map(country_cell)).rename(
        columns={**keys, **{c: INSTITUTION_LABELS.get(c, c) for c in items}}
    )
    numeric = [INSTITUTION_LABELS.get(c, c) for c in items]
    formats = {c: (lambda v: v if isinstance(v, str) else fmt_share(v)) for c in numeric}
    markers = {SUPPRESSED, REFUSED}  # a share not shown: the column is still numeric
    if any(table[c].map(lambda v: isinstance(v, str) and v not in markers).any() for c in items):
        numeric = []  # cells are text already (the coverage table): sort them as text
    return html_page(
        title, [HtmlTable(shown, numeric=numeric, formats=formats)], notes=notes,
        synthetic=synthetic, downloads=downloads,
    )  # fmt: skip
