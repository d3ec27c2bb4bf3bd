"""Every uncertainty the tables report, checked against R on the shipped fixture.

The expected numbers come from tests/reference/r_reference.json, written by
tests/reference/make_reference.R (run once by hand; the JSON records the R and package
versions). R reads the fixture's .sav files with haven and harmonizes them itself, so the n
of every estimate is compared too. CI needs no R. Tolerances: 1e-4 on every interval bound
and SE the issue asks for (observed differences, in the comments, are far smaller except
where R differentiates numerically: polr/svyolr's Hessian, the polychoric's derivative).
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from abs_trust.harmonize.crosswalk import INSTITUTIONS, load_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from abs_trust.stats.changes import changes_table
from abs_trust.stats.correlation_table import correlation_table
from abs_trust.stats.models import ols_robust, ordered_logit
from abs_trust.stats.pearson import pearson
from abs_trust.stats.polychoric import polychoric
from abs_trust.stats.polychoric_partial import polychoric_partial
from abs_trust.stats.sensitivity import nonresponse_sensitivity
from abs_trust.stats.shares import share_trusting, trust_table
from abs_trust.stats.spearman import spearman
from conftest import ROOT

REFERENCE = json.loads((ROOT / "tests" / "reference" / "r_reference.json").read_text())
FILES = {"W3": "W3_china_synthetic.sav", "W4": "W4_china_synthetic.sav"}
YEARS = {"W3": 2011, "W4": 2015}
CONTROLS = ["age", "female", "education", "income"]
X, Y = "trust_local_government", "trust_ngos"
TOL = 1e-4


@pytest.fixture(scope="module")
def waves() -> dict[str, pd.DataFrame]:
    crosswalk = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
    return {
        wave: ingest_wave([str(ROOT / "data" / "fixture" / name)], crosswalk.wave(wave),
                          crosswalk, ["china"])[0]
        for wave, name in FILES.items()
    }  # fmt: skip


def clustered(frame: pd.DataFrame) -> pd.DataFrame:
    """The made-up design of the R script's "clustered" section (the fixture has none)."""
    ids = frame["respondent_id"].to_numpy(dtype=float)
    psu = (ids - 1) // 12
    return frame.assign(psu=psu, strata=psu % 5 + 1)


def test_reference_was_made_by_r_from_this_fixture():
    meta = REFERENCE["meta"]
    assert meta["r_version"].startswith("R version")
    assert {"survey", "MASS", "polycor"} <= set(meta["packages"])
    import hashlib

    for wave, name in FILES.items():
        digest = hashlib.md5((ROOT / "data" / "fixture" / name).read_bytes()).hexdigest()
        assert meta["fixture_md5"][f"data/fixture/{name}"] == digest, wave


@pytest.mark.parametrize(
    "row", REFERENCE["shares"], ids=lambda r: "-".join(map(str, r.values()))[:60]
)
def test_share_se_and_every_ci_method_match_svyciprop(waves, row):
    frame = waves[row["wave"]]
    weight = "weight" if row["weighted"] else None
    for method, key in (("wald", "wald"), ("logit", "logit"), ("korn-graubard", "korn_graubard")):
        est = share_trusting(frame, f"trust_{row['institution']}", [3, 4], weight,
                             row["nonresponse"], ci_method=method)  # fmt: skip
        assert est["pct_trust"] / 100 == pytest.approx(row["p"], abs=1e-12)
        assert est["se"] / 100 == pytest.approx(row["se"], abs=1e-10)
        assert est["df"] == row["df"]
        if row["weighted"]:  # unweighted shares keep Wilson's interval
            low, high = est["ci_low"] / 100, est["ci_high"] / 100
            assert (low, high) == pytest.approx(row[key], abs=TOL)  # observed < 2e-9
    n = est["n_valid"] if row["nonresponse"] == "exclude" else len(frame)
    assert n == row["n"]


def test_changes_match_r(waves):
    trust = pd.concat(
        [trust_table(waves[w], INSTITUTIONS, [3, 4], {"china": YEARS[w]}) for w in FILES]
    )
    ours = changes_table(trust, "china", ["W3", "W4"], {"W3": False, "W4": True})
    ours = ours.set_index(["institution", "convention"])
    for row in REFERENCE["changes"]:
        got = ours.loc[(row["institution"], row["convention"])]
        for key in ("change", "se", "df", "ci_low", "ci_high"):
            assert got[key] == pytest.approx(row[key], rel=1e-9, abs=1e-9), key
        assert got["p"] == pytest.approx(row["p"], rel=1e-6, abs=1e-12)
        assert got["ci_includes_zero"] == (row["ci_low"] <= 0 <= row["ci_high"])


def correlation_rows(frame, wave, design):
    table = correlation_table(frame, [["local_government", "ngos"]], CONTROLS,
                              {"china": YEARS[wave]}, weighted=True,
                              methods=["pearson", "spearman", "polychoric"])  # fmt: skip
    table = table[table["weighted"]]
    assert (table["se_method"] == f"linearization: {design}").all()
    return table.set_index(["method", "controls"])


def check_correlation(got, row):
    assert got["n"] == row["n"]
    assert got["r"] == pytest.approx(row["r"], abs=1e-7)  # R's polychoric: a root to 1e-15
    assert got["df"] == row["df"]
    # observed: Pearson, Spearman < 5e-11; polychoric < 2e-8 (R differentiates numerically)
    for key in ("se", "ci_low", "ci_high"):
        assert got[key] == pytest.approx(row[key], abs=TOL), key
    assert got["se"] == pytest.approx(row["se"], rel=1e-3)
    assert got["p"] == pytest.approx(row["p"], rel=0.05)  # p ~ 1e-60: its log to 1e-3


def test_weighted_correlations_match_r_survey(waves):
    for row in REFERENCE["correlations"]:
        table = correlation_rows(waves[row["wave"]], row["wave"], "weights only")
        check_correlation(table.loc[(row["method"], row["controls"])], row)


def test_clustered_design_matches_r_survey(waves):
    frame = clustered(waves["W4"])
    table = correlation_rows(frame, "W4", "psu+strata")
    for row in REFERENCE["clustered"]:
        if row["quantity"] == "correlation":
            check_correlation(table.loc[(row["method"], row["controls"])], row)
            continue
        for method, key in (
            ("wald", "wald"),
            ("logit", "logit"),
            ("korn-graubard", "korn_graubard"),
        ):
            item = f"trust_{row['institution']}"
            est = share_trusting(frame, item, [3, 4], "weight", row["nonresponse"], method,
                                 strata="strata", psu="psu")  # fmt: skip
            assert est["se"] / 100 == pytest.approx(row["se"], abs=1e-10)
            assert est["df"] == row["df"]
            assert (est["ci_low"] / 100, est["ci_high"] / 100) == pytest.approx(row[key], abs=TOL)


def model_reference(wave, model, weighted):
    rows = [r for r in REFERENCE["models"]
            if (r["wave"], r["model"], r["weighted"]) == (wave, model, weighted)]  # fmt: skip
    assert rows
    return pd.DataFrame(rows).assign(term=lambda d: d["term"].replace("local_government", X))


@pytest.mark.parametrize(
    ("wave", "model", "weighted"),
    [("W3", "ordered_logit", False), ("W3", "ordered_logit", True),
     ("W4", "ordered_logit", False), ("W4", "ordered_logit", True),
     ("W4", "ordered_logit_clustered", True), ("W4", "wls_clustered", True)],
)  # fmt: skip
def test_models_match_polr_svyolr_and_svyglm(waves, wave, model, weighted):
    ref = model_reference(wave, model, weighted)
    frame = waves[wave]
    design = {}
    if "clustered" in model:
        frame, design = clustered(frame), {"strata": "strata", "psu": "psu"}
    fit = (ols_robust if model.startswith("wls") else ordered_logit)(
        frame, Y, X, CONTROLS, weight="weight" if weighted else None, **design
    )
    fit = fit[fit["test"].isna()].set_index("term")
    assert set(fit.index) == set(ref["term"])
    got = fit.loc[ref["term"]]
    assert (got["n"] == ref["n"].to_numpy()).all()
    # observed: coefficients < 2e-8; SEs < 2.4e-5 (R's Hessian is a finite difference)
    np.testing.assert_allclose(got["coef"], ref["coef"], atol=TOL)
    np.testing.assert_allclose(got["se"], ref["se"], atol=TOL)
    if model == "wls_clustered":
        np.testing.assert_allclose(got["coef"], ref["coef"], atol=1e-10)
        np.testing.assert_allclose(got["se"], ref["se"], rtol=1e-8)


def test_joint_wald_tests_match_r(waves):
    for row in REFERENCE["wald_tests"]:
        frame, design, model = waves[row["wave"]], {}, row["model"]
        if "clustered" in model:
            frame, design = clustered(frame), {"strata": "strata", "psu": "psu"}
        fit = (ordered_logit if model.startswith("ordered") else ols_robust)(
            frame, Y, X, CONTROLS, weight="weight" if row["weighted"] else None, **design
        )
        got = fit.set_index("term").loc[row["term"]]
        assert got["test"] == row["test"] and got["df_num"] == row["df_num"]
        if row["df_den"] is not None:
            assert got["df_den"] == row["df_den"]
        assert got["statistic"] == pytest.approx(row["statistic"], rel=1e-3)  # R's numerical vcov
        assert got["p"] == pytest.approx(row["p"], abs=TOL)


def test_nonresponse_bounds_match_r(waves):
    names = {
        (1, 1): "nonresponse_lowest",
        (4, 4): "nonresponse_highest",
        (1, 4): "nonresponse_x_lowest_y_highest",
        (4, 1): "nonresponse_x_highest_y_lowest",
    }
    # fmt: skip
    tables = {
        w: nonresponse_sensitivity(waves[w], [], [3, 4], [["local_government", "ngos"]]).set_index(
            "convention"
        )
        for w in FILES
    }
    for row in REFERENCE["nonresponse_bounds"]:
        name = ("weighted_" if row["weighted"] else "") + names[row["fill_x"], row["fill_y"]]
        got = tables[row["wave"]].loc[name]
        assert got["value"] == pytest.approx(row["r"], abs=1e-12) and got["n"] == row["n"]


def test_polychoric_ses_agree_with_an_r_bootstrap(waves):
    """The linearization/delta-method SEs of the polychoric (bivariate and partial, weighted
    and not) against R's nonparametric bootstrap of the same estimator: within three
    Monte-Carlo SEs of a bootstrap SE, 1 / sqrt(2 (B - 1)) relative."""
    assert len(REFERENCE["bootstrap"]) == 8
    for row in REFERENCE["bootstrap"]:
        frame = waves[row["wave"]]
        weight = "weight" if row["weighted"] else None
        if row["controls"]:
            est = polychoric_partial(frame, X, Y, CONTROLS, weight)
        else:
            est = polychoric(frame, X, Y, weight)
        assert est["n"] == row["n"]
        assert est["r"] == pytest.approx(row["r"], abs=1e-6)
        monte_carlo = 1 / np.sqrt(2 * (row["replicates"] - 1))
        ratio = est["se"] / row["se_boot"]
        assert abs(ratio - 1) < 3 * monte_carlo, (row, est["se"])


def test_public_functions_give_the_table_numbers(waves):
    """The pingouin-style functions and the table builder agree (same kernels)."""
    frame = waves["W4"]
    table = correlation_rows(frame, "W4", "weights only")
    for method, function in (("pearson", pearson), ("spearman", spearman)):
        for controls in ((), CONTROLS):
            est = function(frame, X, Y, list(controls), "weight")
            got = table.loc[(method, "+".join(controls))]
            assert est["se"] == pytest.approx(got["se"], rel=1e-12)
