"""Change in the share trusting between two waves, with its 95 % CI and p.

The waves are independent samples, each with its own design, so the change
:math:`\\Delta = \\hat p_2 - \\hat p_1` has :math:`\\widehat{SE}(\\Delta) =
\\sqrt{\\widehat{SE}_1^2 + \\widehat{SE}_2^2}` (each SE the wave's Taylor linearization SE of
its share: weights only or its design, or :math:`\\sqrt{\\hat p(1-\\hat p)/(n-1)}`
unweighted). The reference distribution is Student's t on the Welch-Satterthwaite df

.. math:: \\nu = \\frac{(V_1 + V_2)^2}{V_1^2/\\nu_1 + V_2^2/\\nu_2}

(:math:`\\nu_k` the wave's design df): CI :math:`\\Delta \\pm t_{\\nu, 0.975}\\,
\\widehat{SE}(\\Delta)`, p from :math:`t = \\Delta/\\widehat{SE}(\\Delta)`. With a few
thousand respondents per wave this is the normal interval; with few PSUs it is wider, as it
should be. (t from ``scipy.special``, not ``scipy.stats``: the ``tables`` job imports no
more of scipy than these two functions.)

References: Kish, L. (1965). *Survey Sampling*, §12.10 (differences between independent
samples); Satterthwaite, F. E. (1946). *Biometrics Bulletin* 2(6), 110-114.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
from scipy.special import stdtr, stdtrit

CHANGE_COLUMNS = [
    "country", "institution", "wave_from", "wave_to", "year_from", "year_to", "convention",
    "weighted_from", "weighted_to", "nonresponse", "pct_from", "pct_to", "change", "se", "df",
    "ci_low", "ci_high", "p", "ci_includes_zero", "note",
]  # fmt: skip


def _change(pct: Sequence[float], se: Sequence[float], df: Sequence[float]) -> dict:
    """Change, SE, Satterthwaite df, 95 % CI and p from two waves' shares (in percent)."""
    change = pct[1] - pct[0]
    v1, v2 = se[0] ** 2, se[1] ** 2
    se_change = float(np.sqrt(v1 + v2))
    if not (np.isfinite(se_change) and se_change > 0):
        return {"change": change, "se": se_change, "df": np.nan, "ci_low": np.nan,
                "ci_high": np.nan, "p": np.nan, "ci_includes_zero": pd.NA}  # fmt: skip
    nu = (v1 + v2) ** 2 / (v1**2 / df[0] + v2**2 / df[1])
    half = float(stdtrit(nu, 0.975)) * se_change
    low, high = change - half, change + half
    return {
        "change": change,
        "se": se_change,
        "df": float(nu),
        "ci_low": low,
        "ci_high": high,
        "p": 2 * float(stdtr(nu, -abs(change / se_change))),
        "ci_includes_zero": bool(low <= 0 <= high),
    }


def change_in_share(first: Mapping, second: Mapping) -> dict:
    """Change between two waves' shares (rows of ``institution_trust.csv``).

    Parameters
    ----------
    first, second : mapping
        each with ``pct_trust``, ``se`` (both in percent) and ``df``.

    Returns
    -------
    dict with change (percentage points), se, df, ci_low, ci_high, p, ci_includes_zero.

    Examples
    --------
    >>> est = change_in_share({"pct_trust": 80.0, "se": 1.0, "df": 3000},
    ...                       {"pct_trust": 70.0, "se": 1.0, "df": 3000})
    >>> round(est["change"], 1), round(est["ci_low"], 2), est["ci_includes_zero"]
    (-10.0, -12.77, False)
    """
    return _change(
        [first["pct_trust"], second["pct_trust"]],
        [first["se"], second["se"]],
        [first["df"], second["df"]],
    )


def changes_table(
    trust: pd.DataFrame,
    country: str,
    waves: Sequence[str],
    headline_weighted: Mapping[str, bool],
    nonresponse: str = "exclude",
) -> pd.DataFrame:
    """Change between the first and the last of ``waves``, per institution, under three
    conventions: ``headline`` (each wave weighted as ``headline_weighted`` says: by default
    Farid & Song's, 2011 unweighted and 2015 weighted), ``weighted`` (both waves weighted)
    and ``unweighted`` (neither). A convention whose rows do not exist (a wave without a
    varying weight) is skipped; so is an institution not asked in both waves.

    Returns
    -------
    pd.DataFrame
        one row per institution × convention; columns :data:`CHANGE_COLUMNS`.
    """
    first, last = waves[0], waves[-1]
    rows = trust[(trust["country"] == country) & (trust["nonresponse"] == nonresponse)]
    conventions = {
        "headline": (bool(headline_weighted[first]), bool(headline_weighted[last])),
        "weighted": (True, True),
        "unweighted": (False, False),
    }
    out = []
    for convention, (w_first, w_last) in conventions.items():
        a = rows[(rows["wave"] == first) & (rows["weighted"] == w_first)].set_index("institution")
        b = rows[(rows["wave"] == last) & (rows["weighted"] == w_last)].set_index("institution")
        for institution in a.index.intersection(b.index, sort=False):
            one, two = a.loc[institution], b.loc[institution]
            out.append(
                {
                    "country": country,
                    "institution": institution,
                    "wave_from": first,
                    "wave_to": last,
                    "year_from": one["year"],
                    "year_to": two["year"],
                    "convention": convention,
                    "weighted_from": w_first,
                    "weighted_to": w_last,
                    "nonresponse": nonresponse,
                    "pct_from": one["pct_trust"],
                    "pct_to": two["pct_trust"],
                    **change_in_share(one, two),
                    # a share not shown (small cell, unusable weights) leaves no change: why
                    "note": "; ".join(
                        f"{wave}: {row['note']}"
                        for wave, row in ((first, one), (last, two))
                        if isinstance(row.get("note"), str) and row["note"]
                    ),
                }
            )
    return pd.DataFrame(out, columns=CHANGE_COLUMNS)
