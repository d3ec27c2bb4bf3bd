"""The vectorised bootstrap of the shares trusting (abs_trust.stats.bootstrap).

Checked against analytic standard errors on simulated samples: the binomial SE unweighted,
the linearization SE of `abs_trust.stats.shares.share_trusting` weighted. No timing assertions: the
benchmark (benchmarks/bench.py) measures speed.
"""

import numpy as np
import pandas as pd
import pytest

from abs_trust.stats.bootstrap import (
    _replicate_multipliers,
    bootstrap_shares,
    bootstrap_table,
    resampling_weights,
)
from abs_trust.stats.design import Design
from abs_trust.stats.pearson import pearson
from abs_trust.stats.shares import Z95, share_trusting

N = 3000
SHARES = {"courts": 0.3, "police": 0.6, "ngos": 0.9}  # true shares trusting
TRUSTING = [3, 4]


def simulated(n: int = N, seed: int = 1, country: str = "china", wave: str = "W3"):
    """n respondents answering three four-point items, 5 % nonresponse, log-normal weights."""
    rng = np.random.default_rng(seed)
    columns = {"country": [country] * n, "wave": [wave] * n, "weight": rng.lognormal(0, 0.5, n)}
    for institution, p in SHARES.items():
        trusting = rng.random(n) < p
        levels = np.where(trusting, rng.integers(3, 5, n), rng.integers(1, 3, n)).astype(float)
        levels[rng.random(n) < 0.05] = np.nan
        columns[f"trust_{institution}"] = pd.array(
            [pd.NA if np.isnan(v) else int(v) for v in levels], dtype="Int8"
        )
    return pd.DataFrame(columns)


def test_unweighted_se_agrees_with_the_binomial_se():
    frame = simulated()
    boot = bootstrap_shares(frame, list(SHARES), TRUSTING, reps=1000, seed=3).set_index(
        "institution"
    )
    for institution in SHARES:
        exact = share_trusting(frame, f"trust_{institution}", TRUSTING)
        row = boot.loc[institution]
        assert row["pct_trust"] == pytest.approx(exact["pct_trust"], abs=1e-9)
        assert row["n_valid"] == exact["n_valid"]
        p, n = exact["pct_trust"] / 100, exact["n_valid"]
        assert row["boot_se"] == pytest.approx(100 * np.sqrt(p * (1 - p) / n), rel=0.10)
        assert row["ci_low"] < row["pct_trust"] < row["ci_high"]
        # a percentile interval of a near-normal statistic: about +-1.96 SE
        assert row["ci_high"] - row["ci_low"] == pytest.approx(2 * Z95 * row["boot_se"], rel=0.15)


@pytest.mark.parametrize("method", ["multinomial", "poisson"])
def test_weighted_se_agrees_with_the_linearization_se(method):
    frame = simulated(seed=2)
    boot = bootstrap_shares(
        frame, list(SHARES), TRUSTING, weight="weight", reps=1000, seed=4, method=method
    ).set_index("institution")
    for institution in SHARES:
        est = share_trusting(frame, f"trust_{institution}", TRUSTING, weight="weight")
        se = est["se"]  # the linearization SE, in percent
        row = boot.loc[institution]
        assert row["pct_trust"] == pytest.approx(est["pct_trust"], abs=1e-9)
        assert row["boot_se"] == pytest.approx(se, rel=0.10)
        assert row["weighted"] and row["resampling"] == method


def test_nonresponse_as_not_trusting_keeps_everyone_in_the_denominator():
    frame = simulated(seed=5)
    boot = bootstrap_shares(
        frame, ["police"], TRUSTING, nonresponse="as_not_trusting", reps=1000, seed=6
    ).iloc[0]
    exact = share_trusting(frame, "trust_police", TRUSTING, nonresponse="as_not_trusting")
    assert boot["pct_trust"] == pytest.approx(exact["pct_trust"], abs=1e-9)
    p = exact["pct_trust"] / 100
    assert boot["boot_se"] == pytest.approx(100 * np.sqrt(p * (1 - p) / N), rel=0.10)
    assert boot["nonresponse"] == "as_not_trusting"


def test_deterministic_with_a_seed_and_independent_of_other_groups():
    frame = pd.concat([simulated(400, seed=7), simulated(300, seed=8, country="japan")])
    first = bootstrap_shares(frame, list(SHARES), TRUSTING, reps=200, seed=11)
    again = bootstrap_shares(frame, list(SHARES), TRUSTING, reps=200, seed=11)
    pd.testing.assert_frame_equal(first, again)
    other = bootstrap_shares(frame, list(SHARES), TRUSTING, reps=200, seed=12)
    assert not np.allclose(first["boot_se"], other["boot_se"])
    # a group's replicates depend on the seed and the group, not on the rest of the frame
    china = bootstrap_shares(
        frame[frame["country"] == "china"], list(SHARES), TRUSTING, reps=200, seed=11
    )
    pd.testing.assert_frame_equal(china, first[first["country"] == "china"].reset_index(drop=True))


def test_items_not_asked_are_absent_never_zero():
    china, japan = simulated(200, seed=9), simulated(200, seed=10, country="japan")
    japan["trust_ngos"] = pd.array([pd.NA] * len(japan), dtype="Int8")  # not asked in Japan
    frame = pd.concat([china, japan], ignore_index=True)
    frame["trust_executive"] = pd.array([pd.NA] * len(frame), dtype="Int8")  # asked nowhere
    boot = bootstrap_shares(frame, [*SHARES, "executive"], TRUSTING, reps=100, seed=0)
    asked = boot.groupby("country")["institution"].apply(set).to_dict()
    assert asked == {"china": set(SHARES), "japan": {"courts", "police"}}
    assert list(boot.columns[:3]) == ["country", "wave", "institution"]


def test_sparse_item_reports_the_replicates_it_could_use():
    frame = simulated(50, seed=13)
    frame["trust_courts"] = pd.array([4] + [pd.NA] * 49, dtype="Int8")  # one answer
    row = bootstrap_shares(frame, ["courts"], TRUSTING, reps=500, seed=1).iloc[0]
    assert row["n_valid"] == 1 and row["pct_trust"] == 100
    assert 0 < row["reps_used"] < 500  # about 1 - 1/e of the replicates draw the answer


def test_resampling_weights_are_bootstrap_frequencies():
    rng = np.random.default_rng(0)
    counts = resampling_weights(rng, 50, 80)
    assert counts.shape == (50, 80) and (counts.sum(axis=1) == 80).all()
    poisson = resampling_weights(rng, 400, 300, method="poisson")
    assert poisson.mean() == pytest.approx(1.0, abs=0.02)


def test_bad_arguments_are_refused():
    frame = simulated(20)
    with pytest.raises(ValueError, match="nonresponse"):
        bootstrap_shares(frame, ["police"], TRUSTING, nonresponse="drop")
    with pytest.raises(ValueError, match="method"):
        bootstrap_shares(frame, ["police"], TRUSTING, method="jackknife")
    with pytest.raises(ValueError, match="reps"):
        bootstrap_shares(frame, ["police"], TRUSTING, reps=1)


# ------------------------------------------------------------------ the workflow's bootstrap


def correlated(n=1500, seed=21, country="china"):
    """Two correlated four-point items, two controls and a weight, as a harmonized wave."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    frame = pd.DataFrame(
        {
            "country": country,
            "wave": "W4",
            "weight": rng.lognormal(0, 0.5, n),
            "age": rng.integers(18, 85, n).astype(float),
            "income": rng.integers(1, 6, n).astype(float),
            "trust_courts": np.digitize(latent + rng.normal(0, 1, n), [-1, 0, 1]) + 1,
            "trust_police": np.digitize(latent + rng.normal(0, 1, n), [-1, 0.2, 1]) + 1,
        }
    )
    return frame.astype({"trust_courts": "Int8", "trust_police": "Int8"})


def table(frame, reps=400, seed=5, methods=("pearson", "spearman")):
    return bootstrap_table(
        frame,
        ["courts", "police"],
        TRUSTING,
        [["courts", "police"]],
        ["age", "income"],
        methods,
        {"china": 2015},
        {"china"},
        reps,
        seed,
    )
    # fmt: skip


def test_bootstrap_table_covers_shares_and_r_and_agrees_with_analytic_ses():
    frame = correlated()
    boot = table(frame)
    shares = boot[boot["quantity"] == "share"]
    assert len(shares) == 2 * 2 * 2  # institutions x weighting x denominator
    r = boot[boot["quantity"] == "r"].set_index(["method", "controls", "weighted"])
    assert len(r) == 2 * 2 * 2 and (r["reps_used"] == 400).all()
    for controls in ("", "age+income"):
        covar = controls.split("+") if controls else []
        for weighted in (False, True):
            est = pearson(frame, "trust_courts", "trust_police", covar,
                          "weight" if weighted else None)  # fmt: skip
            row = r.loc[("pearson", controls, weighted)]
            assert row["estimate"] == pytest.approx(est["r"], abs=1e-12)
            # analytic SE: design-based weighted; Fisher's z on n unweighted
            analytic = est["se"] if weighted else (1 - est["r"] ** 2) / np.sqrt(est["n"] - 3)
            assert row["boot_se"] == pytest.approx(analytic, rel=0.15)  # B = 400: MC ~ 3.5 %
            assert row["ci_low"] < row["estimate"] < row["ci_high"]


def test_bootstrap_table_is_deterministic_for_a_seed():
    frame = correlated(n=400)
    first, again = table(frame, reps=50), table(frame, reps=50)
    pd.testing.assert_frame_equal(first, again)
    assert not np.allclose(first["boot_se"], table(frame, reps=50, seed=6)["boot_se"])


def test_rao_wu_replicates_resample_psus_within_strata():
    rng = np.random.default_rng(2)
    strata = np.repeat([1.0, 2.0], 60)
    psu = np.repeat(np.arange(12.0), 10)  # six PSUs per stratum, ten respondents each
    multipliers, how = _replicate_multipliers(rng, 300, Design(strata, psu), 120)
    assert "Rao-Wu" in how
    # every respondent of a PSU shares its multiplier; each stratum's multipliers sum to m_h
    assert np.all(
        multipliers.reshape(300, 12, 10).max(axis=2) == multipliers.reshape(300, 12, 10).min(axis=2)
    )
    per_psu = multipliers[:, ::10]
    np.testing.assert_allclose(per_psu[:, :6].sum(axis=1), 6.0)
    np.testing.assert_allclose(per_psu[:, 6:].sum(axis=1), 6.0)
    assert per_psu.mean() == pytest.approx(1.0, abs=0.02)
