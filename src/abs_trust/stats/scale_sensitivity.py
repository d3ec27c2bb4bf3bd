"""Scale-change sensitivity: W5 asks trust on six points, every other wave on four.

For a wave whose trust scale is not four points, every share trusting and every r is
recomputed under each defensible mapping of the six points onto the four-point reading
(``convention`` column of ``sensitivity.csv``, rows added, none changed):

- ``scale_top3_of_6``: trusting = trust fully / a lot / somewhat (the crosswalk's rule);
  four-point collapse for r: {6, 5} -> 4, 4 -> 3, 3 -> 2, {2, 1} -> 1;
- ``scale_top2_of_6``: trusting = trust fully / a lot; collapse {6} -> 4, {5} -> 3,
  {4, 3} -> 2, {2, 1} -> 1;
- ``scale_cdf_matched_<W>``: the four-point equivalent by equipercentile linking to an
  adjacent four-point wave W of the same country. The battery's pooled distribution (all
  items asked in both waves, substantive answers, unweighted) in W fixes the share of
  answers at each four-point level; the six-point cuts are placed at the same pooled
  cumulative proportions, a boundary category split pro rata (share = P(level > c) +
  f P(level = c)); for r the boundary category goes wholly to the nearer side.

The equipercentile mapping assumes the battery's overall level did not change between the
two waves: it removes any battery-wide change with the scale artefact, and shows only the
change of one item relative to the others. References: Kolen & Brennan (2014), Test
Equating, Scaling, and Linking, ch. 2 (equipercentile equating); de Jonge, Veenhoven &
Kalmijn (2017), Diversity in Survey Questions on the Same Topic (scale transformations).

:func:`mapping_dependent_changes` tests each cross-wave change of a share between the
six-point wave and its adjacent four-point waves under each mapping (two-proportion z test,
unweighted) and flags those whose sign or significance (p < .05) depends on the mapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy import special

COLLAPSE = {
    "scale_top3_of_6": {6: 4, 5: 4, 4: 3, 3: 2, 2: 1, 1: 1},
    "scale_top2_of_6": {6: 4, 5: 3, 4: 2, 3: 2, 2: 1, 1: 1},
}
TRUSTING = {"scale_top3_of_6": (4, 5, 6), "scale_top2_of_6": (5, 6)}
COLUMNS = ["country", "wave", "quantity", "institution_or_pair", "convention", "value", "n",
           "ci_low", "ci_high"]  # fmt: skip


def _wilson(k: float, n: int, z: float = 1.959963984540054) -> tuple[float, float]:
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return 100 * (centre - half), 100 * (centre + half)


def _fisher_ci(r: float, n: int) -> tuple[float, float]:
    if n <= 3 or not np.isfinite(r) or abs(r) >= 1:
        return float("nan"), float("nan")
    half = 1.959963984540054 / np.sqrt(n - 3)
    return float(np.tanh(np.arctanh(r) - half)), float(np.tanh(np.arctanh(r) + half))


def equipercentile_cuts(six: np.ndarray, four: np.ndarray) -> list[tuple[int, float]]:
    """For each four-point threshold t = 2, 3, 4: the six-point cut (c, f) such that the
    pooled share P6(level > c) + f P6(level = c) equals the pooled P4(level >= t)."""
    six, four = six[~np.isnan(six)], four[~np.isnan(four)]
    p6 = np.array([(six == k).mean() for k in range(1, 7)])
    upper = np.concatenate([np.cumsum(p6[::-1])[::-1], [0.0]])  # upper[k-1] = P(level >= k)
    cuts = []
    for t in (2, 3, 4):
        target = (four >= t).mean()
        c = max(k for k in range(1, 7) if upper[k - 1] >= target - 1e-12)
        f = 0.0 if p6[c - 1] == 0 else (target - upper[c]) / p6[c - 1]
        cuts.append((c, float(np.clip(f, 0.0, 1.0))))
    return cuts


def _cdf_collapse(cuts: list[tuple[int, float]]) -> dict[int, int]:
    """Six -> four levels: level k maps to 1 + the number of thresholds it passes; the
    boundary category goes to the side holding more than half of it."""
    out = {}
    for k in range(1, 7):
        out[k] = 1 + sum(k > c or (k == c and f > 0.5) for c, f in cuts)
    return out


def _share_row(levels: np.ndarray, trusting: np.ndarray) -> tuple[float, int, float, float]:
    valid = ~np.isnan(levels)
    n = int(valid.sum())
    k = float(trusting[valid].sum())
    low, high = _wilson(k, n) if n else (float("nan"), float("nan"))
    return (100 * k / n if n else float("nan")), n, low, high


def scale_mapping_sensitivity(
    frames: Mapping[str, pd.DataFrame],
    points: Mapping[str, int],
    order: Sequence[str],
    institutions: Sequence[str],
    pairs: Sequence[Sequence[str]],
) -> pd.DataFrame:
    """Shares trusting and Pearson r of every non-four-point wave under each mapping.

    Parameters
    ----------
    frames : wave -> harmonized respondents (``country``, ``trust_<institution>``).
    points : wave -> scale points; only six-point waves are remapped.
    order : the waves in time order (adjacent = the nearest four-point wave on each side).
    institutions, pairs : as for the other sensitivity rows.

    Returns
    -------
    pd.DataFrame
        ``sensitivity.csv``'s columns; ``convention`` names the mapping; unweighted,
        substantive answers only; shares in percent with Wilson CIs, r with Fisher-z CIs.
    """
    rows = []
    for wave, frame in frames.items():
        if points[wave] != 6:
            continue
        position = list(order).index(wave)
        before = [w for w in order[:position] if points.get(w) == 4 and w in frames][-1:]
        after = [w for w in order[position + 1 :] if points.get(w) == 4 and w in frames][:1]
        for country, group in frame.groupby("country", sort=True):
            mappings = dict(COLLAPSE)
            trusting = {m: TRUSTING[m] for m in COLLAPSE}
            fractions = {}
            for other in before + after:
                peer = frames[other][frames[other]["country"] == country]
                common = [i for i in institutions if group[f"trust_{i}"].notna().any()
                          and len(peer) and peer[f"trust_{i}"].notna().any()]  # fmt: skip
                if not common:
                    continue
                six = group[[f"trust_{i}" for i in common]].to_numpy(float).ravel()
                four = peer[[f"trust_{i}" for i in common]].to_numpy(float).ravel()
                cuts = equipercentile_cuts(six, four)
                name = f"scale_cdf_matched_{other}"
                mappings[name] = _cdf_collapse(cuts)
                fractions[name] = cuts[1]  # threshold 3 of 4: "quite a lot" and above
            for institution in institutions:
                levels = group[f"trust_{institution}"].to_numpy(float)
                if np.isnan(levels).all():
                    continue
                for name in mappings:
                    if name in fractions:
                        c, f = fractions[name]
                        indicator = (levels > c) + f * (levels == c)
                    else:
                        indicator = np.isin(levels, trusting[name]).astype(float)
                    value, n, low, high = _share_row(levels, indicator)
                    rows.append((country, wave, "share", institution, name, value, n, low, high))
            for x, y in pairs:
                both = group[[f"trust_{x}", f"trust_{y}"]].dropna().to_numpy(float)
                if len(both) < 3:
                    continue
                for name, collapse in mappings.items():
                    mapped = np.vectorize(collapse.get)(both.astype(int)).astype(float)
                    if mapped.std(axis=0).min() == 0:
                        r = float("nan")
                    else:
                        r = float(np.corrcoef(mapped.T)[0, 1])
                    low, high = _fisher_ci(r, len(mapped))
                    rows.append((country, wave, "r", f"{x}|{y}", name, r, len(mapped), low, high))
    table = pd.DataFrame(rows, columns=COLUMNS)
    return table.astype({"value": float, "n": "int64"})


def mapping_dependent_changes(
    scale_rows: pd.DataFrame,
    shares: pd.DataFrame,
    points: Mapping[str, int],
    order: Sequence[str],
    alpha: float = 0.05,
) -> pd.DataFrame:
    """Every change of a share between a six-point wave and an adjacent four-point wave, under
    each mapping: ``country, from_wave, to_wave, institution, mapping, change_pp, p,
    significant, depends_on_mapping``.

    ``shares``: institution_trust.csv rows (unweighted, nonresponse excluded are used).
    Two-proportion z test on unweighted counts (independent samples). A change is flagged
    when its sign or its significance differs between mappings.
    """
    four = shares[(~shares["weighted"]) & (shares["nonresponse"] == "exclude")]
    four = four.set_index(["country", "wave", "institution"])
    rows = []
    for r in scale_rows[scale_rows["quantity"] == "share"].itertuples(index=False):
        position = list(order).index(r.wave)
        neighbours = [w for w in order[:position] if points.get(w) == 4][-1:] + [
            w for w in order[position + 1 :] if points.get(w) == 4
        ][:1]
        for other in neighbours:
            key = (r.country, other, r.institution_or_pair)
            if key not in four.index:
                continue
            ref = four.loc[key]
            p1, n1 = ref["pct_trust"] / 100, int(ref["n_valid"])
            p2, n2 = r.value / 100, int(r.n)
            earlier_first = list(order).index(other) < position
            change = (p2 - p1) if earlier_first else (p1 - p2)
            pooled = (p1 * n1 + p2 * n2) / (n1 + n2)
            se = np.sqrt(pooled * (1 - pooled) * (1 / n1 + 1 / n2))
            p = float(2 * special.ndtr(-abs(p2 - p1) / se)) if se > 0 else float("nan")  # norm.sf
            rows.append(
                {
                    "country": r.country,
                    "from_wave": other if earlier_first else r.wave,
                    "to_wave": r.wave if earlier_first else other,
                    "institution": r.institution_or_pair,
                    "mapping": r.convention,
                    "change_pp": 100 * change,
                    "p": p,
                    "significant": bool(p < alpha),
                }
            )
    table = pd.DataFrame(rows, columns=["country", "from_wave", "to_wave", "institution",
                                        "mapping", "change_pp", "p", "significant"])  # fmt: skip
    if table.empty:
        return table.assign(depends_on_mapping=pd.Series(dtype=bool))
    key = ["country", "from_wave", "to_wave", "institution"]
    grouped = table.assign(_s=np.sign(table["change_pp"]), _g=table["significant"]).groupby(key)
    depends = (grouped["_s"].transform("nunique") > 1) | (grouped["_g"].transform("nunique") > 1)
    return table.assign(depends_on_mapping=depends.to_numpy())
