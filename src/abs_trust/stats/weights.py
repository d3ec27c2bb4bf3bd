"""Survey weights: their quality per country × wave, and when an estimate must not be shown.

Two rules guard every public number (config ``min_cell_size``, ``min_effective_n``,
``max_weight_share``; `EstimateRules`):

- **small cells**: a share or correlation on fewer respondents than ``min_cell_size`` (the
  share's denominator, the correlation's complete cases) is suppressed, with a note. A
  country-wave of one respondent would otherwise print that person's answers.
- **unusable weights**: a weighted estimate is refused, with a note, when its weights leave
  too little information. Kish's effective sample size

  .. math:: n_{\\mathrm{eff}} = \\frac{(\\sum_i w_i)^2}{\\sum_i w_i^2}, \\qquad
      \\mathrm{deff} = \\frac{n \\sum_i w_i^2}{(\\sum_i w_i)^2} = \\frac{n}{n_{\\mathrm{eff}}}

  below ``min_effective_n``, one respondent carrying more than ``max_weight_share`` of the
  total weight, every weight 0, or weights so large that their squares overflow (1e300):
  each would give a share of 100 % with a zero-width interval, or an r of ±inf, from what is
  in effect one respondent.

Reference: Kish, L. (1965). *Survey Sampling*, §11.7 (design effect of unequal weights).
The quantities are computed on the weights divided by their largest value, which leaves them
unchanged and keeps every sum finite.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

#: a mean weight further than this from 1 is flagged (ABS within-country weights average 1)
MEAN_TOLERANCE = 0.05
WEIGHT_COLUMNS = [
    "country", "wave", "year", "weight_variable", "n", "n_missing", "n_zero", "n_negative",
    "constant", "mean", "min", "median", "max", "max_median_ratio", "max_weight_share",
    "deff_kish", "n_effective", "usable", "note",
]  # fmt: skip


@dataclass(frozen=True)
class EstimateRules:
    """When an estimate is suppressed (small cell) or a weighted one refused (weights)."""

    min_cell_size: int = 30
    min_effective_n: float = 30.0
    max_weight_share: float = 0.5

    @classmethod
    def from_config(cls, values: Mapping | None) -> EstimateRules:
        """From the config's keys (``min_cell_size`` ...); None gives the defaults."""
        values = values or {}
        return cls(**{k: values[k] for k in cls.__dataclass_fields__ if k in values})


#: how the notes of `small_cell_note` and `weights_refusal` begin; every table, figure and
#: later step recognises an estimate these rules withheld by them
SUPPRESSED_NOTE, REFUSED_NOTE = "suppressed", "weighted estimate refused"


def withheld(note: object) -> bool:
    """Whether a table row's ``note`` says these rules withheld its estimate (too few
    respondents, or unusable weights)."""
    return isinstance(note, str) and note.startswith((SUPPRESSED_NOTE, REFUSED_NOTE))


def refused(note: object) -> bool:
    """Whether ``note`` refuses a weighted estimate because of its weights."""
    return isinstance(note, str) and note.startswith(REFUSED_NOTE)


def kish(weights: np.ndarray) -> tuple[float, float, float]:
    """(effective n, design effect, largest weight's share of the total) of ``weights``.

    NaN where undefined (no respondent, or every weight 0).
    """
    w = np.asarray(weights, dtype=float)
    top = w.max() if len(w) else 0.0
    if not len(w) or not np.isfinite(top) or top <= 0:
        return np.nan, np.nan, np.nan
    scaled = w / top  # the same ratios, every sum finite
    total = scaled.sum()
    n_effective = float(total**2 / (scaled**2).sum())
    return n_effective, float(len(w) / n_effective), float(1.0 / total)


def weights_refusal(weights: np.ndarray, rules: EstimateRules) -> str:
    """Why a weighted estimate over these respondents' ``weights`` is refused, or ""."""
    w = np.asarray(weights, dtype=float)
    if not len(w):
        return ""
    if not np.isfinite(w).all():
        return f"{REFUSED_NOTE}: weights are not all finite numbers"
    if w.max() <= 0:
        return f"{REFUSED_NOTE}: every weight is 0"
    n_effective, _, top_share = kish(w)
    if top_share > rules.max_weight_share:
        return (
            f"{REFUSED_NOTE}: one respondent carries {100 * top_share:.1f} % of the "
            f"weight (max_weight_share {100 * rules.max_weight_share:g} %)"
        )
    if n_effective < rules.min_effective_n:
        return (
            f"{REFUSED_NOTE}: effective n {n_effective:.1f} of {len(w)} respondents "
            f"(Kish) is below min_effective_n {rules.min_effective_n:g}"
        )
    with np.errstate(over="ignore"):
        if not np.isfinite((w**2).sum()) or not np.isfinite(w.sum()):
            return (
                f"{REFUSED_NOTE}: the weights are too large to compute with (their "
                "squares overflow); divide them by a constant"
            )
    return ""


def small_cell_note(n: int, rules: EstimateRules) -> str:
    """The note of an estimate on ``n`` respondents if that is too few to show, else ""."""
    if n < rules.min_cell_size:
        return f"{SUPPRESSED_NOTE}: {n} respondents (min_cell_size {rules.min_cell_size})"
    return ""


def withheld_reason(n: int, weights: np.ndarray | None, rules: EstimateRules | None) -> str:
    """Why an estimate on ``n`` respondents (``weights``: theirs, or None unweighted) is not
    shown: too few respondents (`small_cell_note`), else unusable weights (`weights_refusal`);
    "" when it is shown or there are no ``rules``."""
    if rules is None:
        return ""
    note = small_cell_note(n, rules)
    if not note and weights is not None:
        note = weights_refusal(weights, rules)
    return note


def refused_share(levels: np.ndarray, weights: np.ndarray, nonresponse: str, note: str) -> dict:
    """The row of a share that is not shown: counts kept, estimate and interval empty."""
    valid = ~np.isnan(levels)
    used = weights[valid] if nonresponse == "exclude" else weights
    n_effective, _, _ = kish(used) if len(used) else (np.nan, np.nan, np.nan)
    with np.errstate(over="ignore"):
        total = float(used.sum())
    return {
        "pct_trust": np.nan,
        "n_valid": int(valid.sum()),
        "n_nonresponse": int(len(levels) - valid.sum()),
        "ci_low": np.nan,
        "ci_high": np.nan,
        "sum_weights": total if np.isfinite(total) else np.nan,
        "n_effective": n_effective,
        "note": note,
    }


def weight_quality(
    frame: pd.DataFrame, meta: Mapping, rules: EstimateRules | None = None
) -> pd.DataFrame:
    """Quality of the weights, one row per country of a harmonized wave.

    ``n_missing``: respondents without a weight (only a whole country can lack them: a
    partly missing or negative weight stops ingest, so ``n_negative`` is 0 in any table that
    was written). ``constant``: one value for everyone (then no weight: unweighted rows).
    ``usable`` is False when the weights over all the country's respondents already fail
    `weights_refusal`; every weighted estimate is checked again over its own respondents.

    Returns
    -------
    pd.DataFrame
        ``WEIGHT_COLUMNS``.
    """
    rules = rules or EstimateRules()
    variable = meta.get("weight_variable")
    rows = []
    for country, group in frame.groupby("country", sort=True):
        facts = meta["countries"].get(str(country), {})
        w = group["weight"].to_numpy(dtype=float)
        missing = bool(facts.get("weight_missing")) or variable is None
        n_effective, deff, top_share = kish(w)
        median = float(np.median(w)) if len(w) else np.nan
        notes = []
        if variable is None:
            notes.append("the wave has no weight variable: unweighted")
        elif missing:
            notes.append(f"{variable} is missing for this country in the release: unweighted")
        constant = bool(len(w)) and bool((w == w[0]).all())
        usable = not missing
        if not missing:
            refusal = weights_refusal(w, rules)
            if constant and w[0] > 0:
                notes.append(f"{variable} does not vary: unweighted (the same estimates)")
            elif refusal:
                usable = False
                notes.append(refusal.replace(f"{REFUSED_NOTE}: ", "unusable: "))
            with np.errstate(over="ignore"):
                mean = float(w.mean())
            if usable and np.isfinite(mean) and abs(mean - 1) > MEAN_TOLERANCE:
                notes.append(
                    f"mean weight {mean:.3g}, not 1 (not scaled to the country's sample; "
                    "shares and r do not depend on the scale)"
                )
        with np.errstate(over="ignore", invalid="ignore"):
            rows.append(
                {
                    "country": country,
                    "wave": meta["wave"],
                    "year": facts.get("year"),
                    "weight_variable": variable or "",
                    "n": len(w),
                    "n_missing": len(w) if missing else 0,
                    "n_zero": 0 if missing else int((w == 0).sum()),
                    "n_negative": 0 if missing else int((w < 0).sum()),
                    "constant": constant,
                    "mean": np.nan if missing else float(w.mean()),
                    "min": np.nan if missing else float(w.min()),
                    "median": np.nan if missing else median,
                    "max": np.nan if missing else float(w.max()),
                    "max_median_ratio": (
                        float(w.max() / median) if not missing and median > 0 else np.nan
                    ),
                    "max_weight_share": np.nan if missing else top_share,
                    "deff_kish": np.nan if missing else deff,
                    "n_effective": np.nan if missing else n_effective,
                    "usable": usable,
                    "note": "; ".join(notes),
                }
            )
    return pd.DataFrame(rows, columns=WEIGHT_COLUMNS)
