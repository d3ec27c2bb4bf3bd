"""Measurement invariance of the trust battery: one-factor multi-group CFA, three levels.

Public functions (pingouin style: DataFrame in, tidy DataFrame out):

* :func:`measurement_invariance` — one comparison (groups = the values of one column);
* :func:`invariance_table` — every comparison of a run: across the countries of each wave and
  across the waves of each country;
* :func:`supported_levels` — per country-wave, the level each comparison supports.

Estimator: maximum likelihood on the items treated as continuous (the common practice for
four-point trust batteries; an ordinal, polychoric-based estimator is not implemented), with
listwise deletion of nonresponse within each group. The model code is
:mod:`abs_trust.stats.cfa`; every statistic is validated against R lavaan 0.6
(``cfa(model, data, group =, group.equal =, estimator = "ML")``, marker-variable
identification) in ``tests/reference/invariance/``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from abs_trust.stats.cfa import LEVELS, fit_level, sample_moments

# Chen (2007), Sensitivity of goodness of fit indexes to lack of measurement invariance,
# Structural Equation Modeling 14(3): a drop in CFI of at most .010, supplemented by a rise
# in RMSEA of at most .015, for metric and for scalar invariance. The configural model must
# fit on its own: CFI >= .90 and RMSEA <= .08 (common conventions, Hu & Bentler 1999 looser).
CUTOFFS = {"delta_cfi": -0.010, "delta_rmsea": 0.015, "configural_cfi": 0.90,
           "configural_rmsea": 0.08}  # fmt: skip
COLUMNS = ["level", "chisq", "df", "pvalue", "cfi", "rmsea", "srmr", "delta_cfi",
           "delta_rmsea", "holds", "verdict", "n", "n_groups", "npar", "converged"]  # fmt: skip


def _blocks(data: pd.DataFrame, items: Sequence[str], group: str, min_n: int):
    """Complete cases per group; groups too small or with a constant item are left out."""
    kept, dropped = {}, {}
    complete = data[[group, *items]].dropna()
    for name, part in complete.groupby(group, sort=True):
        values = part[list(items)].to_numpy(dtype=float)
        if len(values) < min_n:
            dropped[str(name)] = f"{len(values)} complete cases (< {min_n})"
        elif np.any(values.std(axis=0) == 0):
            dropped[str(name)] = "an item is constant"
        else:
            kept[str(name)] = values
    return kept, dropped


def measurement_invariance(
    data: pd.DataFrame,
    items: Sequence[str],
    group: str,
    cutoffs: Mapping[str, float] | None = None,
    min_n: int = 50,
) -> pd.DataFrame:
    """Configural, metric and scalar invariance of a one-factor model across groups.

    Parameters
    ----------
    data : pd.DataFrame
        one row per respondent; ``items`` numeric (nonresponse = NaN), ``group`` the groups.
    items : sequence of str
        the indicators; the first is the marker (loading fixed to 1 in every group).
    group : str
        the column whose values are the groups (countries, or waves).
    cutoffs : mapping, optional
        ``delta_cfi`` (default -0.010), ``delta_rmsea`` (0.015), ``configural_cfi`` (0.90),
        ``configural_rmsea`` (0.08).
    min_n : int
        groups with fewer complete cases are left out (listed in ``attrs["dropped"]``).

    Returns
    -------
    pd.DataFrame
        one row per level: ``chisq, df, pvalue, cfi, rmsea, srmr`` (lavaan's definitions:
        chi2 = N F_ML with the N-divisor covariance; RMSEA with the sqrt(G) multi-group
        factor; SRMR Bentler's, with means, N_g/N-weighted), ``delta_cfi, delta_rmsea``
        against the level below, ``holds`` and a worded ``verdict``: configural holds when
        CFI >= configural_cfi and RMSEA <= configural_rmsea; metric (scalar) when the level
        below holds and delta CFI >= delta_cfi and delta RMSEA <= delta_rmsea (Chen 2007).

    Notes
    -----
    ML on items treated as continuous, listwise deletion within each group. The model is
    x = nu_g + lambda_g eta + e; metric sets lambda_g equal, scalar also nu_g (with the
    factor means free in all groups but the first). Invariance is tested for the battery as
    a whole: a failed level does not say which item is non-invariant (no partial invariance).

    Examples
    --------
    >>> table = measurement_invariance(frame, ["trust_courts", "trust_police", ...], "country")
    """
    cut = {**CUTOFFS, **(cutoffs or {})}
    kept, dropped = _blocks(data, items, group, min_n)
    if len(kept) < 2 or len(items) < 3:
        table = pd.DataFrame(columns=COLUMNS)
        table.attrs.update(groups=list(kept), dropped=dropped)
        return table
    moments = sample_moments(list(kept.values()))
    rows, estimates, below = [], None, None
    for level in LEVELS:
        fit, estimates = fit_level(level, moments, estimates)
        row = {
            "level": level,
            "chisq": fit.chisq,
            "df": fit.df,
            "pvalue": fit.pvalue,
            "cfi": fit.cfi,
            "rmsea": fit.rmsea,
            "srmr": fit.srmr,
            "npar": fit.npar,
            "converged": fit.converged,
            "n": int(moments.n.sum()),
            "n_groups": len(kept),
        }
        if below is None:
            row["delta_cfi"] = row["delta_rmsea"] = float("nan")
            holds = fit.cfi >= cut["configural_cfi"] and fit.rmsea <= cut["configural_rmsea"]
            reason = (
                f"CFI {fit.cfi:.3f} (>= {cut['configural_cfi']:.2f}), "
                f"RMSEA {fit.rmsea:.3f} (<= {cut['configural_rmsea']:.2f})"
            )
        else:
            row["delta_cfi"] = fit.cfi - below["cfi"]
            row["delta_rmsea"] = fit.rmsea - below["rmsea"]
            holds = (
                below["holds"]
                and row["delta_cfi"] >= cut["delta_cfi"]
                and row["delta_rmsea"] <= cut["delta_rmsea"]
            )
            reason = (
                f"ΔCFI {row['delta_cfi']:+.3f} (>= {cut['delta_cfi']:+.3f}), "
                f"ΔRMSEA {row['delta_rmsea']:+.3f} (<= {cut['delta_rmsea']:+.3f})"
            )
            if not below["holds"]:
                reason = f"{below['level']} does not hold"
        row["holds"] = bool(holds and fit.converged)
        row["verdict"] = f"{level} {'holds' if row['holds'] else 'rejected'}: {reason}"
        if not fit.converged:
            row["verdict"] = f"{level}: the estimation did not converge"
        rows.append(row)
        below = row
    table = pd.DataFrame(rows)[COLUMNS]
    table.attrs.update(groups=list(kept), dropped=dropped)
    return table


def highest_level(table: pd.DataFrame) -> str:
    """The highest level that holds ('scalar', 'metric', 'configural', 'none', or '' untested)."""
    if table.empty:
        return ""
    held = table.loc[table["holds"], "level"].tolist()
    return held[-1] if held else "none"


def invariance_table(
    frames: Mapping[str, pd.DataFrame],
    points: Mapping[str, int],
    items: Sequence[str],
    cutoffs: Mapping[str, float] | None = None,
    min_n: int = 50,
) -> pd.DataFrame:
    """Every comparison of a run: across the countries of each wave, across the waves of each
    country (waves on the same number of scale points only: a four- and a six-point item
    cannot share intercepts, so the cross-scale comparison is left out and says so).

    ``frames``: wave -> harmonized respondents (``country`` and ``trust_<item>`` columns);
    ``points``: wave -> scale points; ``items``: institution slugs.
    """
    columns = [f"trust_{i}" for i in items]
    parts = []

    def add(comparison, wave, country, data, group):
        table = measurement_invariance(data, columns, group, cutoffs, min_n)
        groups = table.attrs["groups"]
        info = {
            "comparison": comparison,
            "wave": wave,
            "country": country,
            "groups": " ".join(groups),
            "left_out": "; ".join(f"{k}: {v}" for k, v in table.attrs["dropped"].items()),
            "items": " ".join(items),
            "highest_level": highest_level(table),
        }
        if table.empty:
            table = pd.DataFrame([{"level": "", "verdict": "not tested: fewer than 2 groups"}])
        parts.append(table.assign(**info))

    for wave, frame in frames.items():
        add("across_countries", wave, "", frame, "country")
    countries = sorted({c for f in frames.values() for c in f["country"].astype(str).unique()})
    by_points: dict[int, list[str]] = {}
    for wave in frames:
        by_points.setdefault(int(points[wave]), []).append(wave)
    for country in countries:
        for _points, waves in sorted(by_points.items()):
            present = [w for w in waves if (frames[w]["country"] == country).any()]
            if len(present) < 2:
                continue
            stacked = pd.concat(
                [frames[w].loc[frames[w]["country"] == country, columns] for w in present],
                keys=present,
                names=["wave_group", None],
            ).reset_index(level=0)
            add("across_waves", " ".join(present), country, stacked, "wave_group")
    table = pd.concat(parts, ignore_index=True)
    first = ["comparison", "wave", "country", "groups", "items", "level"]
    rest = [c for c in table.columns if c not in first]
    return table[first + rest]


def supported_levels(invariance: pd.DataFrame, frames_index: pd.DataFrame) -> pd.DataFrame:
    """Per country-wave, the level supported across countries (of its wave) and across waves
    (of its country): ``country, wave, across_countries, across_waves`` ('' = not tested)."""
    summary = invariance.drop_duplicates(["comparison", "wave", "country"])
    rows = []
    for row in frames_index.itertuples(index=False):
        country, wave = str(row.country), str(row.wave)
        nat = summary[(summary["comparison"] == "across_countries") & (summary["wave"] == wave)]
        nat = nat[nat["groups"].str.split().apply(lambda g, c=country: c in g)]
        tem = summary[
            (summary["comparison"] == "across_waves")
            & (summary["country"] == country)
            & summary["wave"].str.split().apply(lambda w, v=wave: v in w)
        ]
        rows.append(
            {
                "country": country,
                "wave": wave,
                "across_countries": nat["highest_level"].iloc[0] if len(nat) else "",
                "across_waves": tem["highest_level"].iloc[0] if len(tem) else "",
            }
        )
    return pd.DataFrame(rows, columns=["country", "wave", "across_countries", "across_waves"])
