"""A number the run's tables withhold (min_cell_size, unusable weights) is withheld in the
tables built from it too: the change between waves and the bootstrap intervals, each with why."""

from __future__ import annotations

import math

import pandas as pd

from abs_trust.stats.changes import changes_table
from abs_trust.stats.weights import withheld
from abs_trust.steps.bootstrap import withhold_as_the_tables

SMALL = "suppressed: 12 respondents (min_cell_size 30)"
REFUSED = "weighted estimate refused: one respondent carries 93.0 % of the weight"


def test_the_rules_notes_are_recognised_and_nothing_else():
    assert withheld(SMALL) and withheld(REFUSED)
    assert not withheld("") and not withheld(float("nan")) and not withheld(None)
    assert not withheld("not estimated: trust_ngos does not vary")


def share(wave, year, weighted, pct, note=""):
    return {"country": "china", "wave": wave, "year": year, "institution": "ngos",
            "weighted": weighted, "nonresponse": "exclude", "pct_trust": pct, "se": 1.0,
            "df": 500.0, "note": note}  # fmt: skip


def test_a_change_from_a_withheld_share_is_empty_and_says_why():
    trust = pd.DataFrame([
        share("W3", 2011, False, 60.0), share("W3", 2011, True, 61.0),
        share("W4", 2015, False, 50.0), share("W4", 2015, True, math.nan, REFUSED),
    ])  # fmt: skip
    changes = changes_table(trust, "china", ["W3", "W4"], {"W3": False, "W4": True})
    by = changes.set_index("convention")
    assert math.isnan(by.loc["headline", "change"]) and math.isnan(by.loc["weighted", "ci_low"])
    assert by.loc["headline", "note"] == f"W4: {REFUSED}"
    assert by.loc["unweighted", "change"] == -10.0 and by.loc["unweighted", "note"] == ""


def test_bootstrap_rows_of_withheld_estimates_are_withheld_with_the_tables_note():
    boot = pd.DataFrame(
        [
            ("china", "W3", 2011, "share", "ngos", "", "", False, "exclude", 60.0),
            ("china", "W3", 2011, "share", "ngos", "", "", True, "exclude", 61.0),
            ("china", "W3", 2011, "share", "ngos", "", "", True, "as_not_trusting", 55.0),
            ("china", "W3", 2011, "r", "local_government|ngos", "pearson", "", True, "exclude",
             0.3),
            ("china", "W3", 2011, "r", "local_government|ngos", "pearson", "age", True,
             "exclude", 0.28),
        ],
        columns=["country", "wave", "year", "quantity", "item", "method", "controls",
                 "weighted", "nonresponse", "estimate"],
    ).assign(boot_se=0.01, ci_low=0.0, ci_high=1.0)  # fmt: skip
    trust = pd.DataFrame([share("W3", 2011, True, math.nan, SMALL)])
    corr = pd.DataFrame(
        [("china", "W3", "local_government", "ngos", "pearson", "age", True, REFUSED),
         ("china", "W3", "local_government", "ngos", "pearson", "", True, "")],
        columns=["country", "wave", "x", "y", "method", "controls", "weighted", "note"],
    )  # fmt: skip
    out = withhold_as_the_tables(boot, trust, corr)
    assert out["note"].tolist() == ["", SMALL, "", "", REFUSED]
    hidden = out["note"] != ""
    assert out.loc[hidden, ["estimate", "boot_se", "ci_low", "ci_high"]].isna().all().all()
    assert out.loc[~hidden, "estimate"].tolist() == [60.0, 55.0, 0.3]
