import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from abs_trust.errors import CrosswalkMismatchError, DataError
from abs_trust.harmonize.crosswalk import Concept, load_crosswalk
from abs_trust.harmonize.recode import (
    as_codes,
    check_unique_ids,
    harmonize,
    recode,
    select_countries,
)
from conftest import ROOT, w3_frame

CW = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
TRUST = CW.wave("W3").trust_concept("ngos")


def test_w3_trust_is_reversed_and_nonresponse_set_missing():
    raw = pd.Series([1.0, 2.0, 3.0, 4.0, 7.0, 8.0, 9.0, -1.0, np.nan])
    values, nonresponse = recode(raw, TRUST, "f.sav")
    assert values.tolist()[:4] == [4, 3, 2, 1]
    assert values.iloc[4:].isna().all()
    assert nonresponse.tolist() == [False] * 4 + [True] * 5


def test_stray_code_is_refused_with_counts():
    raw = pd.Series([1.0, 5.0, 5.0, 6.0, 2.0])
    with pytest.raises(CrosswalkMismatchError) as err:
        recode(raw, TRUST, "f.sav")
    message = str(err.value)
    assert "'q19'" in message and "5 (2 rows)" in message and "6 (1 rows)" in message


def test_non_integer_codes_are_refused():
    with pytest.raises(CrosswalkMismatchError, match="not integer codes"):
        as_codes(pd.Series([1.0, 2.5]), "q19", "f.sav")


def test_age_range_and_nonresponse():
    age = Concept(name="age", variable="se3a", valid_range=(15, 110), nonresponse=(-1,))
    values, _ = recode(pd.Series([18.0, 99.0, -1.0]), age, "f.sav")
    assert values.tolist()[:2] == [18, 99] and pd.isna(values.iloc[2])
    with pytest.raises(CrosswalkMismatchError, match="999"):
        recode(pd.Series([18.0, 999.0]), age, "f.sav")


def test_harmonize_w3_layout_matches_independent_expectation():
    raw = w3_frame(n=40, seed=3)
    out = harmonize(raw, CW.wave("W3"), CW, "f.sav")
    # Expected, computed here from the codebook (W3: 5 - x on 1..4, else missing).
    expected = raw["q15"].where(raw["q15"].isin([1, 2, 3, 4])).map(lambda x: 5 - x)
    got = out["trust_local_government"].astype("float64")
    pd.testing.assert_series_equal(got, expected.astype("float64"), check_names=False)
    assert (out.loc[raw["level3"] == 1, "urban"] == 1).all()
    assert (out.loc[raw["level3"] == 2, "urban"] == 0).all()
    assert out.loc[raw["level3"] == -1, "urban"].isna().all()
    assert (out["female"].astype("float64") == (raw["se2"] == 2).astype(float)).all()
    assert set(out["country"]) == {"china", "taiwan"}
    assert (out["year"] == 2011).all()
    assert out["trust_local_government"].dtype == "Int8"


def test_unknown_country_code_is_refused():
    raw = w3_frame(n=20)
    raw.loc[0, "country"] = 99
    with pytest.raises(CrosswalkMismatchError, match="99"):
        harmonize(raw, CW.wave("W3"), CW, "f.sav")


def test_configured_country_absent_from_a_wave_is_skipped_and_named():
    # ABS waves differ in coverage (no W1 has Vietnam): a wave without a configured country
    # is not refused; the country is skipped there and named (the coverage table says so).
    frame = harmonize(w3_frame(n=20), CW.wave("W3"), CW, "f.sav")
    kept, absent = select_countries(frame, ["china", "korea"], "W3", ["f.sav"])
    assert set(kept["country"]) == {"china"} and absent == ["korea"]
    kept, absent = select_countries(frame, ["china"], "W3", ["f.sav"])
    assert set(kept["country"]) == {"china"} and absent == []
    kept, absent = select_countries(frame, "all", "W3", ["f.sav"])
    assert set(kept["country"]) == {"china", "taiwan"} and absent == []


def test_duplicate_ids_are_an_error():
    raw = w3_frame(n=20)
    raw.loc[1, "idnumber"] = raw.loc[0, "idnumber"]
    frame = harmonize(raw, CW.wave("W3"), CW, "f.sav")
    with pytest.raises(DataError, match="share a respondent id"):
        check_unique_ids(frame, "W3", ["f.sav"])


def test_declared_repeats_pass_only_in_their_country_and_up_to_their_count():
    raw = w3_frame(n=20)  # rows 0-9 China (4), 10-19 Taiwan (7)
    raw.loc[[1, 9], "idnumber"] = 1.0  # rows 0, 1 and 9 (China) share id 1: two repeats
    frame = harmonize(raw, CW.wave("W3"), CW, "f.sav")
    assert check_unique_ids(frame, "W3", ["f.sav"], {"china": 2}) == {"china": 2, "taiwan": 0}
    assert check_unique_ids(frame, "W3", ["f.sav"], {"china": 5})["china"] == 2
    with pytest.raises(DataError, match="accepts 1 in china"):
        check_unique_ids(frame, "W3", ["f.sav"], {"china": 1})
    with pytest.raises(DataError, match=r"china/1"):
        check_unique_ids(frame, "W3", ["f.sav"], {"taiwan": 2})  # declared elsewhere
    assert check_unique_ids(harmonize(w3_frame(n=20), CW.wave("W3"), CW, "f.sav"), "W3",
                            ["f.sav"]) == {"china": 0, "taiwan": 0}  # fmt: skip


@given(st.lists(st.sampled_from([-1, 1, 2, 3, 4, 7, 8, 9]), min_size=1, max_size=50))
def test_valid_and_nonresponse_codes_never_leave_the_scale(codes):
    values, nonresponse = recode(pd.Series(codes, dtype="float64"), TRUST, "f.sav")
    kept = values.dropna()
    assert kept.between(1, 4).all()
    # one-to-one on valid codes: the raw code is recoverable as 5 - level
    raw_valid = [c for c in codes if c in (1, 2, 3, 4)]
    assert list(5 - kept) == raw_valid
    assert int(nonresponse.sum()) == len(codes) - len(raw_valid)


@given(st.lists(st.integers(-5, 120), min_size=1, max_size=30))
def test_any_code_outside_the_declared_sets_is_refused(codes):
    allowed = {-1, 1, 2, 3, 4, 7, 8, 9}
    series = pd.Series(codes, dtype="float64")
    if set(codes) <= allowed:
        recode(series, TRUST, "f.sav")
    else:
        with pytest.raises(CrosswalkMismatchError):
            recode(series, TRUST, "f.sav")


def test_codes_too_large_for_an_integer_are_refused():
    # found by the fuzzing test: one corrupted byte turned a code into 7.4e19
    with pytest.raises(CrosswalkMismatchError, match="not integer codes"):
        as_codes(pd.Series([1.0, 7.378697629483821e19]), "q7", "f.sav")
