import copy

import pandas as pd
import pytest

from abs_trust.config import read_yaml, validate
from abs_trust.outputs.reproduction import (
    convention_scan,
    evaluate,
    round_half_away,
    scan_markdown,
    to_markdown,
    within_tolerance,
)
from conftest import ROOT

PUBLISHED = validate(
    read_yaml(ROOT / "config" / "published.yaml"), "published.schema.yaml", "published.yaml"
)


def test_rounding_is_half_away_from_zero():
    assert round_half_away(80.25, 1) == 80.3  # Python's round() gives 80.2
    assert round_half_away(-11.55, 1) == -11.6
    assert round_half_away(0.2925, 3) == 0.293


def test_tolerances():
    assert within_tolerance(80.27, 80.3, {"rounds_to": 1})
    assert not within_tolerance(80.24, 80.3, {"rounds_to": 1})
    assert within_tolerance(0.2905, 0.293, {"abs": 0.01})
    assert not within_tolerance(0.2820, 0.293, {"abs": 0.01})
    assert within_tolerance(1e-50, 0.001, {"below": True})
    assert not within_tolerance(0.002, 0.001, {"below": True})
    assert not within_tolerance(float("nan"), 0.3, {"abs": 0.1})


def test_published_yaml_holds_every_printed_number():
    checks = PUBLISHED["checks"]
    assert sum(c["quantity"] in ("share", "change") for c in checks) == 30
    local = {c["id"]: c["published"] for c in checks if c.get("institution") == "local_government"}
    assert local == {"t4.local_government.2011": 80.3, "t4.local_government.2015": 68.7,
                     "t4.local_government.change": -11.5}  # fmt: skip


def tables(local_2011, local_2015, r=0.293):
    rows = []
    for wave, pct, weighted in [("W3", local_2011, False), ("W4", local_2015, True)]:
        for w in (False, True):
            rows.append({"country": "china", "wave": wave, "institution": "local_government",
                         "weighted": w, "nonresponse": "exclude",
                         "pct_trust": pct if w == weighted else pct + 5})  # fmt: skip
    corr = pd.DataFrame(
        [{"country": "china", "wave": "W4", "x": "local_government", "y": "ngos",
          "controls": c, "weighted": w, "method": "pearson", "r": r, "p": 1e-30}
         for c in ("", "age+female+education+income") for w in (True, False)]
    )  # fmt: skip
    return pd.DataFrame(rows), corr


def only(ids):
    published = copy.deepcopy(PUBLISHED)
    published["checks"] = [c for c in published["checks"] if c["id"] in ids]
    return published


def test_change_is_compared_from_unrounded_shares():
    trust, corr = tables(80.27, 68.74)
    ids = ["t4.local_government.2011", "t4.local_government.2015", "t4.local_government.change"]
    results = evaluate(only(ids), trust, corr, ["W3", "W4"])
    assert [r["verdict"] for r in results] == ["PASS"] * 3
    assert results[2]["reproduced"] == pytest.approx(-11.53)


def test_wrong_convention_fails():
    trust, corr = tables(80.27, 68.74)
    published = only(["t4.local_government.2015"])
    published["conventions"]["W4"]["weighted"] = False  # the other weighting: +5 points
    assert evaluate(published, trust, corr, ["W3", "W4"])[0]["verdict"] == "FAIL"


def test_correlation_checks_and_other_weighting_reported():
    trust, corr = tables(80.27, 68.74, r=0.2926)
    results = evaluate(only(["n24.r", "n24.partial_r", "n24.r.p"]), trust, corr, ["W3", "W4"])
    assert [r["ok"] for r in results] == [True, True, True]
    trust, corr = tables(80.27, 68.74, r=0.2924)
    results = evaluate(only(["n24.r", "n24.partial_r"]), trust, corr, ["W3", "W4"])
    assert [r["ok"] for r in results] == [False, True]


def test_checks_on_waves_not_run_are_not_applicable_and_missing_values_fail():
    trust, corr = tables(80.27, 68.74)
    results = evaluate(only(["t4.local_government.2011", "t4.ngos.2011"]), trust, corr, ["W3"])
    assert results[0]["verdict"] == "PASS"
    assert results[1]["verdict"] == "FAIL" and "not found" in results[1]["note"]
    na = evaluate(only(["t4.local_government.2015"]), trust, corr, ["W3"])[0]
    assert na["ok"] is None and na["verdict"] == "n/a"


def test_markdown_states_verdict_and_synthetic():
    trust, corr = tables(80.27, 68.74)
    results = evaluate(only(["t4.local_government.2011"]), trust, corr, ["W3", "W4"])
    text = to_markdown(results, PUBLISHED, synthetic=True, sources=["f.sav"])
    assert "**Verdict: PASS**" in text and "Synthetic fixture" in text
    assert "Synthetic" not in to_markdown(results, PUBLISHED, synthetic=False, sources=["f"])


def test_convention_scan_finds_the_matching_convention():
    trust, _ = tables(80.27, 68.74)  # the other weighting is 5 points off
    trust = pd.concat([trust, trust.assign(nonresponse="as_not_trusting", pct_trust=1.0)])
    published = only(["t4.local_government.2011", "t4.local_government.2015"])
    scan = convention_scan(published, trust, ["W3", "W4"]).set_index(["wave", "convention"])
    assert scan.loc[("W3", "unweighted, nonresponse excluded"), "matched"] == 1
    assert scan.loc[("W3", "weighted, nonresponse excluded"), "matched"] == 0
    assert scan.loc[("W4", "weighted, nonresponse excluded"), "declared"]
    assert "1 of 1" in scan_markdown(scan.reset_index())
