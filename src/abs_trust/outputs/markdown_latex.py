"""Tables as Markdown and as LaTeX (booktabs): the last step, where numbers are rounded.

Shares are formatted to one decimal only here, rounding half away from zero as the paper
prints them; every string set into Markdown or LaTeX passes through that format's escape
(`abs_trust.outputs.escape`): titles, labels and notes carry values from files and config.
"""

from __future__ import annotations

import pandas as pd

from abs_trust.harmonize.crosswalk import INSTITUTION_LABELS
from abs_trust.outputs import escape
from abs_trust.outputs.escape import note_markdown, note_tex
from abs_trust.outputs.rounding import round_half_away

NOT_ASKED = "—"


def fmt_share(value: float | str) -> str:
    if isinstance(value, str):  # a marker (a cell not shown, and why), set as it is
        return value
    return NOT_ASKED if pd.isna(value) else f"{round_half_away(value, 1):.1f}"


def _markdown_notes(notes) -> list[str]:
    # Two trailing spaces: a Markdown line break, so each note stays on its own line.
    return [("*Note.* " if i == 0 else "") + note_markdown(n) + "  " for i, n in enumerate(notes)]


def _cell(value) -> str:
    """A share rounded here, last; a cell already formatted (a change's CI) as it is."""
    return value if isinstance(value, str) else fmt_share(value)


def table4_markdown(table: pd.DataFrame, notes: list, title: str) -> str:
    years = [c for c in table.columns if c not in ("institution", "change")]
    header = ["Institution", *years] + (["Change"] if "change" in table else [])
    lines = [f"**{escape.markdown(title)}**", "", "| " + " | ".join(header) + " |"]
    lines.append("|---|" + "---:|" * (len(header) - 1))
    for _, row in table.iterrows():
        cells = [escape.markdown(row["institution"]), *(_cell(row[y]) for y in years)]
        if "change" in table:
            cells.append(fmt_share(row["change"]))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += _markdown_notes(notes)
    return "\n".join(lines) + "\n"


def tex_escape(text: str) -> str:
    return escape.tex(text)


def table4_latex(table: pd.DataFrame, notes: list, title: str) -> str:
    """A booktabs table: ``\\usepackage{booktabs}`` in the preamble."""
    years = [c for c in table.columns if c not in ("institution", "change")]
    has_change = "change" in table
    spec = "l" + "r" * (len(years) + has_change)
    head = ["Institution", *years] + (["Change"] if has_change else [])
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{tex_escape(title)}}}",
        r"\label{tab:institution-trust}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(head) + r" \\",
        r"\midrule",
    ]
    for _, row in table.iterrows():
        cells = [tex_escape(row["institution"]), *(_cell(row[y]) for y in years)]
        if has_change:
            cells.append(fmt_share(row["change"]))
        lines.append(" & ".join(tex_escape(c) if c == NOT_ASKED else c for c in cells) + r" \\")
    lines += [
        r"\bottomrule",
        r"\end{tabular}",
        r"\par\smallskip",
        r"\begin{minipage}{0.9\linewidth}\footnotesize",
        " ".join(note_tex(n) for n in notes),
        r"\end{minipage}",
        r"\end{table}",
        "",
    ]
    return "\n".join(lines)


def wide_markdown(table: pd.DataFrame, title: str, notes: list, fmt=fmt_share) -> str:
    """A country × wave table in Markdown; numbers rounded to one decimal here, last."""
    keys = ["country", "wave", "year"]
    items = [c for c in table.columns if c not in keys]
    header = ["Country", "Wave", "Year", *(INSTITUTION_LABELS.get(c, c) for c in items)]
    lines = [f"**{escape.markdown(title)}**", "", "| " + " | ".join(map(escape.markdown, header))]
    lines[-1] += " |"
    lines.append("|---|---|---|" + "---:|" * len(items))
    for _, row in table.iterrows():
        cells = [country_cell(row["country"]), str(row["wave"]), str(row["year"])]
        cells += [fmt(row[c]) if not isinstance(row[c], str) else row[c] for c in items]
        lines.append("| " + " | ".join(map(escape.markdown, cells)) + " |")
    lines.append("")
    lines += _markdown_notes(notes)
    return "\n".join(lines) + "\n"


def country_cell(slug) -> str:
    """A country slug as the cross-national tables print it ('hong_kong' -> 'Hong Kong')."""
    return str(slug).replace("_", " ").title()


def wide_latex(table: pd.DataFrame, title: str, notes: list, label: str) -> str:
    """The same country × wave table as a booktabs LaTeX table (landscape-friendly)."""
    keys = ["country", "wave", "year"]
    items = [c for c in table.columns if c not in keys]
    head = ["Country", "Wave", "Year", *(INSTITUTION_LABELS.get(c, c) for c in items)]
    lines = [
        r"\begin{table}[htbp]",
        r"\centering\footnotesize",
        rf"\caption{{{tex_escape(title)}}}",
        rf"\label{{{label}}}",
        rf"\begin{{tabular}}{{lll{'r' * len(items)}}}",
        r"\toprule",
        " & ".join(tex_escape(h) for h in head) + r" \\",
        r"\midrule",
    ]
    for _, row in table.iterrows():
        cells = [tex_escape(country_cell(row["country"])), tex_escape(row["wave"]),
                 tex_escape(row["year"])]  # fmt: skip
        for c in items:
            value = row[c]
            cells.append(tex_escape(value) if isinstance(value, str) else fmt_share(value))
        lines.append(" & ".join(tex_escape(c) if c == NOT_ASKED else c for c in cells) + r" \\")
    lines += [
        r"\bottomrule",
        r"\end{tabular}",
        r"\par\smallskip",
        " ".join(note_tex(n) for n in notes),
        r"\end{table}",
        "",
    ]
    return "\n".join(lines)
