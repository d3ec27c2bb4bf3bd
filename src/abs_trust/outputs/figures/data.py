"""What each figure shows, chosen from the run's tables: the rows and panels it is drawn from.

Kept apart from `abs_trust.outputs.figures.style` (drawing) so the choice of convention (weighted or
not, which nonresponse denominator) is one small, testable step.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import pandas as pd

from abs_trust.outputs.table_text import TABLE4_INSTITUTIONS, headline_weighted

FIGURE1_COLUMNS = ["country", "weight", "trust_local_government", "trust_ngos"]


def figure1_panels(
    frames: Mapping[str, pd.DataFrame],
    metas: Sequence[Mapping],
    corr: pd.DataFrame,
    country: str,
    weighted: Mapping[str, bool],
) -> tuple[list[dict], list[str] | None, bool]:
    """Figure 1's panels (one per wave asking both items), the level labels, and synthetic.

    ``frames`` maps wave -> harmonized respondents (at least `FIGURE1_COLUMNS`).
    """
    panels, level_labels, synthetic = [], None, False
    for meta in metas:
        wave = meta["wave"]
        frame = frames[wave]
        frame = frame[frame["country"] == country]
        use_weight = headline_weighted(meta, country, weighted[wave])
        row = corr[
            (corr["country"] == country)
            & (corr["wave"] == wave)
            & (corr["x"] == "local_government")
            & (corr["y"] == "ngos")
            & (corr["controls"] == "")
            & (corr["weighted"] == use_weight)
        ]
        if row.empty:  # an item not asked in this wave: no panel rather than an empty one
            continue
        year = meta["countries"][country]["year"]
        panels.append(
            {
                "title": f"{year} (ABS {wave})",
                "frame": frame,
                "weight": "weight" if use_weight else None,
                "r": float(row["r"].iloc[0]),
                "n": int(row["n"].iloc[0]),
                "note": "weighted" if use_weight else "unweighted",
            }
        )
        synthetic = synthetic or meta["synthetic"]
        level_labels = level_labels or meta["scale"]["level_labels"]
    return panels, level_labels, synthetic


def table4_rows(
    trust: pd.DataFrame,
    metas: Sequence[Mapping],
    country: str,
    weighted: Mapping[str, bool],
    nonresponse: str,
) -> pd.DataFrame:
    """The Table 4 shares of ``country``, one convention per wave, for the Table 4 chart."""
    keep = []
    for meta in metas:
        use_weight = headline_weighted(meta, country, weighted[meta["wave"]])
        keep.append(
            trust[
                (trust["country"] == country)
                & (trust["wave"] == meta["wave"])
                & (trust["weighted"] == use_weight)
                & (trust["nonresponse"] == nonresponse)
                & trust["institution"].isin(list(TABLE4_INSTITUTIONS))
            ]
        )
    return pd.concat(keep, ignore_index=True)


def correlation_rows(corr: pd.DataFrame, pair: Sequence[str], weighted: bool) -> pd.DataFrame:
    """Bivariate Pearson r of ``pair``, one row per country-wave.

    Weighted when ``weighted`` and the country-wave has a weighted estimate; otherwise the
    unweighted one (W1/W2 weights that do not vary within a country give no weighted row,
    and such a country-wave keeps its point rather than vanishing from the figure).
    """
    x, y = pair
    base = corr[
        (corr["x"] == x) & (corr["y"] == y) & (corr["method"] == "pearson")
        & (corr["controls"] == "")
    ]  # fmt: skip
    # the preferred convention sorts first; keep the first row of each country-wave
    preferred = (base["weighted"] == weighted).astype(int)
    ordered = base.assign(_preferred=preferred).sort_values(
        ["country", "wave", "_preferred"], ascending=[True, True, False], kind="stable"
    )
    rows = ordered.drop_duplicates(["country", "wave"]).drop(columns="_preferred")
    return rows.sort_index()
