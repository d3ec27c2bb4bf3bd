"""Which rows each figure is drawn from (the data step of each abs_trust.outputs.figures module)."""

from __future__ import annotations

import pandas as pd

from abs_trust.outputs.figures.correlation_by_country import correlation_rows
from abs_trust.outputs.figures.institution_trust import table4_rows
from abs_trust.outputs.figures.local_vs_ngo_data import figure1_panels


def corr_rows(rows):
    base = {"x": "local_government", "y": "ngos", "method": "pearson", "controls": "", "n": 100}
    return pd.DataFrame([{**base, **r} for r in rows])


def meta(wave, weight_variable="w", varies=True, year=2015):
    return {
        "wave": wave,
        "weight_variable": weight_variable,
        "synthetic": False,
        "scale": {"level_labels": ["a", "b", "c", "d"]},
        "countries": {"china": {"weight_varies": varies, "year": year}},
    }


def test_correlation_rows_prefer_weighted_and_keep_unweighted_only_country_waves():
    corr = corr_rows(
        [
            {"country": "china", "wave": "W1", "weighted": False, "r": 0.1},  # constant weight
            {"country": "china", "wave": "W4", "weighted": False, "r": 0.2},
            {"country": "china", "wave": "W4", "weighted": True, "r": 0.3},
            {"country": "japan", "wave": "W4", "weighted": True, "r": 0.4},
            {"country": "japan", "wave": "W4", "weighted": True, "r": 0.9, "controls": "age"},
            {"country": "japan", "wave": "W4", "weighted": True, "r": 0.8, "method": "spearman"},
        ]
    )
    got = correlation_rows(corr, ["local_government", "ngos"], weighted=True)
    assert sorted(zip(got["country"], got["wave"], got["r"], strict=True)) == [
        ("china", "W1", 0.1),
        ("china", "W4", 0.3),
        ("japan", "W4", 0.4),
    ]
    unweighted = correlation_rows(corr, ["local_government", "ngos"], weighted=False)
    assert sorted(unweighted["r"]) == [0.1, 0.2, 0.4]  # japan has only a weighted row


def test_table4_rows_follow_each_waves_convention():
    rows = []
    for wave in ("W3", "W4"):
        for weighted in (False, True):
            for nonresponse in ("exclude", "as_not_trusting"):
                for institution in ("courts", "ngos", "political_parties"):
                    rows.append(
                        {"country": "china", "wave": wave, "weighted": weighted,
                         "nonresponse": nonresponse, "institution": institution}
                    )  # fmt: skip
    trust = pd.DataFrame(rows)
    got = table4_rows(
        trust, [meta("W3"), meta("W4")], "china", {"W3": False, "W4": True}, "exclude"
    )
    assert set(zip(got["wave"], got["weighted"], strict=True)) == {("W3", False), ("W4", True)}
    assert set(got["nonresponse"]) == {"exclude"}
    assert set(got["institution"]) == {"courts", "ngos"}  # parties are not a Table 4 row
    # a weight that does not vary in the country is no weight
    flat = table4_rows(trust, [meta("W4", varies=False)], "china", {"W4": True}, "exclude")
    assert set(flat["weighted"]) == {False}


def test_figure1_panels_skip_a_wave_without_the_correlation():
    frames = {
        w: pd.DataFrame(
            {
                "country": ["china", "japan"],
                "weight": [1.0, 1.0],
                "trust_local_government": [1, 2],
                "trust_ngos": [2, 3],
            }
        )  # fmt: skip
        for w in ("W3", "W4")
    }
    corr = corr_rows([{"country": "china", "wave": "W4", "weighted": True, "r": 0.29, "n": 7}])
    panels, labels, synthetic = figure1_panels(
        frames, [meta("W3", year=2011), meta("W4")], corr, "china", {"W3": True, "W4": True}
    )
    assert [p["title"] for p in panels] == ["2015 (ABS W4)"]
    assert panels[0]["r"] == 0.29 and panels[0]["n"] == 7 and panels[0]["weight"] == "weight"
    assert set(panels[0]["frame"]["country"]) == {"china"}
    assert labels == ["a", "b", "c", "d"] and synthetic is False
