"""Nonresponse/weighting sensitivity table, and the coverage of the intervals it reports."""

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from abs_trust.stats.pearson import pearson
from abs_trust.stats.sensitivity import SENSITIVITY_COLUMNS, nonresponse_sensitivity
from abs_trust.stats.shares import _wilson_interval

TRUSTING = [3, 4]


def small_frame():
    """Two country-waves; hand-countable trust answers (<NA> = nonresponse)."""
    a = [4, 3, 1, 2, pd.NA, 4, 3, 2, 1, pd.NA]
    b = [4, 4, 2, 1, 3, pd.NA, 3, 1, 2, 2]
    frame = pd.DataFrame(
        {
            "country": ["china"] * 10 + ["taiwan"] * 6,
            "wave": "W3",
            "weight": [1.0, 2.0, 1.0, 1.0, 1.0, 0.5, 1.0, 1.0, 2.0, 1.0] + [1.0] * 6,
            "trust_courts": pd.array(a + [1, 2, 3, 4, 4, 4], dtype="Int8"),
            "trust_police": pd.array(b + [2, 2, 3, 3, 4, 1], dtype="Int8"),
            "trust_ngos": pd.array([pd.NA] * 10 + [1, 2, 3, 4, 1, 2], dtype="Int8"),
        }
    )
    return frame


def shuffled(frame, order):
    """The rows as given, or interleaved across countries (the results must not change)."""
    return frame if order == "sorted" else frame.sample(frac=1.0, random_state=4)


@pytest.mark.parametrize("order", ["sorted", "interleaved"])
def test_shares_under_three_conventions_by_hand(order):
    frame = shuffled(small_frame(), order)
    table = nonresponse_sensitivity(frame, ["courts", "ngos"], TRUSTING, [])
    assert list(table.columns) == SENSITIVITY_COLUMNS
    china = table[(table.country == "china") & (table.institution_or_pair == "courts")]
    value = dict(zip(china.convention, china.value, strict=True))
    n = dict(zip(china.convention, china.n, strict=True))
    # china courts: 8 substantive answers, 4 trusting (4, 3, 4, 3); 2 nonresponses
    assert value["substantive_only"] == pytest.approx(100 * 4 / 8)
    assert value["nonresponse_as_not_trusting"] == pytest.approx(100 * 4 / 10)
    # the upper worst-case bound: both nonrespondents trusting
    assert value["nonresponse_as_trusting"] == pytest.approx(100 * 6 / 10)
    # weighted, substantive only: trusting weights 1 + 2 + 0.5 + 1 over 1+2+1+1+0.5+1+1+2
    assert value["weighted"] == pytest.approx(100 * 4.5 / 9.5)
    assert (n["substantive_only"], n["nonresponse_as_not_trusting"], n["weighted"]) == (8, 10, 8)
    assert n["nonresponse_as_trusting"] == 10
    # ngos was not asked in china: no row, never 0 %
    assert not ((table.country == "china") & (table.institution_or_pair == "ngos")).any()
    assert ((table.country == "taiwan") & (table.institution_or_pair == "ngos")).sum() == 4


@pytest.mark.parametrize("order", ["sorted", "interleaved"])
def test_correlations_under_three_conventions(order):
    frame = shuffled(small_frame(), order)
    table = nonresponse_sensitivity(frame, [], TRUSTING, [("courts", "police"), ("ngos", "police")])
    china = table[(table.country == "china") & (table.quantity == "r")].set_index("convention")
    cw = frame[frame.country == "china"]
    x = cw["trust_courts"].to_numpy(dtype=float, na_value=np.nan)
    y = cw["trust_police"].to_numpy(dtype=float, na_value=np.nan)
    both = ~np.isnan(x) & ~np.isnan(y)
    assert china.loc["substantive_only", "value"] == pytest.approx(
        stats.pearsonr(x[both], y[both]).statistic
    )
    assert china.loc["substantive_only", "n"] == both.sum() == 7
    # nonresponse bounds: each item's nonresponse at its lowest (1) or highest (4) level
    weights = cw["weight"].to_numpy()
    corners = {}
    for name, (fx, fy) in {
        "nonresponse_lowest": (1, 1),
        "nonresponse_highest": (4, 4),
        "nonresponse_x_lowest_y_highest": (1, 4),
        "nonresponse_x_highest_y_lowest": (4, 1),
    }.items():
        filled = np.nan_to_num(x, nan=fx), np.nan_to_num(y, nan=fy)
        corners[name] = stats.pearsonr(*filled).statistic
        assert china.loc[name, "value"] == pytest.approx(corners[name])
        assert china.loc[name, "n"] == 10 and np.isnan(china.loc[name, "ci_low"])
        cov = np.cov(*filled, aweights=weights)
        assert china.loc[f"weighted_{name}", "value"] == pytest.approx(
            cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
        )
    assert china.loc["nonresponse_range_low", "value"] == pytest.approx(min(corners.values()))
    assert china.loc["nonresponse_range_high", "value"] == pytest.approx(max(corners.values()))
    assert "nonresponse_as_not_trusting" not in china.index  # the old single imputation
    w = weights[both]
    cov = np.cov(x[both], y[both], aweights=w)
    assert china.loc["weighted", "value"] == pytest.approx(
        cov[0, 1] / np.sqrt(cov[0, 0] * cov[1, 1])
    )
    assert set(table.institution_or_pair) == {"courts|police", "ngos|police"}
    assert not ((table.country == "china") & (table.institution_or_pair == "ngos|police")).any()


# --------------------------------------------------------------------------- CI coverage

N_SIM, N_RESP, RHO = 400, 300, 0.5
CUTS = np.array([-1.0, 0.0, 0.8])  # latent normal cut into four trust levels
TOLERANCE = 3 * np.sqrt(0.95 * 0.05 / N_SIM)  # Monte-Carlo error of an observed coverage


def discretised(rng, size):
    z = rng.multivariate_normal([0, 0], [[1, RHO], [RHO, 1]], size=size)
    return np.digitize(z[..., 0], CUTS) + 1, np.digitize(z[..., 1], CUTS) + 1


def exact_wilson_coverage(p, n):
    """Coverage of the Wilson interval summed over the binomial distribution (no simulation)."""
    k = np.arange(n + 1)
    low, high = _wilson_interval(k, n)
    return stats.binom.pmf(k, n, p)[(low <= p) & (p <= high)].sum()


def test_wilson_interval_is_near_nominal_even_near_the_boundary():
    # binomial discreteness makes the exact coverage oscillate around 0.95 (0.943 at p = 0.5,
    # n = 300); at the 95 % shares seen in China it stays nominal, unlike the Wald interval
    for p in (0.5, 0.8, 0.95):
        assert abs(exact_wilson_coverage(p, N_RESP) - 0.95) < 0.01


def test_wilson_and_fisher_intervals_cover_at_nominal_rate():
    rng = np.random.default_rng(2020)
    x, y = discretised(rng, (N_SIM, N_RESP))
    # share trusting (levels 3-4): the population value is exact, 1 - Phi(0) = 0.5; the
    # simulated coverage is compared with the interval's exact coverage (0.943, see above)
    k = (x >= 3).sum(axis=1)
    low, high = _wilson_interval(k, N_RESP)
    share_coverage = np.mean((low <= 0.5) & (high >= 0.5))
    assert abs(share_coverage - exact_wilson_coverage(0.5, N_RESP)) < TOLERANCE, share_coverage
    # Pearson r of the discretised items: population value from a huge sample (SE ~ 5e-4)
    big_x, big_y = discretised(np.random.default_rng(1), 2_000_000)
    r_pop = np.corrcoef(big_x, big_y)[0, 1]
    samples = (pd.DataFrame({"x": xi, "y": yi}) for xi, yi in zip(x, y, strict=True))
    tests = [pearson(sample, "x", "y") for sample in samples]
    r_coverage = np.mean([t["ci_low"] <= r_pop <= t["ci_high"] for t in tests])
    assert abs(r_coverage - 0.95) < TOLERANCE, r_coverage


def test_design_based_interval_of_a_weighted_r_covers_at_nominal_rate():
    # weights unrelated to the items (a weights-only design): the weighted r estimates the
    # population r, and its linearization interval on n - 1 df should cover at 95 %
    rng = np.random.default_rng(2016)
    x, y = discretised(rng, (N_SIM, N_RESP))
    weights = rng.lognormal(0, 0.6, (N_SIM, N_RESP))
    big_x, big_y = discretised(np.random.default_rng(1), 2_000_000)
    r_pop = np.corrcoef(big_x, big_y)[0, 1]
    tests = [
        pearson(pd.DataFrame({"x": xi, "y": yi, "w": wi}), "x", "y", weight="w")
        for xi, yi, wi in zip(x, y, weights, strict=True)
    ]
    coverage = np.mean([t["ci_low"] <= r_pop <= t["ci_high"] for t in tests])
    assert abs(coverage - 0.95) < TOLERANCE, coverage
    # the frequency-weight interval it replaces (Fisher's z on n) is too narrow here
    naive = np.mean([abs(np.arctanh(t["r"]) - np.arctanh(r_pop)) * np.sqrt(N_RESP - 3) < 1.96
                     for t in tests])  # fmt: skip
    assert naive < coverage
