"""Weights that make an estimate meaningless, and cells too small to publish (issue 15).

Expected values are computed here from the definitions (Kish 1965: effective n = (Σw)²/Σw²,
deff = n Σw²/(Σw)²), not read from the code under test.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abs_trust.harmonize.crosswalk import INSTITUTIONS, load_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from abs_trust.stats.correlation_table import correlation_table
from abs_trust.stats.models import ols_robust
from abs_trust.stats.sensitivity import nonresponse_sensitivity
from abs_trust.stats.shares import coverage_table, trust_table
from abs_trust.stats.wave import analyse_wave
from abs_trust.stats.weights import EstimateRules, kish, weight_quality, weights_refusal
from conftest import ROOT, w3_frame, write_w3_like

CW = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
SPEC = CW.wave("W3")
RULES = EstimateRules()  # the documented defaults: 30, 30, 0.5
PAIRS = [("local_government", "ngos")]
CONTROLS = ["age", "female", "education", "income"]
MODELS = {"categorical": ["education", "income"], "min_cell": 30}


def frame_with_weights(weights, n=400, seed=3) -> pd.DataFrame:
    """A harmonized-looking frame of one country-wave with the given weights."""
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    frame = pd.DataFrame({"country": "china", "wave": "W4", "weight": np.asarray(weights, float)})
    for name in INSTITUTIONS:
        codes = np.digitize(latent + rng.normal(size=n), [-1.0, 0.0, 1.0]) + 1
        frame[f"trust_{name}"] = pd.array(codes, dtype="Int8")
    for name, values in {
        "age": rng.integers(18, 90, n), "female": rng.integers(0, 2, n),
        "education": rng.integers(1, 11, n), "income": rng.integers(1, 6, n),
        "urban": rng.integers(0, 2, n),
    }.items():  # fmt: skip
        frame[name] = pd.array(values, dtype="Int16" if name == "age" else "Int8")
    return frame


def all_numbers_finite_or_missing(table: pd.DataFrame) -> bool:
    numbers = table.select_dtypes("number").to_numpy(dtype=float)
    return not np.isinf(numbers).any()


def test_kish_effective_n_and_design_effect_by_hand():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    # (Σw)² / Σw² = 64 / 22; deff = n Σw² / (Σw)² = 4 * 22 / 64
    n_effective, deff, top = kish(w)
    assert n_effective == pytest.approx(64 / 22) and deff == pytest.approx(88 / 64)
    assert top == pytest.approx(4 / 8)
    assert kish(np.full(10, 1e300))[0] == pytest.approx(10)  # no overflow: scaled first
    assert np.isnan(kish(np.zeros(5))[0])


@pytest.mark.parametrize(
    ("weights", "says"),
    [
        (np.r_[1e300, np.ones(399)], "one respondent carries 100.0 %"),
        # 1e6 / (1e6 + 399) = 99.96 %, printed to one decimal
        (np.r_[1e6, np.ones(399)], f"one respondent carries {100 * 1e6 / (1e6 + 399):.1f} %"),
        (np.r_[1.0, np.zeros(399)], "one respondent carries 100.0 %"),
        (np.zeros(400), "every weight is 0"),
        # (20 * 50 + 380 * 0.01)^2 / (20 * 50^2 + 380 * 0.01^2) = 20.15
        (
            np.r_[np.full(20, 50.0), np.full(380, 0.01)],
            f"effective n {1003.8**2 / (50000 + 380 * 1e-4):.1f} of 400",
        ),
    ],
)
def test_weights_that_make_an_estimate_meaningless_are_refused(weights, says):
    assert says in weights_refusal(weights, RULES)


def test_ordinary_weights_are_used():
    rng = np.random.default_rng(0)
    assert weights_refusal(rng.uniform(0.3, 2.5, 400), RULES) == ""
    # huge but equal-ish weights overflow when squared: refused, not inf
    assert "too large" in weights_refusal(np.r_[np.full(200, 1e200), np.full(200, 2e200)], RULES)


@pytest.mark.parametrize(
    "weights",
    [np.r_[1e300, np.ones(399)], np.r_[1e6, np.ones(399)], np.r_[1.0, np.zeros(399)],
     np.zeros(400)],
)  # fmt: skip
def test_no_inf_and_no_100_percent_from_degenerate_weights(weights):
    frame = frame_with_weights(weights)
    tables = analyse_wave(
        frame, meta_of(frame), PAIRS, CONTROLS, ["pearson", "spearman", "polychoric"], MODELS,
        RULES,
    )  # fmt: skip
    for name, table in tables.items():
        assert all_numbers_finite_or_missing(table), name
    trust = tables["trust"]
    weighted = trust[trust["weighted"]]
    assert len(weighted) and weighted["pct_trust"].isna().all()
    assert weighted["note"].str.startswith("weighted estimate refused").all()
    unweighted = trust[~trust["weighted"]]
    assert unweighted["pct_trust"].notna().all() and (unweighted["note"] == "").all()
    corr = tables["correlations"]
    assert corr.loc[corr["weighted"], "r"].isna().all()
    assert corr.loc[corr["weighted"], "note"].str.startswith("weighted estimate refused").all()
    assert corr.loc[~corr["weighted"], "r"].notna().all()
    models = tables["models"]
    wls = models[models["model"] == "wls"]
    assert len(wls) == 1 and wls["note"].iloc[0].startswith("not estimated")
    sens = tables["sensitivity"]
    assert sens.loc[sens["convention"] == "weighted", "value"].isna().all()


def meta_of(frame: pd.DataFrame) -> dict:
    w = frame["weight"]
    return {
        "wave": "W4",
        "weight_variable": "w",
        "scale": {"trusting_levels": [3, 4], "name": "trust4_descending"},
        "items": {i: f"q{k}" for k, i in enumerate(INSTITUTIONS, start=7)},
        # as ingest says it: all-zero weights are no constant (they are unusable)
        "countries": {"china": {"year": 2015, "weight_varies": bool(w.nunique() > 1 or
                                                                     (w == 0).all())}},
    }  # fmt: skip


def test_weight_quality_table_by_hand():
    w = np.r_[np.full(300, 0.5), np.full(99, 2.0), [0.0]]
    table = weight_quality(frame_with_weights(w), meta_of(frame_with_weights(w)), RULES)
    row = table.iloc[0]
    total, squares = w.sum(), (w**2).sum()
    assert row["n"] == 400 and row["n_zero"] == 1 and row["n_negative"] == 0
    assert row["n_effective"] == pytest.approx(total**2 / squares)
    assert row["deff_kish"] == pytest.approx(400 * squares / total**2)
    assert row["max_median_ratio"] == pytest.approx(2.0 / 0.5)
    assert row["mean"] == pytest.approx(w.mean()) and not row["constant"] and row["usable"]
    assert f"mean weight {w.mean():.3g}, not 1" in row["note"]  # 0.87: beyond 0.05 of 1
    degenerate = weight_quality(
        frame_with_weights(np.r_[1e300, np.ones(399)]),
        meta_of(frame_with_weights(np.r_[1e300, np.ones(399)])),
        RULES,
    ).iloc[0]
    assert not degenerate["usable"] and "one respondent carries" in degenerate["note"]
    assert np.isfinite(degenerate["n_effective"]) and degenerate["n_effective"] < 1.01


def test_min_effective_n_is_configurable():
    w = np.r_[np.full(20, 50.0), np.full(380, 0.01)]  # effective n ~ 20
    assert weights_refusal(w, EstimateRules(min_effective_n=10)) == ""
    assert weights_refusal(w, EstimateRules(min_effective_n=30)) != ""


# --- small cells ---------------------------------------------------------------------------
def test_a_one_respondent_country_prints_nothing_of_that_person(tmp_path):
    raw = w3_frame(n=61, seed=4)
    raw["country"] = 4.0
    raw.loc[60, "country"] = 7.0  # one respondent in Taiwan
    raw.loc[60, [f"q{i}" for i in range(7, 20)]] = 1.0  # answers "a great deal" everywhere
    path = write_w3_like(tmp_path / "w3.sav", raw)
    frame, meta = ingest_wave([str(path)], SPEC, CW, ["china", "taiwan"])
    tables = analyse_wave(frame, meta, PAIRS, CONTROLS, ["pearson"], MODELS, RULES)
    taiwan = tables["trust"][tables["trust"]["country"] == "taiwan"]
    assert len(taiwan) and taiwan["pct_trust"].isna().all()
    assert taiwan[["ci_low", "ci_high"]].isna().all().all()
    assert taiwan["note"].str.startswith("suppressed: 1 respondents").all()
    corr = tables["correlations"]
    assert corr.loc[corr["country"] == "taiwan", "r"].isna().all()
    sens = tables["sensitivity"]
    assert sens.loc[sens["country"] == "taiwan", "value"].isna().all()
    cov = tables["coverage"]
    assert cov.loc[cov["country"] == "taiwan", "nonresponse_share"].isna().all()
    china = tables["trust"][tables["trust"]["country"] == "china"]
    assert china["pct_trust"].notna().any()  # 60 respondents: shown where the cells allow


def test_suppression_follows_min_cell_size():
    frame = frame_with_weights(np.ones(25), n=25)
    years = {"china": 2015}
    small = EstimateRules(min_cell_size=20, min_effective_n=20)
    kept = trust_table(frame, ["ngos"], [3, 4], years, rules=small)
    assert kept["pct_trust"].notna().all()
    # weights of 25 respondents have an effective n of 25 at most: refused below 30
    refused = trust_table(frame, ["ngos"], [3, 4], years, rules=EstimateRules(min_cell_size=20))
    assert refused.loc[refused["weighted"], "pct_trust"].isna().all()
    assert refused.loc[~refused["weighted"], "pct_trust"].notna().all()
    gone = trust_table(frame, ["ngos"], [3, 4], years, rules=EstimateRules(min_cell_size=30))
    assert gone["pct_trust"].isna().all() and gone["n_valid"].eq(25).all()
    unruled = trust_table(frame, ["ngos"], [3, 4], years)  # library use: nothing withheld
    assert unruled["pct_trust"].notna().all() and (unruled["note"] == "").all()
    corr = correlation_table(frame, PAIRS, [], years, rules=EstimateRules(min_cell_size=30))
    assert corr["r"].isna().all() and corr["note"].str.startswith("suppressed").all()
    cov = coverage_table(frame, ["ngos"], {"ngos": "q19"}, years, EstimateRules())
    assert cov["nonresponse_share"].isna().all()
    sens = nonresponse_sensitivity(frame, ["ngos"], [3, 4], [], rules=EstimateRules())
    assert sens["value"].isna().all() and sens["note"].str.startswith("suppressed").all()
    ols = ols_robust(frame, "trust_ngos", "trust_local_government", [], rules=EstimateRules())
    assert ols["note"].iloc[0] == "not estimated: 25 complete cases (< 30)"
