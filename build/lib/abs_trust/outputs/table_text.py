"""Table 4 of Farid & Song (2020), laid out as printed: institutions × years, and the change.

Shares are formatted to one decimal only here; the change is computed from the unrounded
shares first (the paper prints −11.5 for local government although 80.3 − 68.7 = 11.6).
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from abs_trust.harmonize.crosswalk import INSTITUTION_LABELS
from abs_trust.outputs.reproduction import round_half_away

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
    weight_note: str = ""


def headline_weighted(meta, country: str, wanted: bool) -> bool:
    """Whether a wave's headline estimate for ``country`` is weighted: the config asks
    (``wanted``), the wave has a weight, and it varies in that country (W1/W2 weights may be
    constant within a country; then they are no weight)."""
    return (
        bool(wanted)
        and meta["weight_variable"] is not None
        and meta["countries"].get(country, {}).get("weight_varies", True)
    )


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
        ) + (f" ({col.weight_note})" if col.weight_note else "")
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
    columns = [c for c in INSTITUTION_LABELS if c in wide.columns]
    return wide[columns].reset_index()


def coverage_wide(coverage: pd.DataFrame) -> pd.DataFrame:
    """Coverage as country × wave rows: the nonresponse share per item, or not asked."""
    cells = coverage.assign(
        cell=lambda d: d.apply(
            lambda r: _fmt(100 * r["nonresponse_share"]) if r["asked"] else NOT_ASKED, axis=1
        )
    )
    wide = cells.pivot_table(
        index=["country", "wave", "year"], columns="institution", values="cell", aggfunc="first"
    )
    columns = [c for c in INSTITUTION_LABELS if c in wide.columns]
    return wide[columns].reset_index()


def wide_markdown(table: pd.DataFrame, title: str, notes: list[str], fmt=_fmt) -> str:
    """A country × wave table in Markdown; numbers rounded to one decimal here, last."""
    keys = ["country", "wave", "year"]
    items = [c for c in table.columns if c not in keys]
    header = ["Country", "Wave", "Year", *(INSTITUTION_LABELS.get(c, c) for c in items)]
    lines = [f"**{title}**", "", "| " + " | ".join(header) + " |"]
    lines.append("|---|---|---|" + "---:|" * len(items))
    for _, row in table.iterrows():
        cells = [str(row["country"]).replace("_", " ").title(), str(row["wave"]), str(row["year"])]
        cells += [fmt(row[c]) if not isinstance(row[c], str) else row[c] for c in items]
        lines.append("| " + " | ".join(cells) + " |")
    lines.append("")
    lines += [("*Note.* " if i == 0 else "") + note + "  " for i, note in enumerate(notes)]
    return "\n".join(lines) + "\n"


def wide_latex(table: pd.DataFrame, title: str, notes: list[str], label: str) -> str:
    """The same country × wave table as a booktabs LaTeX table (landscape-friendly)."""
    keys = ["country", "wave", "year"]
    items = [c for c in table.columns if c not in keys]
    head = ["Country", "Wave", "Year", *(INSTITUTION_LABELS.get(c, c) for c in items)]
    lines = [
        r"\begin{table}[htbp]",
        r"\centering\footnotesize",
        rf"\caption{{{_tex_escape(title)}}}",
        rf"\label{{{label}}}",
        rf"\begin{{tabular}}{{lll{'r' * len(items)}}}",
        r"\toprule",
        " & ".join(_tex_escape(h) for h in head) + r" \\",
        r"\midrule",
    ]
    for _, row in table.iterrows():
        cells = [_tex_escape(str(row["country"]).replace("_", " ").title()), str(row["wave"]),
                 str(row["year"])]  # fmt: skip
        for c in items:
            value = row[c]
            cells.append(_tex_escape(value) if isinstance(value, str) else _fmt(value))
        lines.append(" & ".join(_tex_escape(c) if c == NOT_ASKED else c for c in cells) + r" \\")
    lines += [
        r"\bottomrule",
        r"\end{tabular}",
        r"\par\smallskip",
        " ".join(_tex_escape(n) for n in notes),
        r"\end{table}",
        "",
    ]
    return "\n".join(lines)
