"""The cross-national figure: the correlation of two trust items per country, wave by wave.

What it shows (:func:`correlation_rows`, chosen from the run's correlation table) and its
drawing (:func:`figure_correlation_by_country`).
"""

from __future__ import annotations

from collections.abc import Sequence

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator

from abs_trust.errors import DataError
from abs_trust.outputs.figures.style import (
    _FOOTER_SPACE_IN,
    _STYLE,
    YEAR_COLOURS,
    _new_figure,
    _require_columns,
    _title_and_notes,
    notes_height,
)
from abs_trust.outputs.labels import country_heading, institution_label, wave_number

__all__ = ["correlation_rows", "correlation_text", "figure_correlation_by_country", "joined"]


# --------------------------------------------------------------------------- data


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


# --------------------------------------------------------------------------- figure


#: a line joins two estimates of a country only if they are consecutive waves at most this
#: many years apart; anything else is two separate points, not a trend
MAX_GAP_YEARS = 6


def joined(waves: Sequence[str], years: Sequence[int]) -> list[bool]:
    """For each pair of neighbouring estimates (sorted by year): whether a line joins them."""
    out = []
    for (w0, y0), (w1, y1) in zip(
        zip(waves, years, strict=True), zip(waves[1:], years[1:], strict=True), strict=False
    ):
        n0, n1 = wave_number(w0), wave_number(w1)
        out.append(n0 is not None and n1 == n0 + 1 and 0 <= y1 - y0 <= MAX_GAP_YEARS)
    return out


def correlation_text(rows: pd.DataFrame, pair: Sequence[str]) -> tuple[str, str]:
    """The figure's title and notes: the pair, the method, the weighting, what lines mean."""
    x, y = (_lower_first(institution_label(p)) for p in pair)
    title = f"Trust in {x} and in {y}: Pearson r by country and wave"
    flags = set(rows["weighted"].astype(bool)) if "weighted" in rows else {False}
    if flags == {True}:
        weighting = "All estimates weighted by the wave's within-country weight."
    elif flags == {False}:
        weighting = "All estimates unweighted."
    else:
        weighting = (
            "Filled markers: weighted by the wave's within-country weight; open markers: "
            "unweighted (the weight is constant or missing in that country-wave)."
        )
    notes = (
        f"Bivariate Pearson r with 95 % CI (Fisher z); wave and r above each interval, n "
        f"under it. {weighting} A line "
        f"joins consecutive waves of a country at most {MAX_GAP_YEARS} years apart."
    )
    return title, notes


def figure_correlation_by_country(
    corr: pd.DataFrame,
    synthetic: bool,
    title: str | None = None,
    ncols: int = 4,
    notes: str | None = None,
) -> Figure:
    """Small multiples: the correlation of two trust items per country, wave by wave.

    Parameters
    ----------
    corr : pandas.DataFrame
        Rows of ``results/tables/correlations.csv`` already filtered to one pair, one method
        and one set of controls, one row per country-wave: columns ``country``, ``wave``,
        ``year``, ``r``, ``ci_low``, ``ci_high``; optional ``n`` (printed under each value)
        and ``weighted`` (open markers for unweighted estimates). Rows with a missing r are
        not drawn.
    synthetic : bool
        Adds :data:`SYNTHETIC_FOOTER` when true.
    title, notes : str, optional
        Figure title and notes under the panels (see `correlation_text`).

    Returns
    -------
    matplotlib.figure.Figure
        One panel per country, every panel on the same axes (shared y: r from 0 at least down
        to the lowest CI; shared x: every year of the figure), a point per wave at its year
        with the 95 % interval; a line joins two points only if they are consecutive waves at
        most `MAX_GAP_YEARS` apart.
    """
    _require_columns(corr, ["country", "wave", "year", "r", "ci_low", "ci_high"])
    data = corr.loc[corr["r"].notna()].copy()
    if data.empty:
        raise DataError("correlation table has no estimate to plot")
    countries = sorted(data["country"].unique())
    ncols = max(1, min(ncols, len(countries)))
    nrows = -(-len(countries) // ncols)
    low = min(0.0, float(data["ci_low"].min()) - 0.08)  # room for "n = ..." under the bars
    high = max(0.5, float(data["ci_high"].max()) + 0.12)  # and for wave and r above them
    first, last = int(data["year"].min()), int(data["year"].max())
    pad = max(1.5, 0.08 * (last - first))
    # panels wide enough that neighbouring waves' labels (about 0.35 in) do not overlap
    panel = max(1.9, 0.11 * (last - first + 2 * pad) + 0.4)
    width = 1.2 + panel * ncols
    height = 0.9 + 1.9 * nrows + (_FOOTER_SPACE_IN if synthetic else 0.0)
    notes, notes_in = notes_height(notes, width)
    height += notes_in
    with mpl.rc_context(_STYLE):
        fig = _new_figure(width, height, synthetic, reserve_in=notes_in)
        axes = np.atleast_1d(
            fig.subplots(nrows, ncols, sharex=True, sharey=True, squeeze=False)
        ).ravel()
        for ax, country in zip(axes, countries, strict=False):
            rows = data[data["country"] == country].sort_values("year")
            years = rows["year"].astype(int).to_numpy()
            r = rows["r"].to_numpy(dtype=float)
            links = joined(list(rows["wave"].astype(str)), list(years))
            for k, link in enumerate(links):
                if link:
                    ax.plot(years[k : k + 2], r[k : k + 2], color="0.6", lw=1, zorder=1,
                            gid="wave-link")  # fmt: skip
            weighted = (
                rows["weighted"].astype(bool).to_numpy()
                if "weighted" in rows
                else np.zeros(len(rows), bool)
            )
            for k in range(len(rows)):
                err = [[r[k] - float(rows["ci_low"].iloc[k])],
                       [float(rows["ci_high"].iloc[k]) - r[k]]]  # fmt: skip
                ax.errorbar(years[k], r[k], yerr=err, fmt="o", color=YEAR_COLOURS[0], ms=4,
                            capsize=2, lw=1, zorder=2,
                            mfc=YEAR_COLOURS[0] if weighted[k] else "white")  # fmt: skip
            # the wave and r above each interval, its n below
            ns = rows["n"].to_numpy() if "n" in rows else [None] * len(rows)
            tops, bottoms = rows["ci_high"].to_numpy(float), rows["ci_low"].to_numpy(float)
            for k, (year, value, wave) in enumerate(zip(years, r, rows["wave"], strict=True)):
                ax.annotate(f"{wave}\n{value:.2f}", (year, max(tops[k], value)),
                            textcoords="offset points", xytext=(0, 2), fontsize=6,
                            ha="center", va="bottom", linespacing=1.0)  # fmt: skip
                if ns[k] is not None and not pd.isna(ns[k]):
                    ax.annotate(f"n = {int(ns[k]):,}", (year, min(bottoms[k], value)),
                                textcoords="offset points", xytext=(0, -2), fontsize=5.5,
                                ha="center", va="top", color="0.3")  # fmt: skip
            ax.set_title(country_heading(country), fontsize=9, y=1.0)  # as in Figure 1
            ax.axhline(0, color="0.3", lw=0.6)
            ax.grid(axis="y", color="0.9")
        axes[0].set_ylim(low, high)
        axes[0].set_xlim(first - pad, last + pad)
        axes[0].xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
        for ax in axes[len(countries) :]:
            ax.set_visible(False)
        for ax in axes[::ncols]:
            ax.set_ylabel("r (95 % CI)")
        for ax in axes[: len(countries)]:
            ax.tick_params(labelbottom=True)  # every panel shows its years
        title = title or correlation_text(data, ("local_government", "ngos"))[0]
        _title_and_notes(fig, title, notes, synthetic=synthetic)
    return fig


def _lower_first(label: str) -> str:
    return label if label[1:2].isupper() else label[:1].lower() + label[1:]
