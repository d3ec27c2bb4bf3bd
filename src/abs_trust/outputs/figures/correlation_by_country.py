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
)

__all__ = ["correlation_rows", "figure_correlation_by_country"]


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


def figure_correlation_by_country(
    corr: pd.DataFrame, synthetic: bool, title: str | None = None, ncols: int = 4
) -> Figure:
    """Small multiples: the correlation of two trust items per country, wave by wave.

    Parameters
    ----------
    corr : pandas.DataFrame
        Rows of ``results/tables/correlations.csv`` already filtered to one pair, one method,
        one weighting and one set of controls: columns ``country``, ``wave``, ``year``, ``r``,
        ``ci_low``, ``ci_high``. Rows with a missing r are not drawn.
    synthetic : bool
        Adds :data:`SYNTHETIC_FOOTER` when true.

    Returns
    -------
    matplotlib.figure.Figure
        One panel per country (shared y axis, r from 0 at least down to the lowest CI), a
        point per wave at its year with the 95 % interval, waves joined by a line. Tick
        positions and labels are fixed for the limits drawn (set new ones if you change them).
    """
    _require_columns(corr, ["country", "wave", "year", "r", "ci_low", "ci_high"])
    data = corr.loc[corr["r"].notna()].copy()
    if data.empty:
        raise DataError("correlation table has no estimate to plot")
    countries = sorted(data["country"].unique())
    ncols = max(1, min(ncols, len(countries)))
    nrows = -(-len(countries) // ncols)
    low = min(0.0, float(data["ci_low"].min()) - 0.05)
    high = max(0.5, float(data["ci_high"].max()) + 0.05)
    height = 0.9 + 1.9 * nrows + (_FOOTER_SPACE_IN if synthetic else 0.0)
    with mpl.rc_context(_STYLE):
        fig = _new_figure(1.2 + 1.9 * ncols, height, synthetic)
        axes = np.atleast_1d(fig.subplots(nrows, ncols, sharey=True, squeeze=False)).ravel()
        for ax, country in zip(axes, countries, strict=False):
            rows = data[data["country"] == country].sort_values("year")
            years = rows["year"].astype(int).to_numpy()
            r = rows["r"].to_numpy(dtype=float)
            err = np.vstack(
                [r - rows["ci_low"].to_numpy(float), rows["ci_high"].to_numpy(float) - r]
            )
            ax.plot(years, r, color="0.6", lw=1, zorder=1)
            ax.errorbar(years, r, yerr=err, fmt="o", color=YEAR_COLOURS[0], ms=4, capsize=2,
                        lw=1, zorder=2)  # fmt: skip
            for year, value, wave in zip(years, r, rows["wave"], strict=True):
                ax.annotate(f"{value:.2f}\n{wave}", (year, value), textcoords="offset points",
                            xytext=(5, -4), fontsize=7, va="top")  # fmt: skip
            ax.set_title(country.replace("_", " ").title(), fontsize=9, y=1.0)  # as in Figure 1
            ax.axhline(0, color="0.3", lw=0.6)
            ax.set_ylim(low, high)
            pad = 1 if len(years) == 1 else 0.1 * (years.max() - years.min())
            ax.set_xlim(years.min() - pad - 1, years.max() + pad + 2)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            ax.grid(axis="y", color="0.9")
        for ax in axes[len(countries) :]:
            ax.set_visible(False)
        for ax in axes[::ncols]:
            ax.set_ylabel("r (95 % CI)")
        fig.suptitle(title or "Trust in local government and in NGOs: correlation by country")
    return fig
