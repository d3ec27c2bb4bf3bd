"""Figure 1 of Farid & Song (2020) re-drawn: local-government against NGO trust, per year.

Its data (:func:`figure1_panels`: which waves, which convention, chosen from the run's tables;
:func:`joint_distribution` and :func:`conditional_means`: the cells and the mean line of each
panel, from a respondent frame) and its drawing (:func:`figure_local_vs_ngo`).

Conventions (design §3-4): harmonized trust codes run 1 = "none at all" ... K = the top category,
higher = more trust, ``<NA>`` = nonresponse.
"""

from __future__ import annotations

import math
import textwrap
from collections.abc import Mapping, Sequence

import matplotlib as mpl
import matplotlib.patheffects as path_effects
import numpy as np
import pandas as pd
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from abs_trust.errors import DataError
from abs_trust.outputs.figures.style import (
    _FOOTER_SPACE_IN,
    _STYLE,
    _item_phrase,
    _new_figure,
    _r_text,
    _require_columns,
    _text_colour_on,
    _title_and_notes,
    _upper_first,
    notes_height,
)
from abs_trust.outputs.labels import country_label
from abs_trust.outputs.table4 import headline_weighted

__all__ = [
    "FIGURE1_COLUMNS",
    "HEATMAP_CMAP",
    "conditional_means",
    "figure1_panels",
    "figure1_text",
    "figure_local_vs_ngo",
    "joint_distribution",
]

HEATMAP_CMAP = "cividis"

_LEGEND_SPACE_IN = 0.24  # inches kept free for the one-line legend (above any footer)
#: where a cell's percentage sits, from the cell's centre (cells are 1 x 1): its upper right
CELL_LABEL_INSET = (0.46, 0.43)


# --------------------------------------------------------------------------- data

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
            & (corr["method"] == "pearson")
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
                "wave": wave,
                "year": year,
                "weight_variable": meta["weight_variable"] if use_weight else None,
            }
        )
        synthetic = synthetic or meta["synthetic"]
        level_labels = level_labels or meta["scale"]["level_labels"]
    return panels, level_labels, synthetic


def figure1_text(panels: Sequence[Mapping], country: str) -> tuple[str, str]:
    """Figure 1's title and notes: the country and years shown, the method, the weighting."""
    years = [str(p["year"]) for p in panels]
    shown = ", ".join(years[:-1]) + f" and {years[-1]}" if len(years) > 1 else "".join(years)
    title = f"Trust in local government and in NGOs, {country_label(country)}"
    title += f", {shown}" if shown else ""
    weighting = "; ".join(
        f"{p['year']}: ABS {p['wave']}, "
        + (f"weighted by {p['weight_variable']}" if p.get("weight_variable") else "unweighted")
        for p in panels
    )
    notes = (
        "Cells: % of the respondents answering both items (n above each panel); line: mean "
        "trust in NGOs at each level of trust in local government; r: Pearson's r of the two "
        f"items, bivariate. {weighting}. Nonresponse to either item excluded."
    )
    return title, notes


# --------------------------------------------------------------------------- tables


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


# --------------------------------------------------------------------------- figure 1


def figure_local_vs_ngo(
    panels: Sequence[Mapping],
    level_labels: Sequence[str],
    synthetic: bool,
    x: str = "trust_local_government",
    y: str = "trust_ngos",
    title: str | None = None,
    notes: str | None = None,
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
        Figure title; default "Trust in local government and in NGOs" and the country when
        every panel's frame holds one and the same (``country`` column).
    notes : str, optional
        What the figure shows (data, method, weighting), set under the panels.

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
        countries = {
            c for p in panels if "country" in p["frame"] for c in p["frame"]["country"].unique()
        }
        if len(countries) == 1:
            title += f", {country_label(str(countries.pop()))}"
    x_ticklabels = [textwrap.fill(label, 10) for label in labels]
    edges = np.arange(levels + 1) + 0.5
    centres = np.arange(1, levels + 1)
    stroke = [path_effects.Stroke(linewidth=3.2, foreground="black"), path_effects.Normal()]

    with mpl.rc_context(_STYLE):
        width = 1.6 + 2.7 * len(panels)
        notes, notes_in = notes_height(notes, width)
        height = 3.75 + notes_in
        fig = _new_figure(width, height, synthetic, reserve_in=_LEGEND_SPACE_IN + notes_in)
        # more room between the figure's title and the panels' titles than between panels
        fig.get_layout_engine().set(h_pad=0.1)
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
            # Percentages sit in the same corner of every cell (upper right), so they read as a
            # grid; a patch in the cell colour keeps them legible where the mean line passes
            # (under them); the line's markers are drawn over everything.
            for (row, col), value in np.ndenumerate(grid):
                cell = (1.0, 1.0, 1.0, 1.0) if np.isnan(value) else cmap(norm(value))
                label = "–" if np.isnan(value) else f"{value:.1f}"
                ax.text(
                    centres[col] + CELL_LABEL_INSET[0],
                    centres[row] + CELL_LABEL_INSET[1],
                    label,
                    ha="right",
                    va="top",
                    fontsize=7.5,
                    color=_text_colour_on(cell),
                    bbox={"boxstyle": "square,pad=0.12", "facecolor": cell, "edgecolor": "none"},
                    zorder=5,
                )
            ax.plot(
                means["x_level"],
                means["mean_y"],
                color="white",
                linewidth=1.6,
                path_effects=stroke,
                zorder=4,
                label="mean",
            )
            ax.plot(
                means["x_level"],
                means["mean_y"],
                linestyle="none",
                marker="o",
                markersize=5,
                markerfacecolor="white",
                markeredgecolor="black",
                markeredgewidth=1.0,
                path_effects=stroke,
                zorder=6,
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
        _title_and_notes(fig, title, notes, _LEGEND_SPACE_IN, synthetic)
    return fig
