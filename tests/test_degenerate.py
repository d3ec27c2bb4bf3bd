"""Valid but degenerate input gives flagged rows with the reason, never a traceback (issue 15).

A constant item, an item nobody answered substantively, collinear controls: each is a
legitimate file, and each estimate that cannot be made says why in its ``note``.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from abs_trust.harmonize.crosswalk import load_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from abs_trust.stats.correlation_table import correlation_table
from abs_trust.stats.models import ols_robust, ordered_logit
from abs_trust.stats.wave import analyse_wave
from abs_trust.stats.weights import EstimateRules
from conftest import ROOT, w3_frame, write_w3_like

CW = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
SPEC = CW.wave("W3")
CONTROLS = ["age", "female", "education", "income"]
MODELS = {"categorical": ["education", "income"], "min_cell": 30}
METHODS = ["pearson", "spearman", "polychoric"]


def ingested(tmp_path, raw):
    return ingest_wave([str(write_w3_like(tmp_path / "w3.sav", raw))], SPEC, CW, ["china"])


def analysed(frame, meta):
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no statsmodels warning about a singular design either
        return analyse_wave(
            frame, meta, [("local_government", "ngos")], CONTROLS, METHODS, MODELS,
            EstimateRules(),
        )  # fmt: skip


def test_a_constant_local_government_item_is_flagged_not_a_traceback(tmp_path):
    raw = w3_frame(n=300, seed=5)
    raw["q15"] = 1.0  # everyone: "a great deal" of trust in local government
    tables = analysed(*ingested(tmp_path, raw))
    corr = tables["correlations"]
    china = corr[corr["country"] == "china"]
    assert len(china) and china["r"].isna().all()
    # every method, weighted or not, bivariate or partial, says why
    assert china["note"].str.contains("trust_local_government|fewer than two").all()
    spearman = china[china["method"] == "spearman"]
    assert spearman["note"].str.startswith("no variation in ['trust_local_government']").all()
    models = tables["models"]
    china_models = models[models["country"] == "china"]
    assert set(china_models["model"]) == {"ols", "wls", "ordered_logit"}
    # one flagged row per fit (OLS, WLS, ordered logit unweighted and weighted), no coefficients
    fits = list(zip(china_models["model"], china_models["weighted"], strict=True))
    assert sorted(fits) == [("ols", False), ("ordered_logit", False), ("ordered_logit", True),
                            ("wls", True)]  # fmt: skip
    assert (china_models["note"] == "not estimated: trust_local_government does not vary").all()
    assert china_models["coef"].isna().all()


def test_collinear_controls_are_flagged():
    rng = np.random.default_rng(2)
    n = 300
    frame = pd.DataFrame(
        {
            "trust_ngos": rng.integers(1, 5, n).astype(float),
            "trust_local_government": rng.integers(1, 5, n).astype(float),
            "education": rng.integers(1, 6, n).astype(float),
            "weight": rng.uniform(0.5, 1.5, n),
        }
    )
    frame["income"] = frame["education"]  # the same variable twice
    args = ("trust_ngos", "trust_local_government", ["education", "income"])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fit in (
            ols_robust(frame, *args, categorical=()),
            ols_robust(frame, *args, "weight", categorical=()),
            ordered_logit(frame, *args, categorical=()),
            ols_robust(frame, *args),  # as categories: the dummies coincide
        ):
            assert len(fit) == 1, fit
            note = fit["note"].iloc[0]
            assert note.startswith("not estimated: collinear terms"), note
            assert "income" in note and "education" in note


def test_constant_weighted_spearman_is_no_variation_not_a_tiny_r():
    rng = np.random.default_rng(0)
    n = 200
    frame = pd.DataFrame(
        {
            "trust_local_government": pd.array([4] * n, dtype="Int8"),
            "trust_ngos": pd.array(rng.integers(1, 5, n), dtype="Int8"),
            "age": rng.integers(18, 80, n).astype(float),
            "weight": rng.uniform(0.5, 1.5, n),
            "country": "china",
            "wave": "W3",
        }
    )
    table = correlation_table(
        frame, [("local_government", "ngos")], ["age"], {"china": 2011}, methods=["spearman"]
    )
    assert len(table) == 4 and table["r"].isna().all()  # weighted: r was 2.6e-16 before
    assert table["note"].str.startswith("no variation").all()


def test_an_item_nobody_answered_is_not_asked_and_its_pairs_are_skipped(tmp_path):
    raw = w3_frame(n=300, seed=6)
    raw["q19"] = 8.0  # NGOs: "can't choose" for everyone
    tables = analysed(*ingested(tmp_path, raw))
    assert "ngos" not in set(tables["trust"]["institution"])
    assert tables["correlations"].empty and tables["models"].empty
    cov = tables["coverage"].set_index("institution")
    assert not cov.loc["ngos", "asked"] and "not asked" in cov.loc["ngos", "note"]


@pytest.mark.parametrize("y_constant", [True, False])
def test_too_few_or_constant_outcome(y_constant):
    rng = np.random.default_rng(1)
    n = 100 if y_constant else 12
    frame = pd.DataFrame(
        {
            "trust_ngos": np.full(n, 3.0) if y_constant else rng.integers(1, 5, n).astype(float),
            "trust_local_government": rng.integers(1, 5, n).astype(float),
        }
    )
    fit = ordered_logit(frame, "trust_ngos", "trust_local_government", [])
    expected = (
        "not estimated: the outcome does not vary" if y_constant
        else "not estimated: 12 complete cases (< 30)"
    )  # fmt: skip
    assert fit["note"].iloc[0] == expected
