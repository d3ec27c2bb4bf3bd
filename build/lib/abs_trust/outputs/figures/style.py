"""Figures: Figure 1 of Farid & Song (2020) re-drawn, and the Table 4 shares as a dumbbell chart.

Small functions in the pingouin style: the two table helpers take a respondent frame and return a
tidy DataFrame; the two figure functions return a :class:`matplotlib.figure.Figure` built without
pyplot (no global figure registry, safe in parallel workflow jobs); :func:`save_figure` writes it
reproducibly. Nothing here reads config or files: the workflow scripts pass everything in.

Conventions (design §3-4): harmonized trust codes run 1 = "none at all" ... K = the top category,
higher = more trust, ``<NA>`` = nonresponse. Everything drawn from the synthetic fixture carries
:data:`SYNTHETIC_FOOTER`.
"""

from __future__ import annotations

import contextlib
import io
import math
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path

import matplotlib as mpl
import matplotlib.patheffects as path_effects
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine
from matplotlib.lines import Line2D
from matplotlib.ticker import FixedFormatter, FixedLocator, MaxNLocator

from abs_trust.errors import DataError
from abs_trust.harmonize.crosswalk import INSTITUTION_LABELS

__all__ = [
    "INSTITUTION_LABELS",
    "SYNTHETIC_FOOTER",
    "conditional_means",
    "figure_correlation_by_country",
    "figure_institution_trust",
    "figure_local_vs_ngo",
    "joint_distribution",
    "save_figure",
]

#: Footer on every figure drawn from the synthetic fixture.
SYNTHETIC_FOOTER = "Synthetic fixture — not ABS data; generated to match published aggregates"

#: Colour-blind-safe (Okabe & Ito 2008) colours and distinct marker shapes, one per year.
YEAR_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
YEAR_MARKERS = ("o", "s", "D", "^", "v", "P", "X")

HEATMAP_CMAP = "cividis"

# Applied while a figure is built (text sizes are fixed when artists are created) and saved.
_STYLE = {
    "font.size": 8.5,
    "axes.titlesize": 9,
    "axes.labelsize": 8.5,
    "xtick.labelsize": 8,
    "ytick.labelsize": 8,
    "legend.fontsize": 8,
    "figure.titlesize": 10,
    "axes.spines.top": False,
    "axes.spines.right": False,
}
_FOOTER_SPACE_IN = 0.22  # inches kept free at the bottom of the figure for the footer
_LEGEND_SPACE_IN = 0.24  # ... and for Figure 1's one-line legend above it
_LINE_CLEARANCE = (
    0.1  # cells between a cell label and Figure 1's mean line (half its width + marker)
)


# --------------------------------------------------------------------------- tables


def _require_columns(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"respondent frame lacks column(s) {missing}; expected harmonized columns such as "
            f"'trust_local_government' (available: {sorted(map(str, frame.columns))})"
        )


def _codes(frame: pd.DataFrame, column: str, levels: int) -> np.ndarray:
    """Trust codes of ``column`` as float (NaN = nonresponse), checked to lie in 1..levels."""
    values = pd.to_numeric(frame[column], errors="coerce")
    bad_type = frame[column].notna() & values.isna()
    if bad_type.any():
        shown = frame.loc[bad_type, column].astype(str).value_counts().head(5).to_dict()
        raise DataError(f"column {column!r} holds non-numeric values {shown}; expected codes")
    codes = values.to_numpy(dtype="float64", na_value=np.nan)
    valid = ~np.isnan(codes)
    stray = valid & ((codes != np.round(codes)) | (codes < 1) | (codes > levels))
    if stray.any():
        counts = pd.Series(codes[stray]).value_counts().sort_index()
        shown = ", ".join(f"{v:g} ({n} rows)" for v, n in counts.items())
        raise DataError(
            f"column {column!r} holds codes outside 1..{levels}: {shown}; expected harmonized "
            f"codes 1 (none at all) .. {levels} (top category) or <NA>"
        )
    return codes


def _valid_pairs(
    frame: pd.DataFrame, x: str, y: str, weight: str | None, levels: int
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Integer codes and weights of respondents answering both items (weights 1 if unweighted)."""
    if levels < 1:
        raise ValueError(f"levels must be a positive number of categories, got {levels}")
    _require_columns(frame, [x, y] + ([weight] if weight is not None else []))
    xs = _codes(frame, x, levels)
    ys = _codes(frame, y, levels)
    valid = ~np.isnan(xs) & ~np.isnan(ys)
    if weight is None:
        w = np.ones(int(valid.sum()))
    else:
        w_all = pd.to_numeric(frame[weight], errors="coerce").to_numpy(
            dtype="float64", na_value=np.nan
        )
        w = w_all[valid]
        bad = ~np.isfinite(w) | (w < 0)
        if bad.any():
            shown = pd.Series(w[bad]).value_counts(dropna=False).head(5).to_dict()
            raise DataError(
                f"weight column {weight!r} has {int(bad.sum())} missing, infinite or negative "
                f"value(s) among respondents valid on {x!r} and {y!r} ({shown}); expected "
                "non-negative finite weights"
            )
    return xs[valid].astype(int), ys[valid].astype(int), w


def joint_distribution(
    frame: pd.DataFrame, x: str, y: str, weight: str | None = None, levels: int = 4
) -> pd.DataFrame:
    """Cross-tabulate two trust items as a tidy table of cell percentages.

    Only respondents who answered both items enter (pairwise-valid), the denominator of a
    correlation of the two items, so the heat map shows exactly the data behind the ``r``.

    Parameters
    ----------
    frame : pandas.DataFrame
        Harmonized respondent frame (one row per respondent).
    x, y : str
        Trust columns, codes 1..``levels`` (higher = more trust), ``<NA>`` = nonresponse.
    weight : str, optional
        Weight column; when given, ``pct`` is the share of the summed weight. ``None`` =
        unweighted.
    levels : int, default 4
        Number of answer categories K.

    Returns
    -------
    pandas.DataFrame
        Columns ``x_level``, ``y_level`` (every one of the K x K cells, ``x_level`` slowest),
        ``n`` (unweighted respondent count) and ``pct`` (percentage of all valid pairs, weighted
        if ``weight`` is given; sums to 100, NaN everywhere if there is no valid pair).

    Raises
    ------
    abs_trust.errors.DataError
        A column is missing, a code lies outside 1..K, or a weight is missing or negative.
    """
    xs, ys, w = _valid_pairs(frame, x, y, weight, levels)
    n = np.zeros((levels, levels), dtype="int64")
    mass = np.zeros((levels, levels), dtype="float64")
    np.add.at(n, (xs - 1, ys - 1), 1)
    np.add.at(mass, (xs - 1, ys - 1), w)
    total = mass.sum()
    pct = 100.0 * mass / total if total > 0 else np.full_like(mass, np.nan)
    grid_x, grid_y = np.meshgrid(np.arange(1, levels + 1), np.arange(1, levels + 1), indexing="ij")
    return pd.DataFrame(
        {
            "x_level": grid_x.ravel(),
            "y_level": grid_y.ravel(),
            "n": n.ravel(),
            "pct": pct.ravel(),
        }
    )


def conditional_means(
    frame: pd.DataFrame, x: str, y: str, weight: str | None = None, levels: int = 4
) -> pd.DataFrame:
    """Mean of ``y`` at each level of ``x``, over respondents who answered both.

    This is the line overlaid on Figure 1: if NGO trust "depends on" local-government trust, the
    mean NGO code rises with the local-government level.

    Parameters
    ----------
    frame : pandas.DataFrame
        Harmonized respondent frame.
    x, y : str
        Trust columns, codes 1..``levels``, ``<NA>`` = nonresponse.
    weight : str, optional
        Weight column for a weighted mean; ``None`` = unweighted.
    levels : int, default 4
        Number of answer categories K.

    Returns
    -------
    pandas.DataFrame
        One row per x level 1..K (all present): ``x_level``, ``n`` (unweighted count of valid
        pairs) and ``mean_y`` (NaN where a level has no respondents or zero total weight).
    """
    xs, ys, w = _valid_pairs(frame, x, y, weight, levels)
    n = np.bincount(xs - 1, minlength=levels)
    w_sum = np.bincount(xs - 1, weights=w, minlength=levels)
    wy_sum = np.bincount(xs - 1, weights=w * ys, minlength=levels)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_y = np.where(w_sum > 0, wy_sum / np.where(w_sum > 0, w_sum, 1.0), np.nan)
    return pd.DataFrame({"x_level": np.arange(1, levels + 1), "n": n, "mean_y": mean_y})


# --------------------------------------------------------------------------- helpers


def _institution_label(slug: str) -> str:
    return INSTITUTION_LABELS.get(slug, slug.replace("_", " ").capitalize())


def _lower_first(text: str) -> str:
    """'Local government' -> 'local government', but keep acronyms such as 'NGOs'."""
    if len(text) > 1 and text[1].isupper():
        return text
    return text[:1].lower() + text[1:]


def _item_phrase(column: str) -> str:
    """'trust_local_government' -> 'trust in local government'."""
    slug = column.removeprefix("trust_")
    return f"trust in {_lower_first(_institution_label(slug))}"


def _relative_luminance(rgba: Sequence[float]) -> float:
    """WCAG relative luminance of an sRGB colour (0 = black, 1 = white)."""
    channels = np.asarray(rgba[:3], dtype=float)
    linear = np.where(channels <= 0.04045, channels / 12.92, ((channels + 0.055) / 1.055) ** 2.4)
    return float(linear @ np.array([0.2126, 0.7152, 0.0722]))


def _text_colour_on(rgba: Sequence[float]) -> str:
    """Black or white, whichever contrasts more with the cell colour (WCAG crossover 0.179)."""
    return "black" if _relative_luminance(rgba) > 0.179 else "white"


def _upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


def _new_figure(width: float, height: float, synthetic: bool, reserve_in: float = 0.0) -> Figure:
    """Constrained-layout figure keeping ``reserve_in`` inches (+ the footer) free at the bottom."""
    fig = Figure(figsize=(width, height), layout="constrained")
    bottom = (reserve_in + (_FOOTER_SPACE_IN if synthetic else 0.0)) / height
    fig.get_layout_engine().set(rect=(0.0, bottom, 1.0, 1.0 - bottom), h_pad=0.06)
    if synthetic:
        fig.text(
            0.5,
            0.012,
            SYNTHETIC_FOOTER,
            ha="center",
            va="bottom",
            fontsize=8,
            style="italic",
            color="0.2",
        )
    return fig


def _corner_clear_of_line(
    cx: float, cy: float, n_chars: int, line_x: Sequence[float], line_y: Sequence[float]
) -> tuple[float, float, str, str]:
    """Where to put a cell label so it avoids the overlaid mean line: ``(x, y, ha, va)``.

    Tries the cell corners (upper right first) and keeps the first whose estimated text box is
    clear of the line by ``_LINE_CLEARANCE`` cells, else the corner with the most clearance. Box
    sizes are estimates in cell units for 8-pt text in ~0.6-inch cells.
    """
    lx = np.asarray(line_x, dtype=float)
    ly = np.asarray(line_y, dtype=float)
    finite = np.isfinite(lx) & np.isfinite(ly)
    lx, ly = lx[finite], ly[finite]
    width, height, inset = 0.11 * n_chars, 0.2, 0.06
    best, best_clearance = None, -np.inf
    for ha, va in (("right", "top"), ("right", "bottom"), ("left", "top"), ("left", "bottom")):
        tx = cx + (0.5 - inset) * (1 if ha == "right" else -1)
        ty = cy + (0.5 - inset - 0.02) * (1 if va == "top" else -1)
        x0, x1 = (tx - width, tx) if ha == "right" else (tx, tx + width)
        y0, y1 = (ty - height, ty) if va == "top" else (ty, ty + height)
        clearance = np.inf
        if lx.size:
            xs = np.linspace(max(x0, lx.min()), min(x1, lx.max()), 15)
            if xs[0] <= xs[-1]:
                ys = np.interp(xs, lx, ly)
                gaps = np.where(
                    (ys >= y0) & (ys <= y1), 0.0, np.minimum(abs(ys - y0), abs(ys - y1))
                )
                clearance = float(gaps.min())
        if clearance >= _LINE_CLEARANCE:
            return tx, ty, ha, va
        if clearance > best_clearance:
            best, best_clearance = (tx, ty, ha, va), clearance
    return best


def _r_text(r: float | None, n: int | None, note: str | None) -> str:
    r_part = "r = n/a" if r is None or not np.isfinite(r) else f"r = {float(r):.3f}"
    details = [d for d in (note, None if n is None else f"n = {int(n):,}") if d]
    return f"{r_part} ({', '.join(details)})" if details else r_part


# --------------------------------------------------------------------------- figure 1


def figure_local_vs_ngo(
    panels: Sequence[Mapping],
    level_labels: Sequence[str],
    synthetic: bool,
    x: str = "trust_local_government",
    y: str = "trust_ngos",
    title: str | None = None,
) -> Figure:
    """Re-draw Figure 1: the joint distribution of local-government and NGO trust, per year.

    Each panel is a heat map of cell percentages (annotated), with the mean NGO trust at each
    level of local-government trust overlaid, and the correlation printed above it. The paper
    prints no numbers for this figure, so the annotations make the re-drawing checkable.

    Parameters
    ----------
    panels : sequence of mapping
        One mapping per panel, left to right, with keys ``"title"`` (e.g. ``"2011 (ABS W3)"``),
        ``"frame"`` (harmonized respondent frame, already filtered to one country-wave),
        ``"r"`` (correlation to print; None/NaN prints "n/a"), and optionally ``"weight"``
        (weight column name or None, used for both the cells and the means), ``"n"`` (printed
        n; default = number of valid pairs) and ``"note"`` (e.g. ``"weighted"``).
    level_labels : sequence of str
        Words for harmonized codes 1..K, lowest trust first; K = ``len(level_labels)``.
    synthetic : bool
        Adds :data:`SYNTHETIC_FOOTER` when true.
    x, y : str, default local government and NGOs
        Columns on the horizontal and vertical axis.
    title : str, optional
        Figure title; default "Trust in local government and in NGOs, mainland China".

    Returns
    -------
    matplotlib.figure.Figure
        ``len(panels)`` heat-map axes followed by one colour-bar axes.
    """
    if not panels:
        raise ValueError("figure_local_vs_ngo needs at least one panel")
    labels = [str(label) for label in level_labels]
    levels = len(labels)
    if levels < 2:
        raise ValueError(f"level_labels must name at least two categories, got {labels}")
    for i, panel in enumerate(panels):
        missing = {"title", "frame", "r"} - set(panel)
        if missing:
            raise ValueError(f"panel {i} lacks key(s) {sorted(missing)}")

    tables = []
    for panel in panels:
        weight = panel.get("weight")
        joint = joint_distribution(panel["frame"], x, y, weight=weight, levels=levels)
        means = conditional_means(panel["frame"], x, y, weight=weight, levels=levels)
        tables.append((joint, means))
    peak = max((np.nanmax(j["pct"]) if j["pct"].notna().any() else 0.0) for j, _ in tables)
    norm = Normalize(vmin=0.0, vmax=max(5.0, 5.0 * math.ceil(peak / 5.0)))
    cmap = mpl.colormaps[HEATMAP_CMAP]

    x_phrase, y_phrase = _item_phrase(x), _item_phrase(y)
    if title is None:
        title = f"{_upper_first(x_phrase)} and in {y_phrase.removeprefix('trust in ')}"
        title += ", mainland China"
    x_ticklabels = [textwrap.fill(label, 10) for label in labels]
    edges = np.arange(levels + 1) + 0.5
    centres = np.arange(1, levels + 1)
    stroke = [path_effects.Stroke(linewidth=3.2, foreground="black"), path_effects.Normal()]

    with mpl.rc_context(_STYLE):
        fig = _new_figure(1.6 + 2.7 * len(panels), 3.6, synthetic, reserve_in=_LEGEND_SPACE_IN)
        axes = fig.subplots(1, len(panels), squeeze=False, sharey=True)[0]
        mesh = None
        for ax, panel, (joint, means) in zip(axes, panels, tables, strict=True):
            grid = joint.pivot(index="y_level", columns="x_level", values="pct")
            grid = grid.reindex(index=centres, columns=centres).to_numpy(dtype=float)
            mesh = ax.pcolormesh(
                edges,
                edges,
                np.ma.masked_invalid(grid),
                cmap=cmap,
                norm=norm,
                edgecolors="white",
                linewidth=0.6,
            )
            # Percentages sit in a corner of each cell, the one clear of the mean line; a halo in
            # the cell colour keeps them legible should the line still pass behind them.
            for (row, col), value in np.ndenumerate(grid):
                cell = (1.0, 1.0, 1.0, 1.0) if np.isnan(value) else cmap(norm(value))
                label = "–" if np.isnan(value) else f"{value:.1f}"
                tx, ty, ha, va = _corner_clear_of_line(
                    centres[col], centres[row], len(label), means["x_level"], means["mean_y"]
                )
                ax.text(
                    tx,
                    ty,
                    label,
                    ha=ha,
                    va=va,
                    fontsize=8,
                    color=_text_colour_on(cell),
                    path_effects=[path_effects.withStroke(linewidth=3.0, foreground=cell)],
                    zorder=5,
                )
            ax.plot(
                means["x_level"],
                means["mean_y"],
                color="white",
                linewidth=1.6,
                marker="o",
                markersize=5,
                markerfacecolor="white",
                markeredgecolor="black",
                markeredgewidth=1.0,
                path_effects=stroke,
                zorder=4,
                label="mean",
            )
            ax.set_xlim(edges[0], edges[-1])
            ax.set_ylim(edges[0], edges[-1])
            ax.set_aspect("equal")
            ax.set_xticks(centres, x_ticklabels)
            ax.set_yticks(centres, labels)
            ax.tick_params(length=0)
            ax.spines[:].set_visible(False)
            ax.set_xlabel(_upper_first(x_phrase))
            # y=1.0 is where matplotlib's automatic title placement puts it (nothing sits above
            # the axes); giving it skips that search, rerun at every draw and measurement.
            ax.set_title(str(panel["title"]), pad=16, fontweight="bold", y=1.0)
            ax.text(
                0.5,
                1.015,
                _r_text(panel["r"], panel.get("n", int(joint["n"].sum())), panel.get("note")),
                transform=ax.transAxes,
                ha="center",
                va="bottom",
                fontsize=8,
            )
        axes[0].set_ylabel(_upper_first(y_phrase))
        for ax in axes[1:]:
            ax.tick_params(labelleft=False)
        colourbar = fig.colorbar(mesh, ax=list(axes), shrink=0.85, aspect=18, pad=0.03)
        colourbar.set_label("% of respondents")
        colourbar.outline.set_visible(False)
        handle = Line2D(
            [],
            [],
            color="white",
            linewidth=1.6,
            marker="o",
            markersize=5,
            markerfacecolor="white",
            markeredgecolor="black",
            path_effects=stroke,
        )
        fig.legend(
            [handle],
            [
                f"Mean {y_phrase} at each level of {x_phrase} "
                f"(1 = {labels[0].lower()} … {levels} = {labels[-1].lower()})"
            ],
            loc="lower center",
            bbox_to_anchor=(0.5, (_FOOTER_SPACE_IN if synthetic else 0.0) / fig.get_figheight()),
            frameon=False,
            borderaxespad=0.1,
        )
        fig.suptitle(title, fontweight="bold")
    return fig


# --------------------------------------------------------------------------- table 4


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
            # The x limits below always hold every point, and so do the y limits unless a CI is
            # missing; where the point is surely inside, annotation_clip=False spares the
            # inside-the-axes check an annotation otherwise makes at every draw and measurement.
            for year, value, wave in zip(years, r, rows["wave"], strict=True):
                ax.annotate(f"{value:.2f}\n{wave}", (year, value), textcoords="offset points",
                            xytext=(5, -4), fontsize=7, va="top",
                            annotation_clip=False if low < value < high else None)  # fmt: skip
            ax.set_title(country.replace("_", " ").title(), fontsize=9, y=1.0)  # as in Figure 1
            ax.axhline(0, color="0.3", lw=0.6)
            ax.set_ylim(low, high)
            pad = 1 if len(years) == 1 else 0.1 * (years.max() - years.min())
            ax.set_xlim(years.min() - pad - 1, years.max() + pad + 2)
            ax.xaxis.set_major_locator(MaxNLocator(nbins=4, integer=True))
            ax.grid(axis="y", color="0.9")
        for ax in axes[len(countries) :]:
            ax.set_visible(False)
        for ax in axes[: len(countries)]:
            _freeze_ticks(ax.xaxis)
        _freeze_ticks(axes[0].yaxis)  # shared by every panel
        for ax in axes[::ncols]:
            ax.set_ylabel("r (95 % CI)")
        fig.suptitle(title or "Trust in local government and in NGOs: correlation by country")
    return fig


def _freeze_ticks(axis) -> None:
    """Fix ``axis``'s major ticks and labels to what its locator and formatter give now.

    Call once the view limits are final. Matplotlib otherwise reruns the locator and formatter
    at every layout pass, measurement and draw (hundreds of times when one figure of small
    multiples is saved in three formats), for the same answer each time.
    """
    locs = axis.get_majorticklocs()
    formatter = axis.get_major_formatter()
    labels = formatter.format_ticks(locs)
    fixed = FixedFormatter(labels)
    fixed.set_offset_string(formatter.get_offset())  # e.g. "1e3" beside the axis; often ""
    axis.set_major_locator(FixedLocator(locs))
    axis.set_major_formatter(fixed)


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


# --------------------------------------------------------------------------- saving

_SAVE_OPTIONS = {
    ".png": {"dpi": 300, "metadata": {"Software": None}},
    ".svg": {"metadata": {"Date": None, "Creator": None}},
    ".pdf": {"metadata": {"CreationDate": None, "ModDate": None, "Creator": None}},
}
_PAD_IN = 0.05  # inches of white space around the tight bounding box
# "standard": savefig must not look for a tight box itself (a user's matplotlibrc could say
# "tight"), nor may set_layout_engine(None) fall back to an rc layout: save_figure does both.
_SAVE_RC = {
    "svg.hashsalt": "abs-trust",
    "pdf.compression": 6,
    "savefig.bbox": "standard",
    "figure.autolayout": False,
    "figure.constrained_layout.use": False,
}


def save_figure(fig: Figure, paths: str | Path | Iterable[str | Path]) -> list[Path]:
    """Save ``fig`` to every path, the format taken from the suffix, reproducibly.

    PNG is written at 300 dpi; SVG and PDF are vector. Dates and software versions are left out
    of the metadata and SVG element ids are derived from a fixed salt, so a rerun on the same
    input writes identical SVG, PDF and PNG bytes and does not make needless diffs. The
    figure's constrained layout is computed once and then frozen (the figure is left without a
    layout engine), so every format gets the same positions whatever the order of saving. Each
    file is cropped to the figure's tight bounding box as that format measures text, plus a
    0.05-inch pad.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure to write (e.g. from :func:`figure_local_vs_ngo`).
    paths : path or iterable of paths
        Output files ending in ``.png``, ``.svg`` or ``.pdf``; parent folders are created.

    Returns
    -------
    list of pathlib.Path
        The paths written.
    """
    if isinstance(paths, str | Path):
        paths = [paths]
    targets = [Path(p) for p in paths]
    for target in targets:
        if target.suffix.lower() not in _SAVE_OPTIONS:
            raise ValueError(
                f"cannot save figure to {str(target)!r}: suffix must be one of "
                f"{sorted(_SAVE_OPTIONS)}"
            )
    written = []
    with mpl.rc_context(_SAVE_RC):
        _freeze_layout(fig)
        for target in targets:
            target.parent.mkdir(parents=True, exist_ok=True)
            fmt = target.suffix.lower().lstrip(".")
            options = _SAVE_OPTIONS[target.suffix.lower()]
            # An explicit box rather than bbox_inches="tight": with no layout engine left,
            # savefig then draws the figure once, not a second, discarded time to find the box.
            bbox = _tight_bbox_inches(fig, fmt, options.get("dpi"))
            fig.savefig(target, format=fmt, bbox_inches=bbox.padded(_PAD_IN), **options)
            written.append(target)
    return written


def _freeze_layout(fig: Figure) -> None:
    """Run ``fig``'s layout engine once, then remove it so no later draw moves anything.

    Constrained layout would otherwise be recomputed at every draw with that format's renderer,
    so positions would drift between saves by a fraction of a point. Only the layout engine
    runs, as the first step of a draw would run it, not a whole draw: every save measures and
    draws the figure anew anyway. Left in place, an engine also makes savefig draw twice.
    """
    engine = fig.get_layout_engine()
    if engine is None:
        return
    if fig.axes and not isinstance(engine, PlaceHolderLayoutEngine):
        # Figure.draw ignores a ValueError from the engine too (e.g. a figure too small).
        with contextlib.suppress(ValueError):
            engine.execute(fig)
    fig.set_layout_engine(None)  # call within _SAVE_RC: None must not mean an rc default


class _Measured(Exception):
    """Carries the tight bounding box out of an aborted :meth:`Figure.savefig`."""

    def __init__(self, bbox):
        super().__init__("tight bounding box measured")
        self.bbox = bbox


def _tight_bbox_inches(fig: Figure, fmt: str, dpi: float | None):
    """Tight bounding box of ``fig`` in inches, with text measured as ``fmt`` at ``dpi`` will.

    Raster and vector renderers measure text slightly differently, so each format gets the box
    its own renderer sees: savefig is started on a scratch buffer and stopped at its first draw
    call, where the renderer exists but nothing has been drawn yet (matplotlib's own
    ``backend_bases._get_renderer`` does the same; it is private, this uses public calls).
    """

    def measure(renderer):
        raise _Measured(fig.get_tightbbox(renderer))

    shadowed = vars(fig).get("draw")  # an instance attribute a caller may have set
    fig.draw = measure  # shadows Figure.draw for this one savefig
    try:
        fig.savefig(io.BytesIO(), format=fmt, dpi=dpi)
    except _Measured as measured:
        return measured.bbox
    finally:
        if shadowed is None:
            del fig.draw
        else:
            fig.draw = shadowed
    raise RuntimeError(f"saving as {fmt!r} never drew the figure; cannot find its bounding box")
