"""Deterministic synthetic ABS fixture: mainland China, wave 3 (2011) and wave 4 (2015).

Why this module exists
----------------------
ABS microdata are licensed and never committed, yet the workflow, its tests and CI need input
files that look like the real releases *and* reproduce the published numbers, so the published
check is exercised end to end. This module writes two SPSS files in the real release layout
(variable names, codes, value labels, typos and all) whose aggregates are calibrated to
Farid & Song (2020):

* Table 4: the share trusting (codes 1-2 among substantive answers 1-4) per institution, W3
  unweighted and W4 weighted by ``w``, each within 0.04 pp of the printed value, and every
  printed change reproduced from the unrounded shares (the local-government row is tight:
  printed 80.3 and 68.7, change -11.5);
* Note 24: the W4 weighted Pearson r between local-government and NGO trust rounds to 0.293
  and the partial r (controls: age, female, education, income) stays within 0.01 of it.

Independence
------------
The generator imports no other ``abs_trust`` module (in particular not ``trust``,
``correlation`` or ``harmonize``): if it shared code with the analysis, a bug in that code
would be baked into the fixture and the published check would pass circularly. It verifies
its own targets on the files *as written*, with small numpy helpers of its own, and raises
:class:`FixtureError` when any target is missed.

Model (see data/fixture/README.md)
----------------------------------
Respondents get demographics, a weight, a general institutional-trust factor and a
"don't know" propensity. Each trust item is a latent score (general factor + a mild
demographic component + item noise). Item nonresponse goes to the respondents with the
highest don't-know propensity (plus item noise). Among valid answers the "trusting" set is
the top of the latent score, sized to hit the calibrated share exactly (W3: a count; W4: a
weighted prefix finished by one weight-matched swap). Within those sets the latent score
splits 1 from 2 and 3 from 4. Finally NGO answers are moved 1<->2 or 3<->4 (which never
changes a share) until the correlation hits its target and, in W4, the partial correlation
sits inside ``PARTIAL_BAND``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import pathlib
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyreadstat

DEFAULT_SEED = 20200915
"""Seed of the committed files (the article's online date, 2020-09-15)."""

N_W3 = 3473
N_W4 = 4068
CHINA = 4
W3_FILE = "W3_china_synthetic.sav"
W4_FILE = "W4_china_synthetic.sav"

TRUST_ITEMS = tuple(f"q{i}" for i in range(7, 20))
NONRESPONSE = (-1, 7, 8, 9)
MARGIN = 0.04
"""Largest allowed |unrounded - printed| (pp): 0.01 pp of safety inside the rounding band."""

# Table 4 of Farid & Song (2020): item -> (2011 %, 2015 %, change as printed).
PUBLISHED = {
    "q8": (85.5, 84.2, -1.3),
    "q9": (95.9, 94.7, -1.2),
    "q11": (95.7, 92.6, -3.1),
    "q12": (69.4, 63.6, -5.8),
    "q13": (96.4, 95.8, -0.6),
    "q14": (84.6, 82.4, -2.2),
    "q15": (80.3, 68.7, -11.5),
    "q16": (75.2, 69.2, -6.0),
    "q17": (80.3, 76.5, -3.8),
    "q19": (61.4, 53.1, -8.3),
}
# Items the article leaves out: plausible levels only (not checked against anything).
UNPUBLISHED = {"q7": (93.1, 91.6), "q10": (86.4, 81.2), "q18": (76.8, 70.3)}

R_W4 = 0.293
R_W4_TOL = 0.0003
PARTIAL_MAX_GAP = 0.01
PARTIAL_BAND = (0.285, 0.291)
"""Where the tuner keeps the W4 weighted partial r: "whether or not controlling" (note 24)."""
R_W3 = 0.350
"""W3 correlation is not published; a plausible value the tuner aims at (tolerance 0.003)."""

# Item nonresponse (share of rows): government items ~4-5 % (W3) and ~9-10 % (W4), NGOs and
# the election commission clearly higher, as in the real China samples.
NR_RATE = {
    "W3": {
        "q7": 0.052, "q8": 0.064, "q9": 0.045, "q10": 0.081, "q11": 0.071, "q12": 0.056,
        "q13": 0.050, "q14": 0.047, "q15": 0.042, "q16": 0.061, "q17": 0.040, "q18": 0.118,
        "q19": 0.196,
    },
    "W4": {
        "q7": 0.094, "q8": 0.108, "q9": 0.093, "q10": 0.127, "q11": 0.119, "q12": 0.099,
        "q13": 0.096, "q14": 0.091, "q15": 0.094, "q16": 0.104, "q17": 0.090, "q18": 0.162,
        "q19": 0.236,
    },
}  # fmt: skip
NR_CODE_MIX = {8: 0.70, 9: 0.17, 7: 0.07, -1: 0.06}
"""Mostly "can't choose", then "decline", few "do not understand" and system missing."""

# Loading of each item on the general trust factor; local government (q15) and NGOs (q19)
# are set so their 4-point r lands near the targets before the final tuning.
LOADING = {
    "q7": 0.70, "q8": 0.62, "q9": 0.72, "q10": 0.62, "q11": 0.70, "q12": 0.60, "q13": 0.62,
    "q14": 0.62, "q15": 0.63, "q16": 0.55, "q17": 0.57, "q18": 0.55, "q19": 0.57,
}  # fmt: skip
LOADING_W3 = {"q15": 0.68, "q19": 0.64}
DEMO_LOADING = 0.12
"""Weight of the demographic composite in every item: small, so controls move r a little."""

FILE_LABEL = "SYNTHETIC FIXTURE: not ABS data, abs-trust fit to published"
"""SPSS file labels hold at most 64 bytes; the notes below carry the full statement."""
NOTE_LINES = (
    "SYNTHETIC FIXTURE generated by abs-trust (python -m abs_trust.tools.fixture).",
    "This is NOT Asian Barometer Survey data: every respondent is simulated.",
    "Calibrated to published aggregates: Farid & Song (2020), Journal of Chinese",
    "Political Science 25(4), Table 4 and note 24. Layout of the real ABS {wave}",
    "release (mainland China rows only). Seed {seed}.",
)
"""SPSS document records are 80-character lines."""


class FixtureError(RuntimeError):
    """A calibration target was missed: the fixture would not exercise the published check."""


# --------------------------------------------------------------------------------------------
# Labels (copied from the real releases' dictionaries, typos included, so ingest code meets
# what it will meet on the licensed files)
# --------------------------------------------------------------------------------------------

W3_COUNTRY_LABELS = {
    -1: "Missing", 1: "Japan", 2: "Hong Kong", 3: "Korea", 4: "Mainland China", 5: "Mongolia",
    6: "Philippines", 7: "Taiwan", 8: "Thailand", 9: "Indonesia", 10: "Singapore",
    11: "Vietnam", 12: "Cambodia", 13: "Malaysia",
}  # fmt: skip
W4_COUNTRY_LABELS = {
    1: "Japan", 2: "Hong Kong", 3: "Korea", 4: "China", 5: "Mongolia", 6: "Philippines",
    7: "Taiwan", 8: "Thailand", 9: "Indonesia", 10: "Singapore", 11: "Vietnam",
    12: "Cambodia", 13: "Malaysia", 14: "Myanmar",
}  # fmt: skip
W3_TRUST_LABELS = {
    -1: "Missing", 1: "A great deal of trust", 2: "Quite a lot of trust",
    3: "not very much trust not very much trust", 4: "None at all",
    7: "Do not understand the question", 8: "Can't choose", 9: "Decline to answer",
}  # fmt: skip
W4_TRUST_LABELS = {
    -1: "Mssing", 1: "A great deal of trust", 2: "Quite a lot of trust",
    3: "Not very much trust", 4: "None at all", 7: "Do not understand the question",
    8: "Can't choose", 9: "Decline to answer",
}  # fmt: skip
W3_TRUST_VARLABELS = {
    "q7": "q7. I'm going to name a number of institutions. For each one, please tell me how "
    "much trust do you have in them? The president",
    "q8": "q8. The courts",
    "q9": "q9. The national government [in capital city]",
    "q10": "q10. Political parties [not any specific party]",
    "q11": "q11. Parliament",
    "q12": "q12. Civil service",
    "q13": "q13. The military(or armed forces)",
    "q14": "q14. The police",
    "q15": "q15. Local government",
    "q16": "q16. Newspapers",
    "q17": "q17. Television",
    "q18": "q18. The election commission [specify institution by name] <Optional>",
    "q19": "q19. Non-governmental organizations or NGOs <Optional>",
}
W4_TRUST_VARLABELS = {
    "q7": "7 Trust in the excutive office (president or prime minister)",
    "q8": "8 The courts",
    "q9": "9 National government in the capital city",
    "q10": "10 Political parties",
    "q11": "11 Parliament",
    "q12": "12 Civil service",
    "q13": "13 The military",
    "q14": "14 The police",
    "q15": "15 Local government",
    "q16": "16 Newspaper",
    "q17": "17 Television",
    "q18": "18 The election commission",
    "q19": "19 Non-government organizations or NGOs",
}
_EDU = {
    1: "No formal education",
    2: "Incomplete primary/elementary",
    3: "Complete primary/elementary",
    4: "Incomplete secondary/high school: technical/vocational type",
    5: "Complete secondary/high school: technical/vocational type",
    6: "Incomplete secondary/high school",
    7: "Complete secondary/high school",
    8: "Some university education",
    9: "University education completed",
    10: "Post-graduate degree",
}
W3_EDU_LABELS = {-1: "Missing", **_EDU, 98: "Can't choose", 99: "Decline to answer"}
W4_EDU_LABELS = {
    -1: "Missing",
    **_EDU,
    11: "Other",
    97: "Do not understand the question",
    98: "Can't choose",
    99: "Decline to answer",
}
_GENDER = {-1: "Missing", 1: "Male", 2: "Female"}
_MISSING_ONLY = {-1: "Missing"}


# --------------------------------------------------------------------------------------------
# Calibration targets
# --------------------------------------------------------------------------------------------


def round_half_away(x: float, ndigits: int = 1) -> float:
    """Round like a table does (0.05 -> 0.1), not like Python's banker's ``round``."""
    scale = 10.0**ndigits
    return math.copysign(math.floor(abs(x) * scale + 0.5) / scale, x)


def w3_share_interval(item: str, margin: float = MARGIN) -> tuple[float, float]:
    """Return the 2011 shares from which some 2015 share satisfies all three printed columns.

    With s3, s4 the unrounded shares and (p3, p4, c) the printed row, we need
    |s3 - p3| <= m, |s4 - p4| <= m and |s4 - s3 - c| <= m. A suitable s4 exists iff
    s3 lies in [p4 - c - 2m, p4 - c + 2m], so the 2011 interval is the intersection.
    """
    p3, p4, c = PUBLISHED[item]
    return max(p3 - margin, p4 - c - 2 * margin), min(p3 + margin, p4 - c + 2 * margin)


def w4_share_interval(item: str, s3: float, margin: float = MARGIN) -> tuple[float, float]:
    """Return the 2015 shares compatible with the realised 2011 share ``s3`` (all in %)."""
    _, p4, c = PUBLISHED[item]
    return max(p4 - margin, s3 + c - margin), min(p4 + margin, s3 + c + margin)


def _w3_counts(item: str, n: int, rate: float) -> tuple[int, int]:
    """Pick (nonresponse count, trusting count) so k / n_valid sits mid-interval.

    W3 shares are unweighted, i.e. exact fractions; a few rows more or less of nonresponse
    change the grid of attainable fractions, which makes even the tight local-government row
    land near the centre of its 0.02 pp window.
    """
    if item in PUBLISHED:
        lo, hi = w3_share_interval(item)
        target = (lo + hi) / 2
    else:
        target = UNPUBLISHED[item][0]
    nr0 = round(rate * n)
    best: tuple[float, int, int, int] | None = None
    for nr in range(nr0 - 12, nr0 + 13):
        n_valid = n - nr
        k = round(target / 100 * n_valid)
        key = (abs(100 * k / n_valid - target), abs(nr - nr0), nr, k)
        if best is None or key < best:
            best = key
    assert best is not None
    return best[2], best[3]


# --------------------------------------------------------------------------------------------
# Generation
# --------------------------------------------------------------------------------------------


@dataclass
class _Wave:
    """Everything the writer needs for one file."""

    name: str
    frame: pd.DataFrame
    column_labels: dict[str, str]
    value_labels: dict[str, dict[int, str]]
    missing_ranges: dict[str, list] = field(default_factory=dict)
    formats: dict[str, str] = field(default_factory=dict)


def _zscore(x: np.ndarray) -> np.ndarray:
    return (x - x.mean()) / x.std()


def _quantile_codes(latent: np.ndarray, probs: list[float]) -> np.ndarray:
    """Cut a latent score into codes 1..K with exactly the given proportions (by rank)."""
    n = latent.size
    ranks = np.empty(n, dtype=np.int64)
    ranks[np.argsort(latent, kind="stable")] = np.arange(n)
    bounds = np.round(np.cumsum(probs) / np.sum(probs) * n).astype(np.int64)
    return 1 + np.searchsorted(bounds, ranks, side="right")


def _inject(rng: np.random.Generator, values: np.ndarray, codes: dict[int, int]) -> np.ndarray:
    """Overwrite a few random rows with nonresponse codes ({code: number of rows})."""
    out = values.copy()
    total = sum(codes.values())
    rows = rng.choice(values.size, size=total, replace=False)
    start = 0
    for code, count in codes.items():
        out[rows[start : start + count]] = code
        start += count
    return out


def _people(rng: np.random.Generator, n: int, rural_share: float) -> dict[str, np.ndarray]:
    """Latent and observed person traits shared by both waves' layouts.

    Education falls with age and rises with urban residence, income follows education and
    residence, so the controls of the partial correlation are correlated as in real surveys.
    """
    age = np.clip(np.round(rng.normal(46.0, 14.5, n)), 18, 85).astype(np.int64)
    female = rng.random(n) < 0.5
    rural = rng.random(n) < rural_share
    edu_latent = rng.normal(size=n) - 0.035 * (age - 46) + 0.75 * ~rural
    education = _quantile_codes(
        edu_latent, [0.12, 0.11, 0.20, 0.03, 0.06, 0.14, 0.16, 0.07, 0.09, 0.02]
    )
    inc_latent = 0.45 * _zscore(edu_latent) + 0.5 * ~rural + 0.8 * rng.normal(size=n)
    income = _quantile_codes(inc_latent, [0.2] * 5)
    employed_p = 1 / (1 + np.exp(-(1.2 - 0.07 * (age - 50) + 0.4 * ~female)))
    employed = np.where(rng.random(n) < employed_p, 1, 2)
    # Weights: lognormal, a little heavier for urban and educated respondents (who are
    # usually under-covered), normalised to mean 1 within the country.
    log_w = (
        0.36 * rng.normal(size=n) + 0.12 * (~rural - (~rural).mean()) + 0.04 * _zscore(edu_latent)
    )
    weight = np.exp(np.clip(log_w, -1.6, 1.4))
    weight = weight / weight.mean()
    # Older, rural, less educated and lower-income respondents trust a bit more; female a bit
    # less. Shared by every item, so controlling for it lowers the items' correlation a little.
    demo = _zscore(
        0.5 * _zscore(age.astype(float))
        - 0.35 * _zscore(edu_latent)
        + 0.3 * rural
        - 0.2 * _zscore(inc_latent)
        - 0.1 * female
    )
    dk = _zscore(0.8 * rng.normal(size=n) - 0.35 * _zscore(edu_latent) + 0.15 * _zscore(age * 1.0))
    return {
        "age": age,
        "female": female,
        "rural": rural,
        "education": education,
        "income": income,
        "employed": employed,
        "weight": weight,
        "demo": demo,
        "general": rng.normal(size=n),
        "dk": dk,
    }


def _nonresponse(
    rng: np.random.Generator, dk: np.ndarray, count: int
) -> tuple[np.ndarray, np.ndarray]:
    """Return (valid mask, codes for the nonresponse rows) with exactly ``count`` nonresponses.

    Nonresponse goes to the highest don't-know propensity plus item noise, so it clusters
    in the same people across items, as it does in real surveys.
    """
    score = dk + 0.9 * rng.normal(size=dk.size)
    rows = np.argsort(-score, kind="stable")[:count]
    valid = np.ones(dk.size, dtype=bool)
    valid[rows] = False
    codes = np.zeros(dk.size, dtype=np.int64)
    mix_codes = np.array(list(NR_CODE_MIX))
    mix_p = np.array(list(NR_CODE_MIX.values()))
    codes[rows] = rng.choice(mix_codes, size=count, p=mix_p / mix_p.sum())
    return valid, codes


def _trusting_by_count(latent: np.ndarray, valid: np.ndarray, k: int) -> np.ndarray:
    """Top-k valid respondents by latent trust (W3: shares are unweighted counts)."""
    idx = np.flatnonzero(valid)
    order = idx[np.argsort(-latent[idx], kind="stable")]
    trusting = np.zeros(latent.size, dtype=bool)
    trusting[order[:k]] = True
    return trusting


def _trusting_by_weight(
    latent: np.ndarray, valid: np.ndarray, weight: np.ndarray, target: float
) -> np.ndarray:
    """Top valid respondents by latent trust until their weight share equals ``target`` (%).

    The best prefix misses by up to half a weight (~0.04 pp); one swap of a respondent just
    inside the boundary with one just outside, chosen so their weight difference equals the
    remaining error, closes it to ~1e-5 pp while keeping the trusting set a near-threshold cut.
    """
    idx = np.flatnonzero(valid)
    order = idx[np.argsort(-latent[idx], kind="stable")]
    total = weight[idx].sum()
    cum = np.cumsum(weight[order]) / total * 100
    m = int(np.argmin(np.abs(cum - target))) + 1
    trusting = np.zeros(latent.size, dtype=bool)
    trusting[order[:m]] = True
    error = target - cum[m - 1]
    inside = order[max(0, m - 150) : m]
    outside = order[m : m + 150]
    gain = (weight[outside][None, :] - weight[inside][:, None]) / total * 100
    i, j = np.unravel_index(int(np.argmin(np.abs(gain - error))), gain.shape)
    if abs(gain[i, j] - error) < abs(error):
        trusting[inside[i]] = False
        trusting[outside[j]] = True
    return trusting


def _p_great(share: float, wave: str) -> float:
    """Share of the trusting who trust "a great deal": higher for the most trusted bodies.

    Anchored on the DCPO category counts of the real files (W3: 53 % for the national
    government, 18 % for the civil service; W4: 37 % and 9 %).
    """
    if wave == "W3":
        return float(np.clip(-0.638 + 1.185 * share, 0.06, 0.60))
    return float(np.clip(-0.488 + 0.903 * share, 0.05, 0.50))


def _categories(
    rng: np.random.Generator,
    latent: np.ndarray,
    valid: np.ndarray,
    trusting: np.ndarray,
    p_great: float,
    p_none: float,
) -> np.ndarray:
    """Split trusting into 1/2 and the rest into 3/4 by the same latent score (plus noise)."""
    noisy = latent + 0.35 * rng.normal(size=latent.size)
    codes = np.zeros(latent.size, dtype=np.int64)
    top = np.flatnonzero(trusting)
    top = top[np.argsort(-noisy[top], kind="stable")]
    n_great = round(p_great * top.size)
    codes[top[:n_great]] = 1
    codes[top[n_great:]] = 2
    low = np.flatnonzero(valid & ~trusting)
    low = low[np.argsort(noisy[low], kind="stable")]
    n_none = round(p_none * low.size)
    codes[low[:n_none]] = 4
    codes[low[n_none:]] = 3
    return codes


def _weighted_r(
    sw: float, sx: float, sy: np.ndarray, sxx: float, syy: np.ndarray, sxy: np.ndarray
) -> np.ndarray:
    """Weighted Pearson r from weighted sums (vectorised over candidate y sums)."""
    return (sxy - sx * sy / sw) / np.sqrt((sxx - sx * sx / sw) * (syy - sy * sy / sw))


def _controls(age: np.ndarray, gender: np.ndarray, edu: np.ndarray, inc: np.ndarray) -> np.ndarray:
    """Partial-correlation controls as floats, NaN where the answer is nonresponse."""
    age = np.where(age >= 18, age, np.nan)
    female = np.where(np.isin(gender, (1, 2)), gender == 2, np.nan)
    edu = np.where((edu >= 1) & (edu <= 10), edu, np.nan)
    inc = np.where((inc >= 1) & (inc <= 5), inc, np.nan)
    return np.column_stack([age, female, edu, inc]).astype(float)


def _tune_correlation(
    x: np.ndarray,
    y: np.ndarray,
    weight: np.ndarray,
    controls: np.ndarray,
    target: float,
    tol: float,
    partial_band: tuple[float, float] | None = None,
) -> np.ndarray:
    """Move y answers 1<->2 or 3<->4 until the weighted r(x, y) is on target.

    These moves never change who trusts, so the shares stay exactly calibrated. Each step
    takes the single move that most lowers a cost: the squared miss of r (in units of the
    published tolerance) plus, if ``partial_band`` is given, the squared distance (per 0.001)
    of the partial r from that band. Both are exact and vectorised over all candidate moves:
    r from weighted sums; the partial r as the weighted correlation of WLS residuals on the
    controls, whose change under a one-row move is closed-form (the residual maker M is
    W-orthogonal, so only the row's residual and leverage enter). Respondents with middling
    weights are preferred, so the unweighted r moves along with the weighted one.
    """
    y = y.copy()
    rows = np.flatnonzero(np.isin(x, (1, 2, 3, 4)) & np.isin(y, (1, 2, 3, 4)))
    xs = x[rows].astype(float)
    ws = weight[rows]
    middling = (ws > 0.75) & (ws < 1.33)
    listwise = ~np.isnan(controls[rows]).any(axis=1)
    z = np.column_stack([np.ones(listwise.sum()), controls[rows][listwise]])
    wz = ws[listwise]
    a_inv = np.linalg.inv(z.T @ (z * wz[:, None]))
    leverage = np.einsum("ij,jk,ik->i", z, a_inv, z)

    def residual(v: np.ndarray) -> np.ndarray:
        return v - z @ (a_inv @ (z.T @ (wz * v)))

    x_res = residual(xs[listwise])
    sxx_res = wz @ (x_res * x_res)
    sw, sx, sxx = ws.sum(), ws @ xs, ws @ (xs * xs)

    def cost(r: np.ndarray, p: np.ndarray) -> np.ndarray:
        c = ((r - target) / R_W4_TOL) ** 2
        if partial_band is not None:
            # Aim 0.0005 inside the band so the stop test is met, not approached forever.
            lo, hi = partial_band[0] + 5e-4, partial_band[1] - 5e-4
            c = c + (np.maximum(0, np.maximum(lo - p, p - hi)) / 1e-3) ** 2
        return c

    r_now = p_now = float("nan")
    for _ in range(5000):
        ys = y[rows].astype(float)
        sy, syy, sxy = ws @ ys, ws @ (ys * ys), ws @ (xs * ys)
        r_now = float(_weighted_r(sw, sx, np.array(sy), sxx, np.array(syy), np.array(sxy)))
        y_res = residual(ys[listwise])
        sxy_res, syy_res = wz @ (x_res * y_res), wz @ (y_res * y_res)
        p_now = float(sxy_res / math.sqrt(sxx_res * syy_res))
        in_band = partial_band is None or partial_band[0] <= p_now <= partial_band[1]
        if abs(r_now - target) <= tol and in_band:
            return y
        delta = np.where((ys == 1) | (ys == 3), 1.0, -1.0)
        r_new = _weighted_r(
            sw,
            sx,
            sy + ws * delta,
            sxx,
            syy + ws * (2 * ys * delta + delta * delta),
            sxy + ws * xs * delta,
        )
        p_new = np.full(rows.size, p_now)
        d = delta[listwise]
        p_new[listwise] = (sxy_res + wz * x_res * d) / np.sqrt(
            sxx_res * (syy_res + 2 * d * wz * y_res + d * d * (wz - wz * wz * leverage))
        )
        c_now = float(cost(np.array(r_now), np.array(p_now)))
        c_new = cost(r_new, p_new)
        best = int(np.argmin(np.where(middling, c_new, np.inf)))
        if c_new[best] >= c_now:
            best = int(np.argmin(c_new))
            if c_new[best] >= c_now:
                break
        y[rows[best]] += int(delta[best])
    raise FixtureError(
        f"correlation tuning stalled at r={r_now:.5f} (target {target}), partial r={p_now:.5f}"
    )


def _trust_block(
    rng: np.random.Generator,
    people: dict[str, np.ndarray],
    wave: str,
    targets: dict[str, float],
    nr_counts: dict[str, int],
    trust_counts: dict[str, int] | None,
) -> dict[str, np.ndarray]:
    """Generate q7..q19 for one wave: nonresponse, trusting set, categories."""
    n = people["age"].size
    out: dict[str, np.ndarray] = {}
    for item in TRUST_ITEMS:
        lam = (LOADING_W3 if wave == "W3" else {}).get(item, LOADING[item])
        noise_sd = math.sqrt(1 - lam**2 - DEMO_LOADING**2)
        latent = (
            lam * people["general"] + DEMO_LOADING * people["demo"] + noise_sd * rng.normal(size=n)
        )
        valid, nr_codes = _nonresponse(rng, people["dk"], nr_counts[item])
        if trust_counts is not None:
            trusting = _trusting_by_count(latent, valid, trust_counts[item])
        else:
            trusting = _trusting_by_weight(latent, valid, people["weight"], targets[item])
        share = targets[item] / 100
        codes = _categories(
            rng, latent, valid, trusting, _p_great(share, wave), 0.12 if share > 0.8 else 0.16
        )
        out[item] = np.where(valid, codes, nr_codes)
    return out


def _demographic_codes(
    rng: np.random.Generator, people: dict[str, np.ndarray], wave: str
) -> dict[str, np.ndarray]:
    """Observed demographic columns with a few realistic nonresponse codes."""
    age = _inject(rng, people["age"], {-1: 4})
    gender = _inject(rng, np.where(people["female"], 2, 1), {-1: 2})
    if wave == "W3":
        education = _inject(rng, people["education"], {98: 6, 99: 4, -1: 2})
        employed = _inject(rng, people["employed"], {9: 5, -1: 2})
    else:
        education = _inject(rng, people["education"], {11: 5, 97: 2, 98: 6, 99: 4, -1: 2})
        employed = _inject(rng, people["employed"], {7: 2, 8: 3, 9: 5, -1: 2})
    n = age.size
    income = _inject(rng, people["income"], {8: round(0.045 * n), 9: round(0.025 * n), -1: 3})
    return {
        "age": age,
        "gender": gender,
        "education": education,
        "employed": employed,
        "income": income,
    }


def _w3_dates(rng: np.random.Generator, n: int) -> list[dt.date]:
    """Interview dates in 2011 (China W3 fieldwork), denser in the summer months."""
    start = dt.date(2011, 1, 1)
    days = np.clip(np.round(rng.normal(190, 55, n)), 20, 350).astype(int)
    return [start + dt.timedelta(days=int(d)) for d in days]


def _w4_year_month(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Interview year and month: December 2014 to June 2016, mostly 2015."""
    months = [(2014, 12)] + [(2015, m) for m in range(1, 13)] + [(2016, m) for m in range(1, 7)]
    p = np.array([0.06] + [0.86 / 12] * 12 + [0.08 / 6] * 6)
    pick = rng.choice(len(months), size=n, p=p / p.sum())
    year = np.array([months[i][0] for i in pick], dtype=np.int64)
    month = np.array([months[i][1] for i in pick], dtype=np.int64)
    return year, month


def _build_w3(seed: int) -> tuple[_Wave, dict[str, float]]:
    """Wave 3 (2011): unweighted shares are exact counts; returns realised shares too."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 3]))
    n = N_W3
    people = _people(rng, n, rural_share=0.57)
    nr_counts, trust_counts, shares = {}, {}, {}
    for item in TRUST_ITEMS:
        nr, k = _w3_counts(item, n, NR_RATE["W3"][item])
        nr_counts[item], trust_counts[item] = nr, k
        shares[item] = 100 * k / (n - nr)
    trust = _trust_block(rng, people, "W3", shares, nr_counts, trust_counts)
    demo = _demographic_codes(rng, people, "W3")
    controls = _controls(demo["age"], demo["gender"], demo["education"], demo["income"])
    trust["q19"] = _tune_correlation(trust["q15"], trust["q19"], np.ones(n), controls, R_W3, 0.003)
    weight = people["weight"]
    frame = pd.DataFrame(
        {
            "country": np.full(n, CHINA, dtype=np.int64),
            "idnumber": np.arange(400001, 400001 + n, dtype=np.int64),
            "level3": np.where(people["rural"], 2, 1).astype(np.int64),
            **trust,
            "se2": demo["gender"],
            "se3a": demo["age"],
            "se5": demo["education"],
            "se9": demo["employed"],
            "se13": demo["income"],
            "ir9": _w3_dates(rng, n),
            "allweight": weight,
            # Cross-country weight: every one of the 13 countries of the merged W3 file
            # (19,436 rows) counts equally.
            "couweight": weight * (19436 / 13) / n,
        }
    )
    labels = {
        "country": "Country Code",
        "idnumber": "case number",
        "level3": "urban-rural",
        **W3_TRUST_VARLABELS,
        "se2": "SE2. GENDER",
        "se3a": "SE3a.ACTUAL AGE",
        "se5": "SE5. EDUCATION",
        "se9": "SE9. Are you currently employed?(respondent)",
        "se13": "SE13. HOUSEHOLD INCOME",
        "ir9": "Date of Interview____(month)____(date)_2010_(year)",
        "allweight": "individual country weight",
        "couweight": "cross-country weight",
    }
    value_labels = {
        "country": W3_COUNTRY_LABELS,
        "idnumber": _MISSING_ONLY,
        "level3": {-1: "Missing", 1: "urban", 2: "rural"},
        **{item: W3_TRUST_LABELS for item in TRUST_ITEMS},
        "se2": _GENDER,
        "se3a": _MISSING_ONLY,
        "se5": W3_EDU_LABELS,
        "se9": {-1: "Missing", 1: "Employed", 2: "Not employed", 9: "Decline to answer"},
        "se13": {
            -1: "Missing",
            1: "Lowest level",
            2: "Low level",
            3: "Middle level",
            4: "High level",
            5: "Highest level",
            8: "Can't choose",
            9: "Decline to answer",
        },  # fmt: skip
    }
    missing = {item: [-1, {"lo": 7, "hi": 9}] for item in TRUST_ITEMS}
    formats = {c: "F8.0" for c in frame.columns if c not in ("ir9", "allweight", "couweight")}
    formats |= {"ir9": "DATE11", "allweight": "F10.6", "couweight": "F10.6"}
    return _Wave("W3", frame, labels, value_labels, missing, formats), shares


def _w4_targets(w3_shares: dict[str, float]) -> dict[str, float]:
    """2015 targets: the centre of what the realised 2011 share leaves feasible."""
    targets = {}
    for item in TRUST_ITEMS:
        if item in PUBLISHED:
            lo, hi = w4_share_interval(item, w3_shares[item])
            if lo > hi:
                raise FixtureError(f"{item}: no feasible 2015 share after 2011 = {w3_shares[item]}")
            targets[item] = (lo + hi) / 2
        else:
            targets[item] = UNPUBLISHED[item][1]
    return targets


def _build_w4(seed: int, w3_shares: dict[str, float]) -> _Wave:
    """Wave 4 (2015): weighted shares and the note-24 correlation."""
    rng = np.random.default_rng(np.random.SeedSequence([seed, 4]))
    n = N_W4
    people = _people(rng, n, rural_share=0.53)
    targets = _w4_targets(w3_shares)
    nr_counts = {item: round(NR_RATE["W4"][item] * n) for item in TRUST_ITEMS}
    trust = _trust_block(rng, people, "W4", targets, nr_counts, None)
    weight = people["weight"]
    demo = _demographic_codes(rng, people, "W4")
    controls = _controls(demo["age"], demo["gender"], demo["education"], demo["income"])
    trust["q19"] = _tune_correlation(
        trust["q15"], trust["q19"], weight, controls, R_W4, 0.00005, PARTIAL_BAND
    )
    year, month = _w4_year_month(rng, n)
    # Birth year from interview year and age; a respondent whose birthday has not come yet
    # in the interview year was born one year earlier.
    born = year - people["age"] - (rng.random(n) < 0.5)
    birth_year = np.where(demo["age"] == -1, -1, born).astype(np.int64)
    frame = pd.DataFrame(
        {
            "country": np.full(n, CHINA, dtype=np.int64),
            "year": year,
            "month": month,
            "idnumber": np.arange(400001, 400001 + n, dtype=np.int64),
            "level": np.where(people["rural"], 1, 2).astype(np.int64),
            **trust,
            "se2": demo["gender"],
            "se3_1": birth_year,
            "se3_2": demo["age"],
            "se5": demo["education"],
            "se9": demo["employed"],
            "se14": demo["income"],
            "w": weight,
            # 14 countries in the merged W4 file (20,667 rows), each counting equally.
            "w_cross": weight * (20667 / 14) / n,
        }
    )
    labels = {
        "country": "Country code",
        "year": "Interview year",
        "month": "Interview month",
        "idnumber": "case number",
        "level": "Rural or urban",
        **W4_TRUST_VARLABELS,
        "se2": "se2 Gender",
        "se3_1": "se3_1 Birth year",
        "se3_2": "se3_2 Actual age",
        "se5": "se5 Education",
        "se9": "se9 Are you current employed?",
        "se14": "se14 Annual or monthly household income",
        "w": "Individual country weight",
        "w_cross": "cross 'Cross-country weight'",
    }
    value_labels = {
        "country": W4_COUNTRY_LABELS,
        "year": _MISSING_ONLY,
        "month": _MISSING_ONLY,
        "level": {-1: "Missing", 1: "Rural", 2: "Urban"},
        **{item: W4_TRUST_LABELS for item in TRUST_ITEMS},
        "se2": _GENDER,
        "se3_1": _MISSING_ONLY,
        "se3_2": _MISSING_ONLY,
        "se5": W4_EDU_LABELS,
        "se9": {
            -1: "Missing",
            1: "Employed",
            2: "Not employed",
            7: "Do not understand the question",
            8: "Can't choose",
            9: "Decline to answer",
        },  # fmt: skip
        "se14": {
            -1: "Missing",
            1: "Lowest quintile",
            2: "2 nd",
            3: "3rd",
            4: "4th",
            5: "Highest quintile",
            8: "Can't choose",
            9: "Decline to answer",
        },  # fmt: skip
    }
    formats = {c: "F8.0" for c in frame.columns if c not in ("w", "w_cross")}
    formats |= {"w": "F10.6", "w_cross": "F10.6"}
    return _Wave("W4", frame, labels, value_labels, {}, formats)


def _write(wave: _Wave, path: pathlib.Path, seed: int) -> None:
    """Write one .sav; row (bytecode) compression keeps the small integer codes to 1 byte."""
    pyreadstat.write_sav(
        wave.frame,
        path,
        file_label=FILE_LABEL,
        column_labels=wave.column_labels,
        row_compress=True,
        note=[line.format(seed=seed, wave=wave.name) for line in NOTE_LINES],
        variable_value_labels=wave.value_labels,
        missing_ranges=wave.missing_ranges or None,
        variable_measure={c: "scale" for c in wave.frame.columns},
        variable_format=wave.formats,
    )


# --------------------------------------------------------------------------------------------
# Independent verification (small numpy helpers of its own, applied to the files as written)
# --------------------------------------------------------------------------------------------


def _share(codes: np.ndarray, weight: np.ndarray) -> float:
    """Percent trusting (codes 1-2) among substantive answers (1-4)."""
    valid = np.isin(codes, (1, 2, 3, 4))
    return float(100 * weight[valid & (codes <= 2)].sum() / weight[valid].sum())


def _wcorr_matrix(data: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """Weighted correlation matrix of the columns of ``data`` (rows = respondents)."""
    w = weight / weight.sum()
    centred = data - w @ data
    cov = centred.T @ (centred * w[:, None])
    sd = np.sqrt(np.diag(cov))
    return cov / np.outer(sd, sd)


WAVE_COLUMNS = {"W3": ("se3a", "se13", "allweight"), "W4": ("se3_2", "se14", "w")}
"""Per wave: the age, income and weight variables (the names differ between releases)."""


def _partial(corr: np.ndarray) -> float:
    """Partial r of the first two variables given the rest, from the precision matrix."""
    prec = np.linalg.inv(corr)
    return float(-prec[0, 1] / math.sqrt(prec[0, 0] * prec[1, 1]))


def correlations(frame: pd.DataFrame, wave: str, weighted: bool) -> dict[str, float]:
    """Local-government/NGO r and partial r (age, female, education, income) for one file."""
    age_col, inc_col, w_col = WAVE_COLUMNS[wave]
    x = frame["q15"].to_numpy(float)
    y = frame["q19"].to_numpy(float)
    w = frame[w_col].to_numpy(float) if weighted else np.ones(len(frame))
    pair = np.isin(x, (1, 2, 3, 4)) & np.isin(y, (1, 2, 3, 4))
    r = _wcorr_matrix(np.column_stack([x, y])[pair], w[pair])[0, 1]
    age = frame[age_col].to_numpy(float)
    sex = frame["se2"].to_numpy(float)
    edu = frame["se5"].to_numpy(float)
    inc = frame[inc_col].to_numpy(float)
    ok = (
        pair
        & (age >= 18)
        & np.isin(sex, (1, 2))
        & np.isin(edu, np.arange(1, 11))
        & np.isin(inc, (1, 2, 3, 4, 5))
    )
    data = np.column_stack([x, y, age, (sex == 2).astype(float), edu, inc])[ok]
    return {
        "r": float(r),
        "partial": _partial(_wcorr_matrix(data, w[ok])),
        "n": int(pair.sum()),
        "n_partial": int(ok.sum()),
    }


def summarize(out_dir: pathlib.Path) -> dict:
    """Read both fixture files and compute every calibrated quantity (for checks and README)."""
    w3, _ = pyreadstat.read_sav(out_dir / W3_FILE, user_missing=True)
    w4, _ = pyreadstat.read_sav(out_dir / W4_FILE, user_missing=True)
    ones = np.ones(len(w3))
    shares = {
        item: (_share(w3[item].to_numpy(), ones), _share(w4[item].to_numpy(), w4["w"].to_numpy()))
        for item in TRUST_ITEMS
    }
    nonresponse = {
        item: (
            float(100 * np.isin(w3[item], NONRESPONSE).mean()),
            float(100 * np.isin(w4[item], NONRESPONSE).mean()),
        )
        for item in TRUST_ITEMS
    }
    return {
        "n": (len(w3), len(w4)),
        "shares": shares,
        "nonresponse": nonresponse,
        "corr": {
            ("W3", True): correlations(w3, "W3", True),
            ("W3", False): correlations(w3, "W3", False),
            ("W4", True): correlations(w4, "W4", True),
            ("W4", False): correlations(w4, "W4", False),
        },
        "country": (set(w3["country"]), set(w4["country"])),
        "weights": (
            (float(w3["allweight"].mean()), float(w3["allweight"].std())),
            (float(w4["w"].mean()), float(w4["w"].std())),
        ),
    }


def verify(out_dir: pathlib.Path) -> dict:
    """Recompute every target from the written files; raise FixtureError listing any misses."""
    s = summarize(out_dir)
    problems = []
    if s["n"] != (N_W3, N_W4):
        problems.append(f"row counts {s['n']}, expected {(N_W3, N_W4)}")
    if s["country"] != ({CHINA}, {CHINA}):
        problems.append(f"country codes {s['country']}, expected only {CHINA}")
    for item, (p3, p4, change) in PUBLISHED.items():
        s3, s4 = s["shares"][item]
        for got, printed, what in ((s3, p3, "2011"), (s4, p4, "2015"), (s4 - s3, change, "chg")):
            if abs(got - printed) > MARGIN + 1e-9 or round_half_away(got) != printed:
                problems.append(f"{item} {what}: {got:.4f}, printed {printed}")
    w4 = s["corr"][("W4", True)]
    if abs(w4["r"] - R_W4) > R_W4_TOL:
        problems.append(f"W4 weighted r = {w4['r']:.5f}, target {R_W4}")
    if abs(w4["partial"] - w4["r"]) > PARTIAL_MAX_GAP:
        problems.append(f"W4 weighted partial r = {w4['partial']:.5f} vs r = {w4['r']:.5f}")
    if not 0.3 <= s["corr"][("W3", False)]["r"] <= 0.4:
        problems.append(f"W3 r = {s['corr'][('W3', False)]['r']:.4f}, expected 0.3-0.4")
    for k, wave in enumerate(("W3", "W4")):
        if s["nonresponse"]["q19"][k] <= s["nonresponse"]["q9"][k]:
            problems.append(f"{wave}: NGO nonresponse not above national government's")
        mean, sd = s["weights"][k]
        if abs(mean - 1) > 1e-9 or not 0.25 <= sd <= 0.6:
            problems.append(f"{wave}: weight mean {mean}, sd {sd}")
    if problems:
        raise FixtureError("synthetic fixture misses its targets:\n  " + "\n  ".join(problems))
    return s


def format_summary(s: dict) -> str:
    """Markdown tables of the achieved values (pasted into data/fixture/README.md)."""
    lines = [
        "| item | 2011 (W3, unweighted) | 2015 (W4, weighted) | change | printed |",
        "|---|---|---|---|---|",
    ]
    for item in TRUST_ITEMS:
        s3, s4 = s["shares"][item]
        printed = "/".join(map(str, PUBLISHED[item])) if item in PUBLISHED else "(not printed)"
        lines.append(f"| {item} | {s3:.4f} | {s4:.4f} | {s4 - s3:+.4f} | {printed} |")
    lines += [
        "",
        "| wave | weighted | r | partial r | n (r) | n (partial) |",
        "|---|---|---|---|---|---|",
    ]
    for (wave, weighted), c in s["corr"].items():
        lines.append(
            f"| {wave} | {'yes' if weighted else 'no'} | {c['r']:.5f} | {c['partial']:.5f} "
            f"| {c['n']} | {c['n_partial']} |"
        )
    lines += ["", "| item | W3 nonresponse % | W4 nonresponse % |", "|---|---|---|"]
    for item in TRUST_ITEMS:
        a, b = s["nonresponse"][item]
        lines.append(f"| {item} | {a:.2f} | {b:.2f} |")
    return "\n".join(lines)


# --------------------------------------------------------------------------------------------
# Entry points
# --------------------------------------------------------------------------------------------


def generate(out_dir: pathlib.Path, seed: int = DEFAULT_SEED) -> list[pathlib.Path]:
    """Write the W3 and W4 fixture files into ``out_dir``, verify them, return their paths.

    Deterministic: the same seed gives identical values (only the SPSS header's creation
    timestamp differs between runs). Raises FixtureError if a calibration target is missed.
    """
    out_dir = pathlib.Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    w3, w3_shares = _build_w3(seed)
    w4 = _build_w4(seed, w3_shares)
    paths = [out_dir / W3_FILE, out_dir / W4_FILE]
    for wave, path in zip((w3, w4), paths, strict=True):
        _write(wave, path, seed)
    verify(out_dir)
    return paths


def main(argv: list[str] | None = None) -> int:
    """Command line: ``python -m abs_trust.tools.fixture --out data/fixture [--seed N]``."""
    parser = argparse.ArgumentParser(
        prog="abs-trust make-fixture",
        description="Write the synthetic (NOT ABS) W3/W4 China fixture calibrated to "
        "Farid & Song (2020), and verify it.",
    )
    parser.add_argument(
        "--out",
        type=pathlib.Path,
        default=pathlib.Path("data/fixture"),
        help="directory for the two .sav files (default: data/fixture)",
    )
    parser.add_argument(
        "--seed",
        type=int,
        default=DEFAULT_SEED,
        help=f"random seed (default {DEFAULT_SEED}, the seed of the committed files)",
    )
    parser.add_argument("--summary", action="store_true", help="print the achieved values")
    args = parser.parse_args(argv)
    try:
        paths = generate(args.out, args.seed)
    except FixtureError as exc:
        print(f"error: {exc}")
        return 1
    for path in paths:
        print(f"wrote {path} ({path.stat().st_size / 1024:.0f} KiB)")
    if args.summary:
        print(format_summary(summarize(args.out)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
