"""Design variables: optional psu/strata in the crosswalk reach the harmonized frame, and every
weighted estimate's SE uses them (R values: tests/test_reference_r.py)."""

import copy

import numpy as np
import pandas as pd
import pytest

from abs_trust.config import read_yaml
from abs_trust.errors import CrosswalkMismatchError
from abs_trust.harmonize.crosswalk import parse_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from abs_trust.stats.design import WEIGHTS_ONLY, Design, _design_variance, linearized_se
from abs_trust.stats.pearson import pearson
from abs_trust.stats.shares import share_trusting
from conftest import ROOT, w3_frame, write_w3_like


def crosswalk_with_design():
    raw = copy.deepcopy(read_yaml(ROOT / "config" / "crosswalk.yaml"))
    raw["waves"]["W3"]["psu"] = {"variable": "psu_code"}
    raw["waves"]["W3"]["strata"] = {"variable": "region"}
    return parse_crosswalk(raw, "test crosswalk")


def test_design_variables_reach_the_harmonized_frame(tmp_path):
    cw = crosswalk_with_design()
    raw = w3_frame(n=60, seed=5)
    raw["psu_code"] = (np.arange(60) // 6).astype(float)
    raw["region"] = (np.arange(60) // 30 + 1).astype(float)
    path = write_w3_like(tmp_path / "w3.sav", raw)
    frame, meta = ingest_wave([str(path)], cw.wave("W3"), cw, ["china"])
    assert list(frame.columns[-2:]) == ["psu", "strata"]
    assert str(frame["psu"].dtype) == "Int64"
    china = raw[raw["country"] == 4].reset_index(drop=True)
    assert frame["psu"].tolist() == china["psu_code"].astype(int).tolist()
    assert (meta["psu_variable"], meta["strata_variable"]) == ("psu_code", "region")
    # without the keys (every ABS release today) the frame has no design columns
    plain = parse_crosswalk(read_yaml(ROOT / "config" / "crosswalk.yaml"), "crosswalk")
    frame, meta = ingest_wave([str(path)], plain.wave("W3"), plain, ["china"])
    assert "psu" not in frame.columns and meta["psu_variable"] is None


def test_a_respondent_without_a_psu_is_refused(tmp_path):
    cw = crosswalk_with_design()
    raw = w3_frame(n=40, seed=2).assign(psu_code=1.0, region=1.0)
    raw.loc[3, "psu_code"] = np.nan
    path = write_w3_like(tmp_path / "w3.sav", raw)
    with pytest.raises(CrosswalkMismatchError, match="'psu_code'.*missing in 1 rows"):
        ingest_wave([str(path)], cw.wave("W3"), cw, ["china"])


def test_design_variance_by_hand():
    # two strata; PSU totals 1, 3 | 2, 2, 5: sum_h m/(m-1) sum (U - mean)^2
    scores = np.array([1.0, 3.0, 2.0, 2.0, 5.0])
    strata = np.array([1, 1, 2, 2, 2.0])
    psu = np.array([1, 2, 1, 2, 3.0])
    variance, df = _design_variance(scores, Design(strata, psu))
    expected = 2 * ((1 - 2) ** 2 + (3 - 2) ** 2) + 1.5 * ((2 - 3) ** 2 * 2 + (5 - 3) ** 2)
    assert variance[0, 0] == pytest.approx(expected) and df == 5 - 2
    # no strata: one stratum of PSUs, totals 2 and 6
    pooled, df = _design_variance(
        np.array([1.0, 1.0, 2.0, 4.0]), Design(None, np.array([1, 1, 2, 2.0]))
    )
    assert pooled[0, 0] == pytest.approx(2 / 1 * ((2 - 4) ** 2 + (6 - 4) ** 2)) and df == 1
    # PSU codes repeating across strata are nested: PSU 1 of stratum 1 is not of stratum 2
    _, df = _design_variance(np.ones(4), Design(np.array([1, 1, 2, 2.0]), np.ones(4)))
    assert df == 2 - 2
    # a lonely PSU adds nothing (R: survey.lonely.psu = "certainty")
    lonely, df = _design_variance(np.array([1.0, 2.0, 7.0]), Design(np.array([1, 1, 2.0]), None))
    assert lonely[0, 0] == pytest.approx(2 * 0.5) and df == 3 - 2
    assert Design().label == WEIGHTS_ONLY and Design(strata, psu).label == "psu+strata"


def test_clusters_widen_the_interval_of_a_clustered_share():
    rng = np.random.default_rng(4)
    cluster_effect = np.repeat(rng.normal(0, 1.0, 40), 25)  # 40 PSUs of 25 alike respondents
    trusting = (cluster_effect + rng.normal(0, 1, 1000)) > 0
    frame = pd.DataFrame(
        {
            "trust": pd.array(np.where(trusting, 4, 1), dtype="Int8"),
            "w": rng.uniform(0.5, 2, 1000),
            "psu": np.repeat(np.arange(40.0), 25),
            "stratum": np.repeat([1.0, 2.0], 500),
        }
    )
    plain = share_trusting(frame, "trust", [3, 4], "w")
    clustered = share_trusting(frame, "trust", [3, 4], "w", psu="psu", strata="stratum")
    assert clustered["pct_trust"] == plain["pct_trust"]
    assert clustered["se"] > 2 * plain["se"]  # design effect of ~ 1 + 24 * ICC
    assert clustered["df"] == 40 - 2 and plain["df"] == 999
    x = cluster_effect + rng.normal(0, 1, 1000)
    frame["a"], frame["b"] = x, x + cluster_effect + rng.normal(0, 1, 1000)
    r_plain = pearson(frame, "a", "b", weight="w")
    r_design = pearson(frame, "a", "b", weight="w", psu="psu", strata="stratum")
    assert r_design["r"] == pytest.approx(r_plain["r"], abs=1e-14)
    assert r_design["df"] == 38 and r_design["se_method"] == "linearization: psu+strata"
    # the design variance of a mean is the same through linearized_se
    y = trusting.astype(float)
    se, df = linearized_se(frame["w"].to_numpy() * (y - plain["pct_trust"] / 100)
                           / frame["w"].sum())  # fmt: skip
    assert se * 100 == pytest.approx(plain["se"], rel=1e-12) and df == 999
