"""Notes that keep the cross-national tables within what measurement invariance licenses.

Means and shares compared across groups need scalar invariance; correlations need metric
(equal loadings). A country-wave whose comparison (across the countries of its wave, or
across the waves of its country) is tested and does not reach the level gets a note.
"""

from __future__ import annotations

import pandas as pd

RANK = {"none": 0, "configural": 1, "metric": 2, "scalar": 3}
NEEDS = {"shares": "scalar", "correlations": "metric"}
WHERE = {"across_countries": "across the countries of {wave}",
         "across_waves": "across the waves of {country}"}  # fmt: skip


def _note(row, quantity: str) -> str:
    need = NEEDS[quantity]
    parts = []
    for comparison, where in WHERE.items():
        level = row[comparison]
        if level and RANK[level] < RANK[need]:
            parts.append(
                f"{where.format(wave=row['wave'], country=row['country'])}: {level} invariance "
                f"only ({quantity} need {need})"
            )
    return "; ".join(parts)


def comparability_levels(invariance: pd.DataFrame, index: pd.DataFrame) -> pd.DataFrame:
    """Per country-wave: the level supported across countries and across waves ('' = not
    tested) and the notes for shares (need scalar) and correlations (need metric)."""
    from abs_trust.stats.invariance import supported_levels

    levels = supported_levels(invariance, index)
    levels["note_shares"] = levels.apply(_note, axis=1, quantity="shares")
    levels["note_correlations"] = levels.apply(_note, axis=1, quantity="correlations")
    return levels


def add_note_column(table: pd.DataFrame, levels: pd.DataFrame, quantity: str) -> pd.DataFrame:
    """``table`` with a ``comparability`` column: the country-wave's note for ``quantity``."""
    if table.empty:
        return table
    notes = levels.set_index(["country", "wave"])[f"note_{quantity}"]
    key = pd.MultiIndex.from_frame(table[["country", "wave"]].astype(str))
    return table.assign(comparability=notes.reindex(key).fillna("").to_numpy())


def footnote_lines(levels: pd.DataFrame) -> list[str]:
    """Footnote lines for trust_by_country: each country-wave whose shares are not licensed."""
    flagged = levels[levels["note_shares"].fillna("") != ""]
    lines = [f"{r.country} {r.wave}: {r.note_shares}." for r in flagged.itertuples()]
    if not lines:
        return []
    return ["Measurement invariance (results/tables/invariance.csv): " + " ".join(lines)]


def append_rows(table: pd.DataFrame, path) -> pd.DataFrame:
    """``table`` with the rows of the CSV at ``path`` added below (nothing when it is empty)."""
    extra = pd.read_csv(path)
    if extra.empty:
        return table
    return pd.concat([table, extra], ignore_index=True)


def scale_footnote_lines(path) -> list[str]:
    """One footnote line listing the cross-wave share changes that depend on the mapping of
    the six-point scale (results/tables/scale_changes.csv)."""
    changes = pd.read_csv(path)
    if changes.empty or not changes["depends_on_mapping"].any():
        return []
    flagged = changes[changes["depends_on_mapping"]]
    items = flagged.drop_duplicates(["country", "from_wave", "to_wave", "institution"])
    listed = ", ".join(
        f"{r.country} {r.institution} {r.from_wave}→{r.to_wave}" for r in items.itertuples()
    )
    return [
        "Scale change (six-point W5 vs four points): the sign or significance of these changes "
        f"depends on how the six points are mapped (results/tables/scale_changes.csv): {listed}."
    ]
