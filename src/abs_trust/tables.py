"""Table 4 of Farid & Song (2020), laid out as printed: institutions × years, and the change.

Shares are formatted to one decimal only here; the change is computed from the unrounded
shares first (the paper prints −11.5 for local government although 80.3 − 68.7 = 11.6).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from .reproduce import round_half_away

# The paper's rows, in its order and wording.
TABLE4_INSTITUTIONS = {
    "courts": "Courts",
    "national_government": "National government",
    "parliament": "Parliament",
    "civil_service": "Civil service",
    "military": "Military",
    "police": "Police",
    "local_government": "Local government",
    "newspapers": "Newspaper",
    "television": "Television",
    "ngos": "NGO",
}
NOT_ASKED = "—"


@dataclass(frozen=True)
class Column:
    """One year column of the table and the convention its shares were computed under."""

    wave: str
    year: int
    weighted: bool
    nonresponse: str
    weight_variable: str | None
    respondents: int


def table4_frame(
    trust: pd.DataFrame, country: str, columns: list[Column], institutions: dict[str, str]
) -> pd.DataFrame:
    """Unrounded Table 4: one row per institution, a share per column, and the change.

    The change is last − first column, from unrounded shares. An institution not asked in a
    wave has no share (NaN) and no change.
    """
    out = pd.DataFrame({"institution": list(institutions.values())}, index=list(institutions))
    for col in columns:
        rows = trust[
            (trust["country"] == country)
            & (trust["wave"] == col.wave)
            & (trust["weighted"] == col.weighted)
            & (trust["nonresponse"] == col.nonresponse)
        ].set_index("institution")
        out[str(col.year)] = rows["pct_trust"].reindex(out.index).astype("float64")
    if len(columns) >= 2:
        out["change"] = out[str(columns[-1].year)] - out[str(columns[0].year)]
    return out


def _fmt(value: float) -> str:
    return NOT_ASKED if pd.isna(value) else f"{round_half_away(value, 1):.1f}"


def table4_notes(columns: list[Column], country_label: str, synthetic: bool) -> list[str]:
    """Notes stating, per column, the data, the weighting and the denominator."""
    notes = [
        f'Share of respondents in {country_label} who trust each institution ("a great deal" '
        'or "quite a lot" of trust), %.'
    ]
    for col in columns:
        weighting = (
            f"weighted by `{col.weight_variable}`"
            if col.weighted and col.weight_variable
            else "unweighted"
        )
        denominator = (
            "substantive answers only (don't know, can't choose, decline and missing excluded)"
            if col.nonresponse == "exclude"
            else "all respondents (nonresponse counted as not trusting)"
        )
        notes.append(
            f"{col.year}: ABS {col.wave}, {col.respondents:,} respondents; {weighting}; "
            f"denominator: {denominator}."
        )
    if len(columns) >= 2:
        notes.append(
            f"Change = {columns[-1].year} − {columns[0].year}, computed from unrounded shares, "
            "then rounded."
        )
    notes.append(f"{NOT_ASKED} = not asked.")
    if synthetic:
        notes.append("SYNTHETIC FIXTURE: generated to match published aggregates; not ABS data.")
    return notes


def table4_markdown(table: pd.DataFrame, notes: list[str], title: str) -> str:
    years = [c for c in table.columns if c not in ("institution", "change")]
    header = ["Institution", *years] + (["Change"] if "change" in table else [])
    lines = [f"**{title}**", "", "| " + " | ".join(header) + " |"]
    lines.append("|---|" + "---:|" * (len(header) - 1))
    for _, row in table.iterrows():
        cells = [row["institution"], *(_fmt(row[y]) for y in years)]
        if "change" in table:
            cells.append(_fmt(row["change"]))
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    # Two trailing spaces: a Markdown line break, so each note stays on its own line.
    lines += [("*Note.* " if i == 0 else "") + note + "  " for i, note in enumerate(notes)]
    return "\n".join(lines) + "\n"


def _tex_escape(text: str) -> str:
    for char, repl in (("\\", r"\textbackslash{}"), ("&", r"\&"), ("%", r"\%"), ("_", r"\_"),
                       ("#", r"\#"), ("$", r"\$"), ("`", "")):  # fmt: skip
        text = text.replace(char, repl)
    return text.replace("—", "---").replace("−", "$-$")


def table4_latex(table: pd.DataFrame, notes: list[str], title: str) -> str:
    """A booktabs table: ``\\usepackage{booktabs}`` in the preamble."""
    years = [c for c in table.columns if c not in ("institution", "change")]
    has_change = "change" in table
    spec = "l" + "r" * (len(years) + has_change)
    head = ["Institution", *years] + (["Change"] if has_change else [])
    lines = [
        r"\begin{table}[htbp]",
        r"\centering",
        rf"\caption{{{_tex_escape(title)}}}",
        r"\label{tab:institution-trust}",
        rf"\begin{{tabular}}{{{spec}}}",
        r"\toprule",
        " & ".join(head) + r" \\",
        r"\midrule",
    ]
    for _, row in table.iterrows():
        cells = [_tex_escape(row["institution"]), *(_fmt(row[y]) for y in years)]
        if has_change:
            cells.append(_fmt(row["change"]))
        lines.append(" & ".join(_tex_escape(c) if c == NOT_ASKED else c for c in cells) + r" \\")
    lines += [
        r"\bottomrule",
        r"\end{tabular}",
        r"\par\smallskip",
        r"\begin{minipage}{0.9\linewidth}\footnotesize",
        " ".join(_tex_escape(n) for n in notes),
        r"\end{minipage}",
        r"\end{table}",
        "",
    ]
    return "\n".join(lines)
