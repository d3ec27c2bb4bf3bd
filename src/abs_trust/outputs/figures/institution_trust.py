"""The Table 4 shares as a dumbbell chart: what it shows (:func:`table4_rows`, one convention
per wave, chosen from the run's tables) and its drawing (:func:`figure_institution_trust`)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import FixedLocator

from abs_trust.errors import DataError
from abs_trust.outputs.figures.style import (
    _FOOTER_SPACE_IN,
    _STYLE,
    YEAR_COLOURS,
    YEAR_MARKERS,
    _institution_label,
    _new_figure,
)
from abs_trust.outputs.table4 import TABLE4_INSTITUTIONS, headline_weighted

__all__ = ["figure_institution_trust", "table4_rows"]


# --------------------------------------------------------------------------- data


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


# --------------------------------------------------------------------------- figure


def figure_institution_trust(
    trust: pd.DataFrame, synthetic: bool, title: str | None = None
) -> Figure:
    """Dumbbell chart of the share trusting each institution, earlier year -> later year.

    Parameters
    ----------
    trust : pandas.DataFrame
        Rows of ``results/tables/institution_trust.csv`` already filtered to what is plotted:
        one row per institution x year (columns ``institution``, ``year``, ``pct_trust``;
        optional ``wave``, ``weighted``, ``ci_low``, ``ci_high``, ``country``). Rows with a
        missing ``pct_trust`` (item not asked) are not drawn. Any number of years works.
    synthetic : bool
        Adds :data:`SYNTHETIC_FOOTER` when true.
    title : str, optional
        Figure title; default "Public trust in institutions" plus the country if it is unique.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a row per institution, sorted by the latest year's share (highest on top),
        a marker per year (distinct colour and shape), a grey line joining the years, the latest
        share labelled to one decimal, thin error bars where ``ci_low``/``ci_high`` are given.

    Raises
    ------
    abs_trust.errors.DataError
        Required columns are missing, the table is empty, or an institution x year appears
        twice (e.g. weighted and unweighted rows both left in).
    """
    required = ["institution", "year", "pct_trust"]
    missing = [c for c in required if c not in trust.columns]
    if missing:
        raise DataError(f"trust table lacks column(s) {missing}; expected {required}")
    data = trust.loc[trust["pct_trust"].notna()].copy()
    if data.empty:
        raise DataError("trust table has no row with a pct_trust value to plot")
    data["year"] = data["year"].astype(int)
    dup = data.duplicated(["institution", "year"], keep=False)
    if dup.any():
        shown = sorted(set(zip(data.loc[dup, "institution"], data.loc[dup, "year"], strict=True)))
        raise DataError(
            f"trust table has several rows for institution x year {shown[:5]}; filter it to one "
            "country and one convention (weighted or not) before plotting"
        )
    for column in ("ci_low", "ci_high"):
        if column not in data.columns:
            data[column] = np.nan
    data["pct_trust"] = data["pct_trust"].astype(float)
    data["ci_low"] = pd.to_numeric(data["ci_low"], errors="coerce").astype(float)
    data["ci_high"] = pd.to_numeric(data["ci_high"], errors="coerce").astype(float)

    years = sorted(data["year"].unique())
    latest = years[-1]
    wide = data.pivot(index="institution", columns="year", values="pct_trust")
    # Sort by the latest year's share; institutions absent that year go by their latest share.
    latest_share = wide[latest]
    fallback = wide.ffill(axis=1).iloc[:, -1]
    order = (
        pd.DataFrame({"has_latest": latest_share.notna(), "key": latest_share.fillna(fallback)})
        .sort_values(["has_latest", "key"], ascending=[True, True], kind="stable")
        .index.tolist()
    )  # lowest first = bottom row
    ypos = {inst: i for i, inst in enumerate(order)}

    lows = data[["pct_trust", "ci_low"]].min(axis=1)
    highs = data[["pct_trust", "ci_high"]].max(axis=1)
    span = max(highs.max() - lows.min(), 10.0)
    x_lo = max(0.0, lows.min() - 0.12 * span - 2)
    x_hi = highs.max() + 0.12 * span + 2
    if title is None:
        title = "Public trust in institutions"
        if "country" in data.columns and data["country"].nunique() == 1:
            country = str(data["country"].iloc[0])
            title += ", mainland China" if country == "china" else f", {country.title()}"

    # Legend entries ("2011 (W3, unweighted)") are ~1.6 in wide: more than two side by side
    # overflow the 5.5 in figure and constrained layout collapses the axes (five waves did).
    legend_cols = min(len(years), 2)
    legend_rows = -(-len(years) // legend_cols)
    height = 1.35 + 0.27 * len(order) + 0.17 * (legend_rows - 1)
    height += _FOOTER_SPACE_IN if synthetic else 0.0
    with mpl.rc_context(_STYLE):
        fig = _new_figure(5.5, height, synthetic)
        ax = fig.subplots()
        for inst in order:
            row = wide.loc[inst].dropna()
            if len(row) > 1:
                ax.plot(
                    [row.min(), row.max()],
                    [ypos[inst]] * 2,
                    color="0.75",
                    linewidth=2.2,
                    solid_capstyle="round",
                    zorder=1,
                )
        handles, legend_labels = [], []
        for k, year in enumerate(years):
            colour = YEAR_COLOURS[k % len(YEAR_COLOURS)]
            marker = YEAR_MARKERS[k % len(YEAR_MARKERS)]
            rows = data.loc[data["year"] == year]
            yy = rows["institution"].map(ypos).to_numpy(dtype=float)
            xx = rows["pct_trust"].to_numpy()
            has_ci = rows["ci_low"].notna() & rows["ci_high"].notna()
            if has_ci.any():
                ci = rows.loc[has_ci]
                ax.errorbar(
                    ci["pct_trust"],
                    ci["institution"].map(ypos).to_numpy(dtype=float),
                    xerr=[
                        (ci["pct_trust"] - ci["ci_low"]).clip(lower=0),
                        (ci["ci_high"] - ci["pct_trust"]).clip(lower=0),
                    ],
                    fmt="none",
                    ecolor=colour,
                    elinewidth=0.8,
                    capsize=2,
                    capthick=0.8,
                    alpha=0.9,
                    zorder=2,
                )
            handle = ax.scatter(
                xx,
                yy,
                s=34,
                marker=marker,
                color=colour,
                edgecolors="white",
                linewidths=0.6,
                zorder=3 + k,
            )
            handles.append(handle)
            legend_labels.append(_year_label(rows, year))

        latest_rows = data.loc[data["year"] == latest].set_index("institution")
        for inst, rec in latest_rows.iterrows():
            mine = data.loc[data["institution"] == inst]
            others = mine.loc[mine["year"] != latest, "pct_trust"]
            value = rec["pct_trust"]
            left = len(others) > 0 and value < others.min()
            # Label just outside the row's outermost marker or error bar on the chosen side.
            if left:
                anchor = np.nanmin(np.append(mine["ci_low"].to_numpy(dtype=float), value))
            else:
                ends = np.append(mine["ci_high"].to_numpy(dtype=float), mine["pct_trust"].max())
                anchor = np.nanmax(ends)
            ax.annotate(
                f"{value:.1f}",
                xy=(anchor, ypos[inst]),
                xytext=(-5 if left else 5, 0),
                textcoords="offset points",
                ha="right" if left else "left",
                va="center",
                fontsize=8,
                color=YEAR_COLOURS[(len(years) - 1) % len(YEAR_COLOURS)],
                fontweight="bold",
            )

        ax.set_yticks(range(len(order)), [_institution_label(i) for i in order])
        ax.set_ylim(-0.7, len(order) - 0.3)
        ax.set_xlim(x_lo, x_hi)
        ticks = [t for t in range(0, 101, 10) if x_lo <= t <= x_hi]
        ax.xaxis.set_major_locator(FixedLocator(ticks))
        ax.set_xlabel("% trusting (a great deal or quite a lot)")
        ax.grid(axis="x", color="0.9", linewidth=0.6, zorder=0)
        ax.set_axisbelow(True)
        ax.tick_params(axis="y", length=0)
        ax.spines["left"].set_visible(False)
        ax.legend(
            handles,
            legend_labels,
            loc="lower left",
            bbox_to_anchor=(0.0, 1.0),
            ncols=legend_cols,
            frameon=False,
            borderaxespad=0.2,
            handletextpad=0.3,
            columnspacing=1.2,
        )
        fig.suptitle(title, fontweight="bold")
    return fig


def _year_label(rows: pd.DataFrame, year: int) -> str:
    """'2011 (W3, unweighted)' from the rows of one year, as far as the columns tell."""
    details = []
    if "wave" in rows.columns and rows["wave"].nunique() == 1:
        details.append(str(rows["wave"].iloc[0]))
    if "weighted" in rows.columns and rows["weighted"].nunique() == 1:
        flag = rows["weighted"].iloc[0]
        if isinstance(flag, str):
            flag = flag.strip().lower() in {"true", "1", "yes"}
        details.append("weighted" if bool(flag) else "unweighted")
    return f"{year} ({', '.join(details)})" if details else str(year)
