"""Figure 1 of Farid & Song (2020) re-drawn: local-government against NGO trust, per year.

The drawing (:func:`figure_local_vs_ngo`); its data (which waves, the cells and the mean line of
each panel) come from `abs_trust.outputs.figures.local_vs_ngo_data`.

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
from matplotlib.colors import Normalize
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from abs_trust.outputs.figures.local_vs_ngo_data import (
    conditional_means,
    joint_distribution,
)
from abs_trust.outputs.figures.style import (
    _FOOTER_SPACE_IN,
    _STYLE,
    _item_phrase,
    _new_figure,
    _r_text,
    _text_colour_on,
    _title_and_notes,
    _upper_first,
    notes_height,
)
from abs_trust.outputs.labels import country_label

__all__ = ["HEATMAP_CMAP", "figure_local_vs_ngo"]

HEATMAP_CMAP = "cividis"

_LEGEND_SPACE_IN = 0.24  # inches kept free for the one-line legend (above any footer)
#: where a cell's percentage sits, from the cell's centre (cells are 1 x 1): its upper right
CELL_LABEL_INSET = (0.46, 0.43)


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
