"""The cross-national tables: share trusting by country × wave, and the coverage table
(which items each country-wave asked, and their nonresponse)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from abs_trust.harmonize.crosswalk import INSTITUTION_LABELS
from abs_trust.outputs.markdown_latex import NOT_ASKED, fmt_share, wide_latex, wide_markdown
from abs_trust.outputs.table4 import SYNTHETIC_NOTE

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
    columns = [c for c in INSTITUTION_LABELS if c in wide.columns]
    return wide[columns].reset_index()


def coverage_wide(coverage: pd.DataFrame) -> pd.DataFrame:
    """Coverage as country × wave rows: the nonresponse share per item, or not asked."""
    cells = coverage.assign(
        cell=lambda d: d.apply(
            lambda r: fmt_share(100 * r["nonresponse_share"]) if r["asked"] else NOT_ASKED, axis=1
        )
    )
    wide = cells.pivot_table(
        index=["country", "wave", "year"], columns="institution", values="cell", aggfunc="first"
    )
    columns = [c for c in INSTITUTION_LABELS if c in wide.columns]
    return wide[columns].reset_index()


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
