"""Share trusting: the percentage of respondents who trust an institution.

"Trusting" is the top two of four categories ("a great deal", "quite a lot"); the levels
come from the crosswalk's scale, so a six-point wave states its own rule. Two denominators
(substantive answers only, or nonresponse counted as not trusting) and two weightings
(none, the wave's within-country weight) are computed for every item, because the
published numbers are only reproduced under the right one, and a reviewer will ask.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable

import numpy as np
import pandas as pd

from abs_trust.stats.arrays import country_wave_rows, float_columns, weighs
from abs_trust.stats.correlation import Z95
from abs_trust.stats.design import Design, _design_variance, design_columns
from abs_trust.stats.proportion_ci import CI_METHODS, DEFAULT_CI_METHOD, _proportion_interval
from abs_trust.stats.weights import (
    EstimateRules,
    refused,
    refused_share,
    small_cell_note,
    withheld_reason,
)

NONRESPONSE_CONVENTIONS = ("exclude", "as_not_trusting")


def _wilson_interval(k: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for a binomial proportion ``k / n`` (vectorised over k).

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1 + z^2/n}

    Reference: Wilson, E. B. (1927). JASA 22(158), 209-212. Better coverage than the Wald
    interval near 0 and 1, where several Chinese trust shares (95 %) sit.

    ``statsmodels.stats.proportion.proportion_confint(k, n, method="wilson")`` is the same
    formula, but with z = ``scipy.stats.norm.isf(0.025)`` = 1.9599639845400545, one double
    above ``ndtri(0.975)`` = 1.959963984540054 (the exact quantile is 1.95996398454005424, a
    little nearer the latter): it gave the fixture's 104 intervals bit for bit, but moves a
    quarter of all (k, n) up to n = 400 by up to 3.3e-16, so a real wave's table would
    change. Kept, for byte-identical results; tests/test_trust.py checks the two agree.
    """
    if n <= 0:
        return (np.nan, np.nan)
    p = k / n
    denom = 1 + z**2 / n
    centre = (p + z**2 / (2 * n)) / denom
    half = z * np.sqrt(p * (1 - p) / n + z**2 / (4 * n**2)) / denom
    return (centre - half, centre + half)


def _weighted_share(
    trusting: np.ndarray,
    weights: np.ndarray,
    ci_method: str = "wald",
    design: Design | None = None,
) -> dict:
    """Weighted share with its Taylor linearization SE and a confidence interval.

    The share is the ratio :math:`\\hat p = \\sum w_i y_i / \\sum w_i`; its linearized
    variable is :math:`z_i = (y_i - \\hat p)/\\sum w` and, treating respondents as
    independent draws (weights only: ABS releases carry no PSU or strata), its variance is

    .. math::
        \\widehat{V}(\\hat p) = \\frac{n}{n-1} \\frac{\\sum w_i^2 (y_i - \\hat p)^2}{(\\sum w_i)^2}

    on n - 1 df; with ``design`` (strata/PSUs of the same respondents) the design variance
    of `abs_trust.stats.design`. The interval is ``ci_method``'s
    (`abs_trust.stats.proportion_ci`: wald, logit or korn-graubard).

    Reference: Lohr, S. (2019). *Sampling: Design and Analysis*, 2nd ed., §9.1 (ratio
    estimation). With unit weights it reduces to the usual :math:`\\hat p(1-\\hat p)/(n-1)`.

    Not ``statsmodels``' ``DescrStatsW``: its ``std_mean`` reads the weights as frequencies
    (a mean of :math:`\\sum w_i` draws), not as probability weights, and its ``mean`` sums
    in another order (``np.dot``), moving about half of all weighted shares in the last bit.
    The HC1 sandwich of ``WLS(y, 1, weights=w)`` is this SE (tests/test_trust.py).
    """
    n = len(trusting)
    total = weights.sum()
    if n == 0 or total <= 0:
        return {
            "share": np.nan,
            "ci_low": np.nan,
            "ci_high": np.nan,
            "sum_weights": total,
            "n_effective": np.nan,
            "se": np.nan,
            "df": np.nan,
        }
    p = float((weights * trusting).sum() / total)
    if design is None:
        var = (
            n / (n - 1) * float((weights**2 * (trusting - p) ** 2).sum()) / total**2 if n > 1 else 0
        )
        df = n - 1
    else:
        variance, df = _design_variance(weights * (trusting - p) / total, design)
        var = float(variance[0, 0])
    se = float(np.sqrt(var))
    low, high = _proportion_interval(p, se, df, n, ci_method)
    return {
        "share": p,
        "ci_low": low,
        "ci_high": high,
        "sum_weights": float(total),
        "n_effective": float(total**2 / (weights**2).sum()),
        "se": se,
        "df": df,
    }


def share_trusting(
    frame: pd.DataFrame,
    item: str,
    trusting_levels: Iterable[int],
    weight: str | None = None,
    nonresponse: str = "exclude",
    ci_method: str = DEFAULT_CI_METHOD,
    strata: str | None = None,
    psu: str | None = None,
) -> dict:
    """Share trusting for one item in one country-wave, in percent, with a 95 % CI.

    .. math:: \\hat p = \\frac{\\sum_i w_i\\, [y_i \\in T]}{\\sum_i w_i\\, d_i}

    over respondents i with weights :math:`w_i` (1 unweighted), T the trusting levels and
    :math:`d_i` = 1 for a substantive answer (``exclude``) or for everyone
    (``as_not_trusting``). The SE is the Taylor linearization SE,
    :math:`\\widehat V = \\frac{n}{n-1}\\sum_i w_i^2 (y_i - \\hat p)^2 / (\\sum_i w_i)^2`
    on n - 1 df under weights only (:math:`\\hat p(1-\\hat p)/(n-1)` unweighted), or the
    design variance with ``strata``/``psu``. Unweighted, the CI is Wilson's score interval;
    weighted, ``ci_method``'s: ``logit`` (default; R ``svyciprop``'s), ``wald`` or
    ``korn-graubard`` (`abs_trust.stats.proportion_ci`).

    References: Wilson, E. B. (1927). *JASA* 22(158), 209-212; Lohr, S. (2019). *Sampling:
    Design and Analysis*, 2nd ed., §9.1; Korn, E. L. & Graubard, B. I. (1998). *Survey
    Methodology* 24(2), 193-201.

    Parameters
    ----------
    frame : pd.DataFrame
        respondents of one country-wave.
    item : str
        harmonized trust column (nullable int; <NA> = nonresponse).
    trusting_levels : iterable of int
        harmonized levels counted as trusting (e.g. 3 and 4 on a four-point scale).
    weight : str, optional
        survey-weight column; None for the unweighted share (Wilson CI).
    nonresponse : {"exclude", "as_not_trusting"}
        ``exclude``: substantive answers only; ``as_not_trusting``: nonresponse stays in the
        denominator as not trusting.
    ci_method : {"logit", "wald", "korn-graubard"}
        the weighted share's interval.
    strata, psu : str, optional
        design columns of the weighted SE (None: weights only).

    Returns
    -------
    dict with pct_trust, n_valid, n_nonresponse, ci_low, ci_high (percent), sum_weights,
    n_effective, se (percent) and df (the design's degrees of freedom).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"trust_ngos": pd.array([4, 3, 1, 2, pd.NA], dtype="Int8")})
    >>> share_trusting(df, "trust_ngos", [3, 4])["pct_trust"]
    50.0
    """
    values = frame[item].to_numpy(dtype=float, na_value=np.nan)
    trusting = np.isin(values, list(trusting_levels)).astype(float)
    w = None if weight is None else frame[weight].to_numpy(dtype=float)
    design = None
    if weight is not None and (strata or psu):
        design = Design(*(frame[c].to_numpy(dtype=float) if c else None for c in (strata, psu)))
    return _share(values, trusting, w, nonresponse, ci_method, design)


def _share(
    values: np.ndarray,
    trusting: np.ndarray,
    weights: np.ndarray | None,
    nonresponse: str,
    ci_method: str = DEFAULT_CI_METHOD,
    design: Design | None = None,
) -> dict:
    """:func:`share_trusting`'s kernel: ``values`` are the levels as floats (NaN =
    nonresponse), ``trusting`` is 1.0 where the level counts as trusting, else 0.0;
    ``design`` the strata and PSUs of the same rows (None: weights only)."""
    if nonresponse not in NONRESPONSE_CONVENTIONS:
        raise ValueError(
            f"nonresponse must be one of {NONRESPONSE_CONVENTIONS}, got {nonresponse!r}"
        )
    valid = ~np.isnan(values)
    n_valid = int(valid.sum())
    in_denominator = valid if nonresponse == "exclude" else np.ones_like(valid)
    y = trusting[in_denominator]
    if weights is None:
        n = len(y)
        k = float(y.sum())
        lo, hi = _wilson_interval(k, n)
        share = k / n if n else np.nan
        est = {
            "share": share,
            "ci_low": lo,
            "ci_high": hi,
            "sum_weights": float(n),
            "n_effective": float(n),
            # the simple random sample's linearization SE, for changes between waves
            "se": float(np.sqrt(share * (1 - share) / (n - 1))) if n > 1 else np.nan,
            "df": n - 1,
        }
    else:
        rows = None if design is None else design.take(in_denominator)
        est = _weighted_share(y, weights[in_denominator], ci_method, rows)
    return {
        "pct_trust": 100 * est["share"],
        "n_valid": n_valid,
        "n_nonresponse": int(len(values) - n_valid),
        "ci_low": 100 * est["ci_low"],
        "ci_high": 100 * est["ci_high"],
        "sum_weights": est["sum_weights"],
        "n_effective": est["n_effective"],
        "se": 100 * est["se"],
        "df": est["df"],
    }


def trust_table(
    frame: pd.DataFrame,
    institutions: Iterable[str],
    trusting_levels: Iterable[int],
    years: dict[str, int],
    weighted: bool | Collection[str] = True,
    rules: EstimateRules | None = None,
    ci_method: str = DEFAULT_CI_METHOD,
) -> pd.DataFrame:
    """Shares trusting for every country × institution × weighting × denominator of one wave.

    ``weighted`` adds weighted rows for every country (True), none (False), or the given
    countries (those whose weight varies). Items with no substantive answer in a
    country-wave (not asked there) get no row: an
    absent item must never read as 0 % trust. Weighted intervals are ``ci_method``'s, under
    the frame's design (its ``strata``/``psu`` columns, or weights only).

    ``rules`` (`abs_trust.stats.weights.EstimateRules`): a share on fewer respondents than
    ``min_cell_size`` is suppressed, and a weighted one on unusable weights refused; either
    keeps its row, with empty ``pct_trust`` and interval and the reason in ``note``.

    Returns
    -------
    pd.DataFrame
        long, one row per country, wave, institution, weighted, nonresponse convention, with
        the contract columns (design.md §3) plus ``nonresponse``, ``sum_weights``,
        ``n_effective``, ``ci_method``, ``note``, and ``se`` (percent) and ``df`` (design df).
    """
    if ci_method not in CI_METHODS:
        raise ValueError(f"ci_method must be one of {CI_METHODS}, got {ci_method!r}")
    trusting_levels = list(trusting_levels)
    institutions = list(institutions)
    groups = country_wave_rows(frame)
    # a weight column is needed only when some country is weighted
    any_weighted = any(weighs(weighted, country) for country, _ in groups)
    items = [f"trust_{i}" for i in institutions] + (["weight"] if any_weighted else [])
    design = design_columns(frame) if any_weighted else []
    table, position = float_columns(frame, items + design)
    is_trusting = np.isin(table, trusting_levels).astype(float)  # (weight column: unused)
    rows = []
    for (country, wave), where in groups.items():
        for institution in institutions:
            column = position[f"trust_{institution}"]
            levels = table[where, column]
            if np.isnan(levels).all():
                continue
            trusting = is_trusting[where, column]
            for use_weights in (False, True) if weighs(weighted, country) else (False,):
                w = table[where, position["weight"]] if use_weights else None
                rows_design = None
                if use_weights and design:
                    codes = {c: table[where, position[c]] for c in design}
                    rows_design = Design(codes.get("strata"), codes.get("psu"))
                for convention in NONRESPONSE_CONVENTIONS:
                    note = _withheld(levels, w, convention, rules)
                    if refused(note):
                        est = refused_share(levels, w, convention, note)
                        est |= {"se": np.nan, "df": np.nan}
                    else:
                        est = _share(levels, trusting, w, convention, ci_method, rows_design)
                        if note:  # counts stay; the estimate, its interval and SE go
                            est |= {"pct_trust": np.nan, "ci_low": np.nan, "ci_high": np.nan,
                                    "se": np.nan}  # fmt: skip
                    rows.append(
                        {
                            "country": country,
                            "wave": wave,
                            "year": years.get(country),
                            "institution": institution,
                            "weighted": use_weights,
                            "nonresponse": convention,
                            **est,
                            "ci_method": ci_method if use_weights else "wilson",
                            "note": note,
                        }
                    )
    columns = [
        "country", "wave", "year", "institution", "pct_trust", "n_valid", "n_nonresponse",
        "weighted", "ci_low", "ci_high", "nonresponse", "sum_weights", "n_effective", "ci_method",
        "note", "se", "df",
    ]  # fmt: skip
    return pd.DataFrame(rows, columns=columns)


def _withheld(levels, weights, convention: str, rules: EstimateRules | None) -> str:
    """Why a share is not shown (too few respondents; unusable weights), or ""."""
    in_denominator = ~np.isnan(levels) if convention == "exclude" else np.ones(len(levels), bool)
    used = None if weights is None else weights[in_denominator]
    return withheld_reason(int(in_denominator.sum()), used, rules)


def coverage_table(
    frame: pd.DataFrame,
    institutions: Iterable[str],
    items: dict[str, str],
    years: dict[str, int],
    rules: EstimateRules | None = None,
) -> pd.DataFrame:
    """Which items were asked in each country-wave, and how much nonresponse they drew.

    An item the crosswalk maps but that has no substantive answer in a country-wave was not
    asked there (ABS marks such items "not asked in China" in its codebooks); it is listed
    here with ``asked`` false, and it is absent from the trust table rather than 0 %. With
    ``rules``, a country-wave of fewer than ``min_cell_size`` respondents has its
    nonresponse shares suppressed.

    Returns
    -------
    pd.DataFrame
        ``country, wave, year, institution, variable, asked, n_valid, n_nonresponse,
        nonresponse_share, note``.
    """
    institutions = list(institutions)
    table, position = float_columns(frame, [f"trust_{i}" for i in institutions])
    answered = ~np.isnan(table)
    rows = []
    for (country, wave), where in country_wave_rows(frame).items():
        n, n_answers = len(where), answered[where].sum(axis=0)
        for institution in institutions:
            n_valid = int(n_answers[position[f"trust_{institution}"]])
            variable = items.get(institution)
            small = small_cell_note(n, rules) if rules is not None and variable else ""
            if variable is None:
                note = "no such item in this wave"
            elif n_valid == 0:
                note = "all answers are nonresponse: treated as not asked"
            else:
                note = small
            rows.append(
                {
                    "country": country,
                    "wave": wave,
                    "year": years.get(country),
                    "institution": institution,
                    "variable": variable or "",
                    "asked": n_valid > 0,
                    "n_valid": n_valid,
                    "n_nonresponse": n - n_valid if variable else 0,
                    "nonresponse_share": (
                        (n - n_valid) / n if variable and n and not small else np.nan
                    ),
                    "note": note,
                }
            )
    return pd.DataFrame(rows)
