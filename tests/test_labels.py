"""Value labels checked against the crosswalk: country codes too, and codes a file leaves
unlabelled that nobody uses are accepted with a warning (issue 15)."""

from __future__ import annotations

import numpy as np
import pyreadstat
import pytest
from layouts.build import FACTS, facts_frame, layout_frame, load_layout, write_layout_sav

from abs_trust.errors import CrosswalkMismatchError
from abs_trust.harmonize.crosswalk import load_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from conftest import ROOT, w3_frame, write_w3_like

CW = load_crosswalk(ROOT / "config" / "crosswalk.yaml")


def write_with_labels(wave, path, raw, **replace):
    """Write a `facts_frame` with the wave's labels, some variables' labels replaced."""
    labels = {name: dict(vl) for name, _, vl in FACTS[wave] if vl and name in raw}
    labels.update(replace)
    pyreadstat.write_sav(
        raw,
        str(path),
        variable_value_labels={k: {float(c): t for c, t in v.items()} for k, v in labels.items()},
    )
    return path


def test_a_country_code_labelled_as_another_country_is_refused(tmp_path):
    raw = w3_frame(n=40)
    path = tmp_path / "w3.sav"
    write_w3_like(path, raw)
    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)
    labels = dict(meta.variable_value_labels)
    labels["country"] = {4.0: "Japan", 7.0: "Taiwan"}  # code 4 is China in the crosswalk
    pyreadstat.write_sav(raw, str(path), variable_value_labels=labels)
    with pytest.raises(CrosswalkMismatchError) as err:
        ingest_wave([str(path)], CW.wave("W3"), CW, ["china"])
    message = str(err.value)
    assert "w3.sav" in message and "'country'" in message
    assert "code 4 is labelled 'Japan', expected 'china'" in message


def test_real_country_labels_pass(tmp_path):
    # the real dictionaries: "Mainland China" (W1), "HongKong" and "East Timor" (W6)
    w6 = load_layout("W6")
    n = 40
    raw = layout_frame(w6, n, seed=3, COUNTRY=[17] * n, IDNUMBER=np.arange(1, n + 1),
                       YEAR=[2022] * n, SE3_1=np.full(n, 40.0))  # fmt: skip
    path = write_layout_sav(w6, tmp_path / "W6_17_Timor.sav", raw)
    frame, meta = ingest_wave([str(path)], CW.wave("W6"), CW, "all")
    assert set(frame["country"]) == {"timor_leste"}
    assert not [w for w in meta["label_warnings"] if "country" in w]
    w1 = load_layout("W1")
    raw = layout_frame(w1, n, seed=4, idnumber=np.arange(1, n + 1))
    path = write_layout_sav(w1, tmp_path / "Wave1.sav", raw)
    frame, meta = ingest_wave([str(path)], CW.wave("W1"), CW, "all")
    w1_slugs = {1: "japan", 2: "hong_kong", 3: "korea", 4: "china", 5: "mongolia",
                6: "philippines", 7: "taiwan", 8: "thailand"}  # fmt: skip
    assert set(frame["country"]) == {w1_slugs[int(c)] for c in raw["country"]}
    assert not [w for w in meta["label_warnings"] if "country" in w]


def test_unlabelled_unused_code_is_accepted_with_a_warning(tmp_path):
    # a W5 gender variable without the "Other" label, and no respondent coded 3
    raw = facts_frame("W5", 60, [4], seed=41)
    raw.loc[raw["SE2"] == 3, "SE2"] = 1.0
    path = write_with_labels(
        "W5", tmp_path / "w5.sav", raw, SE2={-1: "Missing", 1: "Male", 2: "Female"}
    )
    frame, meta = ingest_wave([str(path)], CW.wave("W5"), CW, ["china"])
    assert len(frame) == 60
    (warning,) = [w for w in meta["label_warnings"] if "'SE2'" in w]
    assert "3 ('other')" in warning and "no respondent uses" in warning


def test_unlabelled_code_that_is_used_is_refused(tmp_path):
    raw = facts_frame("W5", 60, [4], seed=41)
    raw.loc[0, "SE2"] = 3.0
    path = write_with_labels(
        "W5", tmp_path / "w5.sav", raw, SE2={-1: "Missing", 1: "Male", 2: "Female"}
    )
    with pytest.raises(CrosswalkMismatchError, match=r"'SE2'.*code 3 has no label but is used"):
        ingest_wave([str(path)], CW.wave("W5"), CW, ["china"])


def test_w1_urban_without_no_registration_label(tmp_path):
    w1 = load_layout("W1")
    n = 40
    raw = layout_frame(w1, n, seed=5, idnumber=np.arange(1, n + 1))
    raw["level3"] = np.where(np.arange(n) % 2, 1.0, 2.0)  # nobody "no registration"
    w1["value_labels"]["level3"] = {"1": "urban", "2": "rural"}
    path = write_layout_sav(w1, tmp_path / "Wave1.sav", raw)
    _, meta = ingest_wave([str(path)], CW.wave("W1"), CW, "all")
    assert any("'level3'" in w and "3 ('no registration')" in w for w in meta["label_warnings"])


def test_a_relabelled_code_is_still_refused_when_unused(tmp_path):
    raw = facts_frame("W5", 60, [4], seed=41)
    raw.loc[raw["SE2"] == 3, "SE2"] = 1.0
    path = write_with_labels(
        "W5", tmp_path / "w5.sav", raw,
        SE2={-1: "Missing", 1: "Male", 2: "Female", 3: "Decline"},
    )  # fmt: skip
    with pytest.raises(CrosswalkMismatchError, match=r"code 3 is labelled 'Decline'"):
        ingest_wave([str(path)], CW.wave("W5"), CW, ["china"])
