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
    verdict,
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
    assert na["ok"] is None and na["verdict"] == "NOT APPLICABLE"
    assert na["note"] == "wave(s) W4 not in this run"


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


def test_verdict_vocabulary():
    trust, corr = tables(80.27, 68.74)
    ids = ["t4.local_government.2011", "t4.local_government.2015", "t4.local_government.change"]
    both = evaluate(only(ids), trust, corr, ["W3", "W4"])
    assert verdict(both) == "PASS: 3 of 3 published checks reproduced"
    w3 = evaluate(only(ids), trust, corr, ["W3"])  # the 2015 share and the change need W4
    assert verdict(w3) == (
        "PASS: 1 of 1 published checks reproduced; 2 not applicable to this run's data"
    )
    other = evaluate(only(ids), trust, corr, ["W1", "W6"])
    assert verdict(other) == (
        "NOT APPLICABLE: the 3 published checks (Table 4) concern mainland China in W3, W4, "
        "which this run does not cover"
    )
    taiwan = [{"wave": w, "countries": {"taiwan": {"year": 2011}}} for w in ("W3", "W4")]
    elsewhere = evaluate(only(ids), trust, corr, ["W3", "W4"], taiwan)
    assert verdict(elsewhere).startswith("NOT APPLICABLE: the 3 published checks (Table 4) ")
    assert verdict(elsewhere).endswith("concern mainland China, which is not in this run's data")
    assert verdict(None).startswith("NOT APPLICABLE: no published numbers are configured")
    wrong, _ = tables(70.0, 68.74)
    failed = evaluate(only(ids), wrong, corr, ["W3", "W4"])
    assert verdict(failed) == (
        "FAIL: 2 of 3 published checks not reproduced (Local government: % trusting, W3 "
        "(ABS W3); Local government: change in % trusting, W3 to W4 (points))"
    )
    assert verdict(failed, strict=False).endswith("[strict: false, so the run goes on]")


def test_published_numbers_print_as_printed_and_checks_are_described_in_words():
    trust, corr = tables(80.27, 68.74, r=0.2926)
    metas = [{"wave": "W3", "countries": {"china": {"year": 2011}}},
             {"wave": "W4", "countries": {"china": {"year": 2015}}}]  # fmt: skip
    ids = ["t4.newspapers.change", "n24.r", "n24.r.p", "n24.partial_r"]
    results = {r["id"]: r for r in evaluate(only(ids), trust, corr, ["W3", "W4"], metas)}
    assert results["t4.newspapers.change"]["published_as_printed"] == "-6.0"  # not "-6"
    assert results["n24.r"]["published_as_printed"] == "0.293"
    assert results["n24.r.p"]["published_as_printed"] == "p < .001"  # not "0.001"
    assert results["n24.partial_r"]["published_as_printed"] == "≈ 0.293"  # implied, not printed
    assert results["t4.newspapers.change"]["description"] == (
        "Newspapers: change in % trusting, 2011 to 2015 (points)"
    )
    assert results["n24.r.p"]["description"] == (
        "p of the Pearson r (bivariate) of trust in local government and in NGOs, 2015 (ABS W4)"
    )
    text = to_markdown(list(results.values()), PUBLISHED, synthetic=False, sources=["f.sav"])
    assert "| p < .001 |" in text and "n24" not in text  # ids replaced by words
