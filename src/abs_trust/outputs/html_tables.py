"""Tables as small self-contained HTML pages, so the report shows them in the page.

Snakemake's report displays images, PDFs and HTML inline and offers every other file (CSV,
Markdown, LaTeX) as a download only. Each table the report lists therefore also gets an HTML
view: title, data warning, the table (sortable by a click on a column header; long tables get
a filter box), its notes, and a download link to the contract file it shows. Every string is
escaped (`abs_trust.outputs.escape.html_text`); a Content-Security-Policy lets only this
module's own script run, so even a string that escaped escaping could not run script.
"""

from __future__ import annotations

import base64
import hashlib
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import pandas as pd

from abs_trust.outputs.escape import html_text, note_html
from abs_trust.outputs.labels import institution_label
from abs_trust.outputs.rounding import round_half_away

#: rows from which a table gets a filter box
FILTER_FROM_ROWS = 25

_STYLE = """
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1e293b;
margin:0;padding:16px 20px 40px}
h1{font-size:18px;margin:0 0 8px}
.synthetic{border:1px solid #d97706;background:#fffbeb;border-radius:6px;padding:6px 10px;
margin:8px 0;max-width:70em}
.verdict{font-weight:600;margin:6px 0}
.filter{margin:6px 0 8px}
.filter input{font:inherit;padding:3px 6px;width:22em}
.wrap{overflow:auto;max-width:100%}
table{border-collapse:collapse;margin:4px 0 10px}
caption{text-align:left;font-weight:600;padding:0 0 6px}
th,td{padding:3px 8px;border-bottom:1px solid #e2e8f0;vertical-align:top}
th{position:sticky;top:0;background:#f1f5f9;text-align:left;cursor:pointer;white-space:nowrap}
th[aria-sort=ascending]::after{content:" \\25B2"}th[aria-sort=descending]::after{content:" \\25BC"}
td.num{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
tbody tr:hover{background:#f8fafc}
.notes{max-width:70em;color:#334155}.notes p{margin:3px 0}
.downloads{margin-top:10px;font-size:13px}
code{font-size:12.5px;background:#f1f5f9;padding:0 3px;border-radius:3px}
"""

# Sorting by a click on a header (numbers as numbers, via data-v), and the filter box.
_SCRIPT = """
for (const table of document.querySelectorAll("table.sortable")) {
  const body = table.tBodies[0];
  table.querySelectorAll("th").forEach((th, col) => th.addEventListener("click", () => {
    const up = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(h => h.removeAttribute("aria-sort"));
    th.setAttribute("aria-sort", up ? "ascending" : "descending");
    const key = tr => { const c = tr.cells[col]; const v = c.dataset.v;
      return v === undefined ? c.textContent : (v === "" ? NaN : Number(v)); };
    const rows = Array.from(body.rows).sort((a, b) => {
      const x = key(a), y = key(b);
      if (typeof x === "number" || typeof y === "number") {
        if (Number.isNaN(x)) return 1; if (Number.isNaN(y)) return -1;
        return up ? x - y : y - x; }
      return up ? x.localeCompare(y) : y.localeCompare(x); });
    rows.forEach(r => body.appendChild(r)); }));
}
for (const input of document.querySelectorAll("input[data-filter]")) {
  const table = document.getElementById(input.dataset.filter);
  const count = document.getElementById(input.dataset.filter + "-count");
  input.addEventListener("input", () => {
    const words = input.value.toLowerCase().split(/\\s+/).filter(Boolean); let shown = 0;
    for (const tr of table.tBodies[0].rows) {
      const text = tr.textContent.toLowerCase();
      const keep = words.every(w => text.includes(w)); tr.hidden = !keep; shown += keep; }
    count.textContent = shown + " of " + table.tBodies[0].rows.length + " rows"; });
}
"""
_SCRIPT_HASH = base64.b64encode(hashlib.sha256(_SCRIPT.encode()).digest()).decode()
_CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    f"script-src 'sha256-{_SCRIPT_HASH}'"
)


@dataclass
class HtmlTable:
    """One table of a page: a frame whose cells are already text, or numbers to format."""

    frame: pd.DataFrame
    caption: str = ""
    numeric: Sequence[str] = ()  # columns right-aligned and sorted as numbers
    formats: dict = field(default_factory=dict)  # column -> function(value) -> text
    display: pd.DataFrame | None = None  # the text of each cell, when formatted beforehand


def format_number(value) -> str:
    """A CSV number for reading: integers as they are, other floats to 3 decimals (tiny ones in
    scientific notation); rounded here, for display only (the CSV keeps every digit)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return f"{int(value):,}" if abs(value) >= 10_000 else str(int(value))
    if isinstance(value, float):
        if value != 0 and abs(value) < 0.001:
            return f"{value:.2e}"
        return f"{round_half_away(value, 3):.3f}"
    return str(value)


def _cell_texts(values: list, column: str, table: HtmlTable) -> list:
    """The text of each cell of ``column``: given beforehand, by the column's format, as a
    number, or the value itself (a missing one empty)."""
    if column in table.formats:
        return [table.formats[column](v) for v in values]
    if column in table.numeric:
        return [format_number(v) for v in values]
    return ["" if v is None or (isinstance(v, float) and math.isnan(v)) else v for v in values]


def _column_cells(values: list, texts: list, numeric: bool) -> list[str]:
    """The ``<td>`` of every cell of one column, built column by column: a column repeats few
    distinct texts (countries, waves, notes), each escaped once."""
    escaped: dict[str, str] = {}
    cells = []
    for value, text in zip(values, texts, strict=True):
        text = str(text)
        html = escaped.get(text)
        if html is None:
            html = escaped[text] = html_text(text)
        if numeric:
            raw = "" if isinstance(value, str) or pd.isna(value) else repr(float(value))
            cells.append(f'<td class="num" data-v="{raw}">{html}</td>')
        else:
            cells.append(f"<td>{html}</td>")
    return cells


def _table_html(table: HtmlTable, ident: str) -> list[str]:
    frame = table.frame
    lines = []
    if len(frame) >= FILTER_FROM_ROWS:
        lines.append(
            f'<div class="filter"><label>Filter rows: <input type="search" '
            f'data-filter="{ident}" placeholder="e.g. china W4 NGOs"></label> '
            f'<span id="{ident}-count">{len(frame)} rows</span></div>'
        )
    lines.append(f'<div class="wrap"><table class="sortable" id="{ident}">')
    if table.caption:
        lines.append(f"<caption>{html_text(table.caption)}</caption>")
    lines.append(
        "<thead><tr>" + "".join(f"<th>{html_text(c)}</th>" for c in frame.columns) + "</tr></thead>"
    )
    lines.append("<tbody>")
    columns = []
    for k, column in enumerate(frame.columns):
        # by position: a column name may repeat
        values = frame.iloc[:, k].tolist()
        if table.display is not None:
            texts = table.display.iloc[:, k].tolist()
        else:
            texts = _cell_texts(values, column, table)
        columns.append(_column_cells(values, texts, column in table.numeric))
    lines += ["<tr>" + "".join(row) + "</tr>" for row in zip(*columns, strict=True)]
    lines.append("</tbody></table></div>")
    return lines


def html_page(
    title: str,
    tables: Sequence[HtmlTable],
    notes: Sequence = (),
    synthetic: bool = False,
    lead: Sequence[str] = (),
    downloads: Sequence[tuple[str, str, str]] = (),
    verdict: str | None = None,
) -> str:
    """A self-contained HTML page: title, data warning, the ``verdict`` line, ``lead``
    paragraphs (plain text), the tables, the notes (strings or `escape.Code` parts), and
    download links (``(file name, mime type, content)``, embedded as data URIs)."""
    out = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        f'<meta http-equiv="Content-Security-Policy" content="{_CSP}">',
        f"<title>{html_text(title)}</title><style>{_STYLE}</style></head><body>",
        f"<h1>{html_text(title)}</h1>",
    ]
    if synthetic:
        out.append(
            '<p class="synthetic"><strong>Synthetic fixture.</strong> These numbers come from '
            "the shipped synthetic data (ABS layout, values generated to match the published "
            "aggregates), not from ABS data.</p>"
        )
    if verdict:
        out.append(f'<p class="verdict">{html_text(verdict)}</p>')
    out += [f"<p>{html_text(p)}</p>" for p in lead]
    for k, table in enumerate(tables):
        out += _table_html(table, f"t{k}")
    if notes:
        out.append('<div class="notes">')
        out += [f"<p>{note_html(n)}</p>" for n in notes]
        out.append("</div>")
    if downloads:
        links = []
        for name, mime, content in downloads:
            data = base64.b64encode(content.encode("utf-8")).decode()
            links.append(
                f'<a download="{html_text(name)}" href="data:{mime};charset=utf-8;base64,{data}">'
                f"{html_text(name)}</a>"
            )
        out.append(f'<p class="downloads">Download: {" · ".join(links)}</p>')
    out.append(f"<script>{_SCRIPT}</script>")
    out.append("</body></html>")
    return "\n".join(out) + "\n"


def csv_page(title: str, csv_text: str, lead: Sequence[str], name: str, synthetic: bool):
    """The HTML view of a contract CSV: every row and column, numbers formatted for reading,
    and the CSV itself to download."""
    try:
        frame = pd.read_csv(io.StringIO(csv_text), keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:  # a run with nothing to model writes an empty table
        frame = pd.DataFrame({"(no rows)": []})
    numeric = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c])
               and not pd.api.types.is_bool_dtype(frame[c])]  # fmt: skip
    # numbers for reading; institutions by the name every table gives them (the CSV keeps slugs)
    display = pd.DataFrame(
        {
            c: [format_number(v) for v in frame[c].tolist()]
            if c in numeric
            else ["" if pd.isna(v) else str(v) for v in frame[c].tolist()]
            for c in frame.columns
        },
        dtype=object,
    )
    for column in ("institution", "x", "y"):
        if column in frame.columns and column not in numeric:
            values = frame[column].tolist()
            # a few institutions, each named by many rows
            labels = {v: institution_label(str(v)) for v in set(values) if not pd.isna(v)}
            display[column] = ["" if pd.isna(v) else labels[v] for v in values]
    return html_page(
        title,
        [HtmlTable(frame, numeric=numeric, display=display)],
        synthetic=synthetic,
        lead=lead,
        downloads=[(name, "text/csv", csv_text)],
    )
