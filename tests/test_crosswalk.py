import copy

import pytest

from abs_trust.config import read_yaml
from abs_trust.errors import ConfigError, CrosswalkMismatchError
from abs_trust.harmonize.crosswalk import Concept, load_crosswalk, parse_crosswalk, wave_entry
from abs_trust.harmonize.label_checks import check_value_labels
from conftest import ROOT, W1_TRUST_LABELS, W3_TRUST_LABELS

RAW = read_yaml(ROOT / "config" / "crosswalk.yaml")


def test_shipped_crosswalk_loads_with_the_codebook_facts():
    cw = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
    w3, w4 = cw.wave("W3"), cw.wave("W4")
    # abs_codebook.md §1a/§2: NGOs q19, local government q15; income se13 (W3) vs se14 (W4).
    assert w3.items["ngos"] == "q19" and w3.items["local_government"] == "q15"
    assert w3.demographics["income"].variable == "se13"
    assert w4.demographics["income"].variable == "se14"
    assert w3.weight_variable == "allweight" and w4.weight_variable == "w"
    # W3/W4 run 1 = a great deal ... 4 = none: reversed onto 4 ... 1, top two are trusting.
    assert dict(w3.scale.recode) == {1: 4, 2: 3, 3: 2, 4: 1}
    assert w3.scale.trusting_levels == (3, 4)
    # W4's `level` is reversed relative to W3's `level3`.
    assert dict(w3.demographics["urban"].recode) == {1: 1, 2: 0}
    assert dict(w4.demographics["urban"].recode) == {1: 0, 2: 1}
    assert cw.countries[4] == "china"


def test_an_entry_checked_at_parse_time_types_the_same_without_the_schema():
    # the wave jobs skip the JSON Schema the workflow already applied (schema_checked=True)
    for wave in RAW["waves"]:
        entry = wave_entry(RAW, wave)
        fast = parse_crosswalk(copy.deepcopy(entry), "crosswalk.yaml", schema_checked=True)
        assert fast == parse_crosswalk(copy.deepcopy(entry), "crosswalk.yaml")
        assert (
            fast.wave(wave).variables()
            == load_crosswalk(ROOT / "config" / "crosswalk.yaml").wave(wave).variables()
        )


def test_unknown_key_is_named():
    raw = copy.deepcopy(RAW)
    raw["waves"]["W3"]["trust"]["scael"] = "trust4_descending"
    with pytest.raises(ConfigError, match="scael"):
        parse_crosswalk(raw, "crosswalk.yaml")


def test_unknown_institution_is_named():
    raw = copy.deepcopy(RAW)
    raw["waves"]["W4"]["trust"]["items"]["local_govt"] = "q15"
    with pytest.raises(ConfigError, match="local_govt"):
        parse_crosswalk(raw, "crosswalk.yaml")


def test_code_both_valid_and_nonresponse_is_refused():
    raw = copy.deepcopy(RAW)
    raw["waves"]["W3"]["trust"]["nonresponse"] = [-1, 4, 8]
    with pytest.raises(ConfigError, match=r"\[4\] are valid answers"):
        parse_crosswalk(raw, "crosswalk.yaml")


def test_known_duplicates_name_known_countries_and_positive_counts():
    raw = copy.deepcopy(RAW)
    raw["waves"]["W3"]["respondent_id"]["known_duplicates"] = {"atlantis": 2}
    with pytest.raises(ConfigError, match=r"W3/respondent_id/known_duplicates.*atlantis"):
        parse_crosswalk(raw, "crosswalk.yaml")
    raw["waves"]["W3"]["respondent_id"]["known_duplicates"] = {"china": 0}
    with pytest.raises(ConfigError, match="known_duplicates"):
        parse_crosswalk(raw, "crosswalk.yaml")
    # the shipped crosswalk declares the W5 release's 2 repeated Hong Kong ids, nothing else
    declared = {w: dict(load_crosswalk(ROOT / "config" / "crosswalk.yaml").wave(w)
                        .known_duplicate_ids) for w in RAW["waves"]}  # fmt: skip
    assert declared == {w: ({"hong_kong": 2} if w == "W5" else {}) for w in RAW["waves"]}


def test_unknown_scale_and_wave_are_named():
    raw = copy.deepcopy(RAW)
    raw["waves"]["W3"]["trust"]["scale"] = "six_point"
    with pytest.raises(ConfigError, match="six_point"):
        parse_crosswalk(raw, "crosswalk.yaml")
    with pytest.raises(ConfigError, match="W9"):
        load_crosswalk(ROOT / "config" / "crosswalk.yaml").wave("W9")


def test_labels_matching_the_scale_pass():
    concept = load_crosswalk(ROOT / "config" / "crosswalk.yaml").wave("W3").trust_concept("ngos")
    # pyreadstat reports numeric value-label keys as floats
    check_value_labels(concept, {float(k): v for k, v in W3_TRUST_LABELS.items()}, "f.sav")


def test_reversed_scale_is_caught_and_named():
    concept = load_crosswalk(ROOT / "config" / "crosswalk.yaml").wave("W3").trust_concept("ngos")
    with pytest.raises(CrosswalkMismatchError) as err:
        check_value_labels(concept, {float(k): v for k, v in W1_TRUST_LABELS.items()}, "f.sav")
    message = str(err.value)
    assert "f.sav" in message and "'q19'" in message
    assert "code 1 is labelled 'None at all'" in message


def test_missing_labels_are_an_error_when_labels_are_expected():
    concept = Concept(name="female", variable="se2", recode={1: 0, 2: 1}, labels={1: "male"})
    with pytest.raises(CrosswalkMismatchError, match="no value labels"):
        check_value_labels(concept, None, "f.sav")
