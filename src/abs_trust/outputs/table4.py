"""Table 4 of Farid & Song (2020), laid out as printed: institutions × years, and the change.

Shares are formatted to one decimal only here; the change is computed from the unrounded
shares first (the paper prints −11.5 for local government although 80.3 − 68.7 = 11.6).
Beside the printed change: its 95 % CI (independent samples, each wave's own design;
`abs_trust.stats.changes`), a mark where the CI includes 0, and the change under one
consistent convention (both waves weighted) with its CI.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import pandas as pd

from abs_trust.outputs.escape import Code
from abs_trust.outputs.html_tables import HtmlTable, html_page
from abs_trust.outputs.labels import COUNTRY_LABELS, country_label, institution_label  # noqa: F401
from abs_trust.outputs.markdown_latex import NOT_ASKED, fmt_share, table4_latex, table4_markdown
from abs_trust.stats.weights import REFUSED_NOTE, SUPPRESSED_NOTE

# The paper's rows, in its order, named as every other output names them (the paper prints
# "Newspaper" and "NGO"; one name per institution across the outputs reads better).
TABLE4_INSTITUTIONS = {
    slug: institution_label(slug)
    for slug in (
        "courts", "national_government", "parliament", "civil_service", "military", "police",
        "local_government", "newspapers", "television", "ngos",
    )
}  # fmt: skip
SYNTHETIC_NOTE = "SYNTHETIC FIXTURE: generated to match published aggregates; not ABS data."
INCLUDES_ZERO = {"markdown": "†", "latex": r"$^{\dagger}$"}
WEIGHTS_ONLY_NOTE = (
    "Standard errors of weighted shares: Taylor linearization, weights only; clustering not "
    "accounted for (the releases name no PSU or strata)."
)


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
    wave has no share (NaN) and no change. A share not shown (its ``note`` says why: too few
    respondents, unusable weights) is a marker (`withheld_marker`), and so is its change.
    """
    out = pd.DataFrame({"institution": list(institutions.values())}, index=list(institutions))
    markers = {}
    for col in columns:
        rows = trust[
            (trust["country"] == country)
            & (trust["wave"] == col.wave)
            & (trust["weighted"] == col.weighted)
            & (trust["nonresponse"] == col.nonresponse)
        ].set_index("institution")
        out[str(col.year)] = rows["pct_trust"].reindex(out.index).astype("float64")
        if "note" in rows:
            notes = rows["note"].fillna("").reindex(out.index).fillna("")
            markers[str(col.year)] = notes.map(withheld_marker)
    if len(columns) >= 2:
        out["change"] = out[str(columns[-1].year)] - out[str(columns[0].year)]
    if any((m != "").any() for m in markers.values()):
        change_marker = pd.Series("", index=out.index)
        for year, marker in markers.items():
            out[year] = out[year].astype(object).where(marker == "", marker)
            change_marker = change_marker.where(change_marker != "", marker)
        if "change" in out:
            out["change"] = out["change"].astype(object).where(change_marker == "", change_marker)
    return out


#: cells not shown, and why (the notes of every table that has them say so)
SUPPRESSED, REFUSED = "x", "w"


def withheld_marker(note: str) -> str:
    """The cell marker of an estimate not shown, from its ``note`` ("" if it is shown)."""
    if note.startswith(SUPPRESSED_NOTE):
        return SUPPRESSED
    if note.startswith(REFUSED_NOTE):
        return REFUSED
    return ""


def withheld_notes(cells, min_cell_size: int | None) -> list[str]:
    """The legend of the markers that occur among ``cells``."""
    cells = set(cells)
    notes = []
    if SUPPRESSED in cells:
        size = f"{min_cell_size} " if min_cell_size else ""
        notes.append(
            f"{SUPPRESSED} = not shown: fewer than {size}respondents in the denominator "
            "(min_cell_size)."
        )
    if REFUSED in cells:
        notes.append(
            f"{REFUSED} = weighted estimate not shown: the weights are unusable here (effective "
            "n too small, or one respondent carries most of the weight; "
            "results/tables/weights.csv)."
        )
    return notes


def table4_notes(columns: list[Column], country: str, synthetic: bool) -> list:
    """Notes stating, per column, the data, the weighting and the denominator.

    A note is a string or a tuple of parts (`Code` for a variable name); each output format
    escapes the parts (`abs_trust.outputs.escape`).
    """
    notes: list = [
        f'Share of respondents in {country} who trust each institution ("a great deal" '
        'or "quite a lot" of trust), %.'
    ]
    for col in columns:
        weighting = (
            ("weighted by ", Code(col.weight_variable))
            if col.weighted and col.weight_variable
            else ("unweighted",)
        ) + ((f" ({col.weight_note})",) if col.weight_note else ())
        denominator = (
            "substantive answers only (don't know, can't choose, decline and missing excluded)"
            if col.nonresponse == "exclude"
            else "all respondents (nonresponse counted as not trusting)"
        )
        notes.append(
            (f"{col.year}: ABS {col.wave}, {col.respondents:,} respondents; ", *weighting,
             f"; denominator: {denominator}.")
        )  # fmt: skip
    if len(columns) >= 2:
        notes.append(
            f"Change = {columns[-1].year} − {columns[0].year}, computed from unrounded shares, "
            "then rounded."
        )
    notes.append(f"{NOT_ASKED} = not asked.")
    if synthetic:
        notes.append(SYNTHETIC_NOTE)
    return notes


def design_note(metas: Sequence[Mapping]) -> str:
    """How the weighted SEs treat the sample: the releases' PSUs/strata, or weights only."""
    named = []
    for meta in metas:
        kinds = [k for k in ("psu", "strata") if meta.get(f"{k}_variable")]
        if kinds:
            listed = [(", " if i else "", f"{k} ", Code(meta[f"{k}_variable"]))
                      for i, k in enumerate(kinds)]  # fmt: skip
            named.append((f"{meta['wave']}: ", *(p for parts in listed for p in parts)))
    if not named:
        return WEIGHTS_ONLY_NOTE
    joined = [p for i, parts in enumerate(named) for p in (("; ",) if i else ()) + parts]
    return (
        "Standard errors of weighted shares: Taylor linearization with the releases' design (",
        *joined,
        "); a wave without design variables: weights only, clustering not accounted for.",
    )


def change_notes(columns: list[Column], both_weighted: bool) -> list[str]:
    """What the change columns assume: which convention each uses, and the interval."""
    first, last = columns[0], columns[-1]
    notes = [
        f"Change: {last.year} − {first.year} under the year columns' conventions (as printed). "
        "95 % CI: independent samples, each wave's standard error under its own design "
        "(Taylor linearization; unweighted: simple random sample), t on Welch-Satterthwaite "
        f"df; {INCLUDES_ZERO['markdown']} = the 95 % CI includes 0."
    ]
    if both_weighted:
        notes.append(
            ("Change, both weighted: the same change with both waves weighted (",
             Code(first.weight_variable), f" ({first.year}) and ", Code(last.weight_variable),
             f" ({last.year})), one consistent convention; its 95 % CI as above.")
        )  # fmt: skip
    return notes


def _display(table: pd.DataFrame, changes: pd.DataFrame, fmt: str) -> pd.DataFrame:
    """Table 4 with the change columns as text: the change (marked when its CI includes 0)
    and its CI, under the headline and the both-weighted conventions. ``fmt``: markdown or
    latex (the mark and the header's % differ)."""
    out = table.drop(columns="change")
    percent = r"\%" if fmt == "latex" else "%"
    labels = {
        "headline": ("Change", f"95 {percent} CI"),
        "weighted": ("Change, both weighted", f"95 {percent} CI, both weighted"),
    }
    for convention, (change_label, ci_label) in labels.items():
        rows = changes[changes["convention"] == convention].set_index("institution")
        if rows.empty:
            continue
        rows = rows.reindex(out.index)
        # a share not shown (marker x/w) leaves its change unshown, with the same marker
        markers = [m if isinstance(m, str) else "" for m in table["change"]]
        out[change_label] = [
            marker or fmt_share(c) + (INCLUDES_ZERO[fmt] if zero is True else "")
            for c, zero, marker in zip(
                rows["change"], rows["ci_includes_zero"], markers, strict=True
            )
        ]
        out[ci_label] = [
            marker or (NOT_ASKED if pd.isna(lo) else f"[{fmt_share(lo)}, {fmt_share(hi)}]")
            for lo, hi, marker in zip(rows["ci_low"], rows["ci_high"], markers, strict=True)
        ]
    return out


def table4_texts(
    trust: pd.DataFrame,
    metas: Sequence[Mapping],
    country: str,
    weighted: Mapping[str, bool],
    nonresponse: str,
    extra_notes: Sequence[str] = (),
    min_cell_size: int | None = None,
) -> tuple[str, str, str, str]:
    """Table 4 as Markdown, LaTeX and HTML (one column per wave in ``metas``), and a summary
    line.

    ``extra_notes`` follow the table's own notes (e.g. the files it was computed from); each
    format escapes them, as every note.
    """
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
    label = country_label(country)
    table = table4_frame(trust, country, columns, TABLE4_INSTITUTIONS)
    notes = table4_notes(columns, label, synthetic)
    cells = table.drop(columns="institution").to_numpy().ravel()
    notes += withheld_notes([c for c in cells if isinstance(c, str)], min_cell_size)
    md_table, tex_table = table, table
    if len(columns) >= 2 and "se" in trust.columns:
        changes = table4_changes(trust, country, columns, nonresponse)
        if columns[0].weighted and columns[-1].weighted:  # the printed change is that already
            changes = changes[changes["convention"] != "weighted"]
        both_weighted = (changes["convention"] == "weighted").any()
        after = 1 + next(
            i for i, n in enumerate(notes) if isinstance(n, str) and n.startswith("Change =")
        )
        notes[after:after] = [*change_notes(columns, both_weighted), design_note(metas)]
        md_table, tex_table = (
            _display(table, changes, "markdown"),
            _display(table, changes, "latex"),
        )
    notes += list(extra_notes)
    years = ", ".join(str(c.year) for c in columns)
    title = f"Public trust in institutions in {label}, {years} (%)"
    md, tex = table4_markdown(md_table, notes, title), table4_latex(tex_table, notes, title)
    html = table4_html(md_table, notes, title, synthetic, md, tex)
    return md, tex, html, f"Table 4: {len(table)} institutions x {len(columns)} years"


def table4_html(table, notes, title, synthetic, md, tex) -> str:
    """Table 4 as the report shows it: the same rows, numbers and notes as the Markdown."""
    shown = table.rename(columns={"institution": "Institution", "change": "Change"})
    numeric = [c for c in shown.columns if c != "Institution"]
    return html_page(
        title,
        [HtmlTable(shown, numeric=numeric, formats=dict.fromkeys(numeric, fmt_share))],
        notes=notes,
        synthetic=synthetic,
        downloads=[("table4.md", "text/markdown", md), ("table4.tex", "text/x-tex", tex)],
    )


def table4_changes(
    trust: pd.DataFrame, country: str, columns: list[Column], nonresponse: str
) -> pd.DataFrame:
    """The changes between Table 4's first and last columns, with CI and p, under the
    columns' (headline) convention, both weighted and both unweighted, for its institutions
    (`abs_trust.stats.changes.changes_table`)."""
    # imported here: the figure jobs read this module's constants and need no scipy
    from abs_trust.stats.changes import changes_table

    changes = changes_table(
        trust, country, [c.wave for c in columns], {c.wave: c.weighted for c in columns},
        nonresponse,
    )  # fmt: skip
    return changes[changes["institution"].isin(TABLE4_INSTITUTIONS)].reset_index(drop=True)


def _unweighted_because(variable: str, facts: Mapping) -> str:
    """Why a country's estimates are unweighted although weights were asked for ("" if not)."""
    if facts.get("weight_varies", True):
        return ""
    if facts.get("weight_missing"):
        return f"{variable} is missing for this country in the release"
    return f"{variable} does not vary in this country"
