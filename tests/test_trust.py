import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from statsmodels.stats.proportion import proportion_confint

from abs_trust.stats.shares import _wilson_interval, coverage_table, share_trusting, trust_table


def answers(k, n):
    """n respondents, the first k trusting (level 4), the rest not (level 1)."""
    return pd.DataFrame({"trust": pd.array([4] * k + [1] * (n - k), dtype="Int8")})


def test_wilson_matches_statsmodels():
    for k, n in [(0, 10), (3, 10), (950, 1000), (1000, 1000)]:
        expected = proportion_confint(k, n, alpha=0.05, method="wilson")
        est = share_trusting(answers(k, n), "trust", [3, 4])
        assert (est["ci_low"] / 100, est["ci_high"] / 100) == pytest.approx(expected, abs=1e-12)


def test_wilson_kernel_is_statsmodels_up_to_the_last_bit():
    # statsmodels' z is one double away from ours (see _wilson_interval): the intervals agree
    # to rounding, which is why the kernel is kept for byte-identical tables
    for n in (1, 7, 10, 99, 400, 2522):
        k = np.arange(n + 1)
        ours = np.array(_wilson_interval(k.astype(float), n))
        ref = np.array(proportion_confint(k, n, alpha=0.05, method="wilson"))
        np.testing.assert_allclose(ours, ref, rtol=0, atol=5e-16)


def test_unweighted_share_counts_by_hand():
    # levels: 4,3 trusting; 2,1 not; <NA> nonresponse
    frame = pd.DataFrame({"trust": pd.array([4, 3, 3, 2, 1, pd.NA, pd.NA], dtype="Int8")})
    excl = share_trusting(frame, "trust", [3, 4])
    assert excl["pct_trust"] == pytest.approx(100 * 3 / 5)
    assert (excl["n_valid"], excl["n_nonresponse"]) == (5, 2)
    incl = share_trusting(frame, "trust", [3, 4], nonresponse="as_not_trusting")
    assert incl["pct_trust"] == pytest.approx(100 * 3 / 7)


def test_weighted_share_by_hand_and_unit_weights_reduce_to_unweighted():
    frame = pd.DataFrame(
        {"trust": pd.array([4, 1, 3, pd.NA], dtype="Int8"), "w": [2.0, 1.0, 1.0, 5.0], "one": 1.0}
    )
    est = share_trusting(frame, "trust", [3, 4], "w")
    assert est["pct_trust"] == pytest.approx(100 * 3 / 4)  # (2 + 1) / (2 + 1 + 1)
    ones = share_trusting(frame, "trust", [3, 4], "one")
    assert ones["pct_trust"] == pytest.approx(share_trusting(frame, "trust", [3, 4])["pct_trust"])
    assert ones["n_effective"] == pytest.approx(3)


def test_unknown_nonresponse_convention_is_refused():
    with pytest.raises(ValueError, match="nonresponse"):
        share_trusting(answers(3, 10), "trust", [3, 4], nonresponse="drop")


def test_linearization_se_equals_hc1_sandwich_of_a_weighted_mean():
    # Independent check: the share is the intercept of a WLS regression of the trusting
    # indicator on a constant; its HC1 robust SE is the weights-only linearization SE.
    rng = np.random.default_rng(7)
    y = (rng.random(500) < 0.6).astype(float)
    w = rng.lognormal(0, 0.5, 500)
    frame = pd.DataFrame({"trust": pd.array(np.where(y == 1, 4, 1), dtype="Int8"), "w": w})
    est = share_trusting(frame, "trust", [3, 4], "w", ci_method="wald")
    fit = sm.WLS(y, np.ones_like(y), weights=w).fit(cov_type="HC1")
    assert est["pct_trust"] / 100 == pytest.approx(fit.params[0])
    se = (est["ci_high"] - est["ci_low"]) / 100 / (2 * 1.959963984540054)
    assert se == pytest.approx(fit.bse[0], rel=1e-9)
    assert est["se"] / 100 == pytest.approx(fit.bse[0], rel=1e-9)


def test_trust_table_skips_items_not_asked_and_carries_every_convention():
    frame = pd.DataFrame(
        {
            "country": ["china"] * 4,
            "wave": ["W3"] * 4,
            "weight": [1.0, 2.0, 1.0, 1.0],
            "trust_ngos": pd.array([4, 1, pd.NA, 3], dtype="Int8"),
            "trust_executive": pd.array([pd.NA] * 4, dtype="Int8"),
        }
    )
    table = trust_table(frame, ["ngos", "executive"], [3, 4], {"china": 2011})
    assert set(table["institution"]) == {"ngos"}  # not asked -> absent, never 0 %
    assert len(table) == 4  # weighted x denominator
    row = table[(table["weighted"]) & (table["nonresponse"] == "exclude")].iloc[0]
    assert row["pct_trust"] == pytest.approx(100 * 2 / 4)
    assert row["year"] == 2011


def test_weighted_rows_only_for_countries_whose_weight_varies():
    frame = pd.DataFrame(
        {
            "country": ["china"] * 3 + ["japan"] * 3,
            "wave": ["W1"] * 6,
            "weight": [1.0, 1.0, 1.0, 0.5, 1.0, 2.0],
            "trust_ngos": pd.array([4, 1, 3, 4, 1, 3], dtype="Int8"),
        }
    )
    table = trust_table(frame, ["ngos"], [3, 4], {}, weighted={"japan"})
    assert set(table.loc[table["weighted"], "country"]) == {"japan"}
    assert set(table.loc[~table["weighted"], "country"]) == {"china", "japan"}


def test_tables_per_country_match_pandas_counts():
    # rows of three countries interleaved; nonresponse; an item not asked in one country
    rng = np.random.default_rng(12)
    n = 900
    levels = rng.integers(1, 5, n).astype(float)
    levels[rng.random(n) < 0.15] = np.nan
    frame = pd.DataFrame(
        {
            "country": rng.choice(["taiwan", "china", "japan"], n),
            "wave": "W3",
            "weight": rng.lognormal(0, 0.5, n),
            "trust_courts": pd.array(levels, dtype="Int8"),
            "trust_ngos": pd.array(rng.integers(1, 5, n), dtype="Int8"),
        }
    )
    frame.loc[frame["country"] == "japan", "trust_ngos"] = pd.NA  # not asked in japan
    items = {"courts": "q7", "ngos": "q15"}
    shares = trust_table(frame, ["courts", "ngos"], [3, 4], {}, weighted={"taiwan"})
    coverage = coverage_table(frame, ["courts", "ngos"], items, {})
    assert list(shares["country"].unique()) == ["china", "japan", "taiwan"]
    assert list(coverage["country"].unique()) == ["china", "japan", "taiwan"]
    for row in shares.itertuples():
        group = frame[frame["country"] == row.country]
        level = group[f"trust_{row.institution}"].astype(float)
        valid = level.notna() if row.nonresponse == "exclude" else pd.Series(True, group.index)
        w = group["weight"] if row.weighted else pd.Series(1.0, group.index)
        expected = 100 * (w * level.isin([3, 4]))[valid].sum() / w[valid].sum()
        assert row.pct_trust == pytest.approx(expected, abs=1e-10)
        assert (row.n_valid, row.n_nonresponse) == (level.notna().sum(), level.isna().sum())
    assert not ((shares["country"] == "japan") & (shares["institution"] == "ngos")).any()
    assert set(shares.loc[shares["weighted"], "country"]) == {"taiwan"}
    for row in coverage.itertuples():
        level = frame.loc[frame["country"] == row.country, f"trust_{row.institution}"]
        assert row.n_valid == level.notna().sum()
        assert row.nonresponse_share == pytest.approx(level.isna().mean(), abs=1e-15)
        assert row.asked == (level.notna().sum() > 0)
