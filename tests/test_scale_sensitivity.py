"""Scale-change sensitivity (stats/scale_sensitivity.py) and the comparability notes
(outputs/comparability_notes.py); expected values by hand."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from abs_trust.outputs.comparability_notes import (
    add_note_column,
    comparability_levels,
    footnote_lines,
)
from abs_trust.stats.scale_sensitivity import (
    equipercentile_cuts,
    mapping_dependent_changes,
    scale_mapping_sensitivity,
)


def _frame(country, counts, item="courts", other=None):
    """Respondents with the given count of each level (index 0 = level 1)."""
    levels = np.repeat(np.arange(1, len(counts) + 1), counts).astype(float)
    data = {"country": country, f"trust_{item}": levels}
    if other is not None:
        data["trust_police"] = other(levels)
    return pd.DataFrame(data)


def test_equipercentile_cuts_by_hand():
    six = np.repeat(np.arange(1, 7), 100).astype(float)  # uniform: P(>=k) = (7 - k) / 6
    four = np.repeat([1, 2, 3, 4], [25, 25, 30, 20]).astype(float)
    cuts = equipercentile_cuts(six, four)
    # P4(>=2) = .75: between P6(>=3) = 4/6 and P6(>=2) = 5/6 -> c = 2, f = (.75 - 4/6) / (1/6)
    assert cuts[0] == (2, pytest.approx(0.5))
    # P4(>=3) = .50 = P6(>=4): c = 4, f = 1 (all of level 4 counts)
    assert cuts[1] == (4, pytest.approx(1.0))
    # P4(>=4) = .20: c = 5, f = (.2 - 1/6) / (1/6) = .2
    assert cuts[2] == (5, pytest.approx(0.2))


def test_shares_under_each_mapping():
    w5 = _frame("china", [10, 10, 20, 20, 20, 20], other=lambda x: 7 - x)
    w4 = _frame("china", [30, 20, 30, 20], other=lambda x: x)
    frames = {"W4": w4, "W5": w5}
    rows = scale_mapping_sensitivity(frames, {"W4": 4, "W5": 6}, ["W4", "W5"],
                                     ["courts", "police"], [("courts", "police")])  # fmt: skip
    shares = rows[(rows["quantity"] == "share") & (rows["institution_or_pair"] == "courts")]
    got = dict(zip(shares["convention"], shares["value"], strict=True))
    assert got["scale_top3_of_6"] == pytest.approx(60.0)  # levels 4-6 of 100
    assert got["scale_top2_of_6"] == pytest.approx(40.0)
    # pooled over courts and police; police = 7 - courts has the mirrored distribution, so
    # pooled six-point: 30, 30, 40, 40, 30, 30 of 200; W4 pooled P(>=3) = 50 / 100 = .5
    # -> P6(>=4) = 100/200 = .5 exactly: c = 4, f = 1 -> courts' share = P(>=4) = 60 %
    assert got["scale_cdf_matched_W4"] == pytest.approx(60.0)
    r_rows = rows[rows["quantity"] == "r"]
    assert set(r_rows["convention"]) == {"scale_top3_of_6", "scale_top2_of_6",
                                         "scale_cdf_matched_W4"}  # fmt: skip
    r = dict(zip(r_rows["convention"], r_rows["value"], strict=True))
    assert r["scale_top3_of_6"] == pytest.approx(-1.0)  # a symmetric collapse of 7 - x
    # top two of six: {6} 4, {5} 3, {4, 3} 2, {2, 1} 1 is not symmetric: by hand
    courts = np.repeat([1, 1, 2, 2, 3, 4], [10, 10, 20, 20, 20, 20]).astype(float)
    police = np.repeat([4, 3, 2, 2, 1, 1], [10, 10, 20, 20, 20, 20]).astype(float)
    assert r["scale_top2_of_6"] == pytest.approx(np.corrcoef(courts, police)[0, 1])


def test_changes_that_depend_on_the_mapping_are_flagged():
    scale_rows = pd.DataFrame(
        {"country": "china", "wave": "W5", "quantity": "share", "institution_or_pair": "courts",
         "convention": ["scale_top3_of_6", "scale_top2_of_6"], "value": [70.0, 40.0],
         "n": [1000, 1000]}
    )  # fmt: skip
    shares = pd.DataFrame(
        {"country": ["china"], "wave": ["W4"], "institution": ["courts"], "pct_trust": [55.0],
         "n_valid": [1000], "weighted": [False], "nonresponse": ["exclude"]}
    )  # fmt: skip
    changes = mapping_dependent_changes(scale_rows, shares, {"W4": 4, "W5": 6}, ["W4", "W5"])
    assert changes["change_pp"].tolist() == pytest.approx([15.0, -15.0])
    assert changes["depends_on_mapping"].all() and changes["significant"].all()
    same = scale_rows.assign(value=[70.0, 69.0])
    assert not mapping_dependent_changes(same, shares, {"W4": 4, "W5": 6},
                                         ["W4", "W5"])["depends_on_mapping"].any()  # fmt: skip


def test_notes_follow_the_level_each_quantity_needs():
    invariance = pd.DataFrame(
        {"comparison": ["across_countries", "across_waves"], "wave": ["W4", "W3 W4"],
         "country": ["", "china"], "groups": ["china japan", "W3 W4"],
         "highest_level": ["metric", "configural"]}
    )  # fmt: skip
    index = pd.DataFrame({"country": ["china", "japan"], "wave": ["W4", "W4"]})
    levels = comparability_levels(invariance, index)
    china = levels.set_index("country").loc["china"]
    assert (
        "across the countries of W4: metric invariance only (shares need scalar)"
        in (china["note_shares"])
    )
    assert china["note_correlations"] == (
        "across the waves of china: configural invariance only (correlations need metric)"
    )
    assert levels.set_index("country").loc["japan", "note_correlations"] == ""
    trust = pd.DataFrame({"country": ["japan", "china"], "wave": ["W4", "W4"], "x": [1, 2]})
    noted = add_note_column(trust, levels, "shares")
    assert noted["comparability"].iloc[0].startswith("across the countries of W4")
    assert noted["x"].tolist() == [1, 2]
    assert footnote_lines(levels)[0].startswith("Measurement invariance")


def test_waves_are_put_in_time_order():
    from abs_trust.steps.comparability import wave_key

    assert sorted(["W3", "W10", "W1", "W5"], key=wave_key) == ["W1", "W3", "W5", "W10"]
