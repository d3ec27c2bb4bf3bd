"""Figure 1's data: which waves and convention it shows (:func:`figure1_panels`, chosen from
the run's tables), its title and notes, and each panel's cells and mean line
(:func:`joint_distribution`, :func:`conditional_means`, from a respondent frame).

The drawing is `abs_trust.outputs.figures.local_vs_ngo`. Conventions (design §3-4): harmonized
trust codes run 1 = "none at all" ... K = the top category, higher = more trust, ``<NA>`` =
nonresponse.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from abs_trust.errors import DataError
from abs_trust.outputs.figures.style import _require_columns
from abs_trust.outputs.labels import country_label
from abs_trust.outputs.table4 import headline_weighted

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
