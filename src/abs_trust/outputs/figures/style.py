"""What every figure shares: style, colours, footer, label helpers, and reproducible saving.

The figure functions (one module per figure: :mod:`.local_vs_ngo`, :mod:`.institution_trust`,
:mod:`.correlation_by_country`) return a :class:`matplotlib.figure.Figure` built without pyplot
(no global figure registry, safe in parallel workflow jobs); :func:`save_figure` writes it
reproducibly. Nothing here reads config or files: the workflow scripts pass everything in.
Everything drawn from the synthetic fixture carries :data:`SYNTHETIC_FOOTER`.
"""

from __future__ import annotations

import contextlib
import io
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path

import matplotlib as mpl
import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.layout_engine import PlaceHolderLayoutEngine

from abs_trust.errors import DataError
from abs_trust.harmonize.crosswalk import INSTITUTION_LABELS

__all__ = [
    "INSTITUTION_LABELS",
    "SYNTHETIC_FOOTER",
    "YEAR_COLOURS",
    "YEAR_MARKERS",
    "save_figure",
]

#: Footer on every figure drawn from the synthetic fixture.
SYNTHETIC_FOOTER = "Synthetic fixture — not ABS data; generated to match published aggregates"

#: Colour-blind-safe (Okabe & Ito 2008) colours and distinct marker shapes, one per year.
YEAR_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
YEAR_MARKERS = ("o", "s", "D", "^", "v", "P", "X")

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


# --------------------------------------------------------------------------- helpers


def _require_columns(frame: pd.DataFrame, columns: Iterable[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise DataError(
            f"respondent frame lacks column(s) {missing}; expected harmonized columns such as "
            f"'trust_local_government' (available: {sorted(map(str, frame.columns))})"
        )


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


def _title_and_notes(
    fig: Figure, title: str, notes: str | None, below_in: float = 0.0, synthetic: bool = False
) -> None:
    """The figure's title (bold, wrapped to the figure's width) and its notes under the plots.

    The notes sit in space the figure kept free at its bottom (`_new_figure`'s ``reserve_in``
    includes `notes_height`), above ``below_in`` inches (a legend) and the synthetic footer.
    """
    width, height = fig.get_size_inches()
    fig.suptitle(textwrap.fill(title, max(30, int(width * 12.5))), fontweight="bold")
    if notes:
        bottom = (below_in + (_FOOTER_SPACE_IN if synthetic else 0.0) + 0.04) / height
        fig.text(0.5, bottom, notes, ha="center", va="bottom", fontsize=7, color="0.25")


def notes_height(notes: str | None, width_in: float) -> tuple[str | None, float]:
    """``notes`` wrapped to a figure ``width_in`` inches wide, and the height they need."""
    if not notes:
        return notes, 0.0
    wrapped = textwrap.fill(notes, max(40, int(width_in * 17)))
    return wrapped, 0.12 * (wrapped.count("\n") + 1) + 0.1


def _r_text(r: float | None, n: int | None, note: str | None) -> str:
    r_part = "r = n/a" if r is None or not np.isfinite(r) else f"r = {float(r):.3f}"
    details = [d for d in (note, None if n is None else f"n = {int(n):,}") if d]
    return f"{r_part} ({', '.join(details)})" if details else r_part


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
