"""Harmonization provenance (harmonize/provenance.py): the table rebuilds the harmonized frame."""

from __future__ import annotations

import pandas as pd
import pyreadstat
import pytest

from abs_trust.config import read_yaml
from abs_trust.harmonize.crosswalk import parse_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from abs_trust.harmonize.provenance import nonresponse_class, provenance_table
from conftest import ROOT, W3_TRUST_LABELS, w3_frame, write_w3_like

CROSSWALK = parse_crosswalk(read_yaml(ROOT / "config/crosswalk.yaml"), "crosswalk")


def _ingest(files, wave, countries="all"):
    read = []
    frame, _ = ingest_wave([str(f) for f in files], CROSSWALK.wave(wave), CROSSWALK, countries,
                           on_releases=read.extend)  # fmt: skip
    return frame, provenance_table(read, CROSSWALK.wave(wave), CROSSWALK, countries)


def _check_rebuilds(frame, table):
    """Per country and variable: the counts of each harmonized value and of <NA>."""
    for (country, variable), rows in table.groupby(["country", "variable"]):
        column = frame.loc[frame["country"] == country, variable]
        assert rows["n"].sum() == len(column), (country, variable)
        assert rows.loc[rows["becomes"] == "<NA>", "n"].sum() == column.isna().sum()
        values = rows[~rows["becomes"].isin(["<NA>", "value (as is)"])]
        if len(values):
            rebuilt = values.groupby(values["becomes"].astype(int))["n"].sum()
            observed = column.dropna().astype(int).value_counts()
            assert rebuilt[rebuilt > 0].sort_index().to_dict() == observed.sort_index().to_dict()
        ranged = rows[rows["becomes"] == "value (as is)"]
        if len(ranged):
            assert ranged["n"].sum() == column.notna().sum()


@pytest.mark.parametrize("wave", ["W3", "W4"])
def test_fixture_counts_rebuild_the_harmonized_frame(wave):
    frame, table = _ingest([ROOT / f"data/fixture/{wave}_china_synthetic.sav"], wave)
    _check_rebuilds(frame, table)
    courts = table[table["variable"] == "trust_courts"]
    assert courts["source_variable"].iloc[0] == "q8"
    assert courts["direction"].iloc[0] == "descending" and courts["scale_points"].iloc[0] == 4
    assert "trusting = top 2 of 4" in courts["rule"].iloc[0]
    # every labelled code has its row, what it became and its label from the file
    assert set(courts["source_code"]) >= {"1", "2", "3", "4", "7", "8", "9", "-1"}
    assert courts.set_index("source_code").loc["1", "becomes"] == "4"
    assert courts.set_index("source_code").loc["9", "nonresponse_class"] == "refused"
    assert courts.set_index("source_code").loc["8", "nonresponse_class"] == "don't know"
    # each source variable's label is the file's own, as its dictionary gives it
    _, dictionary = pyreadstat.read_sav(
        str(ROOT / f"data/fixture/{wave}_china_synthetic.sav"), metadataonly=True
    )
    labelled = table.drop_duplicates("source_variable").set_index("source_variable")
    for variable, label in labelled["source_label"].items():
        assert label == (dictionary.column_names_to_labels[variable] or ""), variable
    assert labelled.loc["q8", "source_label"]  # the fixture labels its items


def test_two_countries_not_asked_and_unlabelled(tmp_path):
    data = w3_frame(80, seed=3)
    data.loc[data["country"] == 7, "q19"] = 8.0  # Taiwan: NGOs all "can't choose"
    path = write_w3_like(tmp_path / "w3.sav", data)
    frame, table = _ingest([path], "W3")
    _check_rebuilds(frame, table)
    ngos = table[(table["variable"] == "trust_ngos") & (table["country"] == "taiwan")]
    assert set(ngos.loc[ngos["becomes"] == "<NA>", "nonresponse_class"]) == {"not asked"}
    assert ngos.loc[ngos["source_code"] == "8", "n"].item() == 10
    assert set(table["country"]) == {"china", "taiwan"}
    assert W3_TRUST_LABELS[3] in set(table["code_label"])  # the file's own (garbled) label


def test_nonresponse_classes_from_labels():
    assert nonresponse_class("Can't choose") == "don't know"
    assert nonresponse_class("Decline to answer") == "refused"
    assert nonresponse_class("No Answer") == "refused"
    assert nonresponse_class("Not applicable") == "not applicable"
    assert nonresponse_class("Mssing") == "missing"
    assert nonresponse_class(None) == "missing"


def test_no_respondent_rows():
    frame, table = _ingest([ROOT / "data/fixture/W4_china_synthetic.sav"], "W4")
    assert len(table) < 200 and "respondent_id" not in table.columns
    assert isinstance(table, pd.DataFrame)
