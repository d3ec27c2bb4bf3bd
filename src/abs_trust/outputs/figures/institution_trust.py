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
    _title_and_notes,
    notes_height,
)
from abs_trust.outputs.labels import country_label
from abs_trust.outputs.table4 import TABLE4_INSTITUTIONS, headline_weighted

__all__ = ["figure_institution_trust", "table4_chart_text", "table4_rows"]


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


def table4_chart_text(
    metas: Sequence[Mapping], country: str, weighted: Mapping[str, bool], nonresponse: str
) -> tuple[str, str]:
    """The Table 4 chart's title and notes: country, years, waves, weighting, n, denominator."""
    years = [str(m["countries"][country]["year"]) for m in metas]
    shown = ", ".join(years[:-1]) + f" and {years[-1]}" if len(years) > 1 else "".join(years)
    title = f"Public trust in institutions, {country_label(country)}, {shown}"
    columns = []
    for meta, year in zip(metas, years, strict=True):
        weight = headline_weighted(meta, country, weighted[meta["wave"]])
        columns.append(
            f"{year}: ABS {meta['wave']}, {meta['countries'][country]['respondents']:,} "
            f"respondents, {'weighted by ' + meta['weight_variable'] if weight else 'unweighted'}"
        )
    denominator = (
        "nonresponse excluded from each share's denominator"
        if nonresponse == "exclude"
        else "nonresponse counted as not trusting"
    )
    notes = (
        f"% trusting (a great deal or quite a lot) with 95 % CI; {denominator}. "
        + "; ".join(columns)
        + "."
    )
    return title, notes


# --------------------------------------------------------------------------- figure


def figure_institution_trust(
    trust: pd.DataFrame,
    synthetic: bool,
    title: str | None = None,
    institutions: Sequence[str] | None = None,
    years: Sequence[int] | None = None,
    notes: str | None = None,
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
    institutions, years : sequence, optional
        Rows and years the chart must show even where ``trust`` has no share: a row's label
        then says which years the item was not asked in.
    notes : str, optional
        What the figure shows (data, weighting, n), set under the plot.

    Returns
    -------
    matplotlib.figure.Figure
        One axes: a row per institution, sorted by the latest year's share (highest on top),
        a marker per year (distinct colour and shape), a grey line joining the years, every
        share labelled to one decimal in its year's colour, thin error bars where
        ``ci_low``/``ci_high`` are given, and "not asked in <year>" under a row's name.

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

    years = sorted(set(data["year"]) | set(years or ()))
    latest = years[-1]
    wide = data.pivot(index="institution", columns="year", values="pct_trust")
    rows = list(dict.fromkeys([*(institutions or ()), *wide.index]))
    wide = wide.reindex(index=rows, columns=years)
    # Sort by the latest year's share; institutions absent that year go by their latest share.
    latest_share = wide[latest]
    fallback = wide.ffill(axis=1).iloc[:, -1]
    order = (
        pd.DataFrame({"has_latest": latest_share.notna(), "key": latest_share.fillna(fallback)})
        .sort_values(
            ["has_latest", "key"], ascending=[True, True], kind="stable", na_position="first"
        )  # fmt: skip
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
            title += f", {country_label(str(data['country'].iloc[0]))}"

    # Legend entries ("2011 (W3, unweighted)") are ~1.6 in wide: more than two side by side
    # overflow the 5.5 in figure and constrained layout collapses the axes (five waves did).
    legend_cols = min(len(years), 2)
    legend_rows = -(-len(years) // legend_cols)
    two_line_rows = sum(wide.loc[i].isna().any() for i in order)
    height = 1.35 + 0.27 * len(order) + 0.12 * two_line_rows + 0.17 * (legend_rows - 1)
    notes, notes_in = notes_height(notes, 5.5 + (len(years) > 2) * len(years) * 0.4)
    height += notes_in
    height += _FOOTER_SPACE_IN if synthetic else 0.0
    width = 5.5 + (len(years) * VALUE_COLUMN_PT / 72 if len(years) > 2 else 0.0)
    with mpl.rc_context(_STYLE):
        fig = _new_figure(width, height, synthetic, reserve_in=notes_in)
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

        if len(years) <= 2:
            for inst in order:
                _label_values(ax, data.loc[data["institution"] == inst], ypos[inst], years)
        else:  # labels beside the markers would overlap: a column of values per year
            _value_columns(ax, wide, order, years)

        ax.set_yticks(range(len(order)), [_row_label(i, wide, years) for i in order])
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
        _title_and_notes(fig, title, notes, synthetic=synthetic)
    return fig


def _label_values(ax, rows: pd.DataFrame, y: float, years: list[int]) -> None:
    """Every marker of a row labelled with its value, in its year's colour: the lowest just
    left of the row's leftmost marker or error bar, the highest just right of its rightmost;
    any in between (three or more years) just above its marker."""
    if rows.empty:
        return
    rows = rows.sort_values(["pct_trust", "year"], kind="stable")
    lowest, highest = rows.iloc[0], rows.iloc[-1]
    left_end = np.nanmin(np.append(rows["ci_low"].to_numpy(dtype=float), lowest["pct_trust"]))
    right_end = np.nanmax(np.append(rows["ci_high"].to_numpy(dtype=float), highest["pct_trust"]))
    for k, (_, row) in enumerate(rows.iterrows()):
        colour = YEAR_COLOURS[years.index(row["year"]) % len(YEAR_COLOURS)]
        text = f"{row['pct_trust']:.1f}"
        if k == len(rows) - 1:
            where = {"xy": (right_end, y), "xytext": (5, 0), "ha": "left", "va": "center"}
        elif k == 0:
            where = {"xy": (left_end, y), "xytext": (-5, 0), "ha": "right", "va": "center"}
        else:
            where = {"xy": (row["pct_trust"], y), "xytext": (0, 5), "ha": "center",
                     "va": "bottom"}  # fmt: skip
        size = 8 if where["va"] == "center" else 6.5
        ax.annotate(text, textcoords="offset points", fontsize=size, color=colour,
                    fontweight="bold", **where)  # fmt: skip


VALUE_COLUMN_PT = 28  # width of a year's column of values right of the plot (three+ years)


def _value_columns(ax, wide: pd.DataFrame, order: list[str], years: list[int]) -> None:
    """Right of the plot, one column per year (in its colour): the share of each row, or a
    dash where the item was not asked."""
    top = len(order) - 0.45
    for k, year in enumerate(years):
        colour = YEAR_COLOURS[k % len(YEAR_COLOURS)]
        place = {"xycoords": ("axes fraction", "data"), "textcoords": "offset points",
                 "ha": "right", "annotation_clip": False, "color": colour}  # fmt: skip
        offset = (VALUE_COLUMN_PT * (k + 1), 0)
        ax.annotate(str(year), (1.0, top), xytext=offset, fontsize=7, fontweight="bold",
                    va="bottom", **place)  # fmt: skip
        for y, inst in enumerate(order):
            value = wide.loc[inst, year]
            text = "–" if pd.isna(value) else f"{value:.1f}"
            ax.annotate(text, (1.0, y), xytext=offset, fontsize=7, va="center", **place)


def _row_label(inst: str, wide: pd.DataFrame, years: list[int]) -> str:
    """The institution's name, and the years it was not asked in (no marker is drawn there)."""
    missing = [str(y) for y in years if pd.isna(wide.loc[inst].get(y, np.nan))]
    label = _institution_label(inst)
    if missing:
        label += f"\n(not asked in {' or '.join(missing)})"
    return label


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
