import copy
import json

import numpy as np
import pandas as pd
import pytest

from abs_trust.config import read_yaml
from abs_trust.errors import CrosswalkMismatchError, DataError
from abs_trust.harmonize.crosswalk import load_crosswalk, parse_crosswalk
from abs_trust.harmonize.ingest import ingest_wave, read_wave, write_wave
from conftest import ROOT, W1_TRUST_LABELS, w3_frame, write_w3_like

CW = load_crosswalk(ROOT / "config" / "crosswalk.yaml")


def test_ingest_w3_layout_end_to_end(tmp_path):
    raw = w3_frame(n=60, seed=5)
    path = write_w3_like(tmp_path / "w3.sav", raw)
    frame, meta = ingest_wave([str(path)], CW.wave("W3"), CW, ["china"])
    china = raw[raw["country"] == 4].reset_index(drop=True)
    assert len(frame) == len(china) == 50
    expected = china["q19"].where(china["q19"].between(1, 4)).map(lambda x: 5 - x)
    assert frame["trust_ngos"].astype("float64").equals(expected.astype("float64"))
    # w3_frame draws allweight from a uniform: it varies, so weighted estimates are made
    assert meta["countries"] == {
        "china": {
            "respondents": 50,
            "year": 2011,
            "weight_varies": True,
            "weight_missing": False,
            "rows_repeating_an_id": 0,
        }
    }
    assert meta["synthetic"] is False
    assert meta["scale"]["trusting_levels"] == [3, 4]
    parquet, sidecar = tmp_path / "W3.parquet", tmp_path / "W3.json"
    write_wave(frame, meta, parquet, sidecar)
    back, meta_back = read_wave(parquet, sidecar)
    pd.testing.assert_frame_equal(back, frame)
    assert meta_back == json.loads(json.dumps(meta))


def test_several_files_make_one_wave(tmp_path):
    a = w3_frame(n=30, seed=1)
    b = w3_frame(n=30, seed=2).assign(idnumber=lambda d: d["idnumber"] + 1000)
    files = [write_w3_like(tmp_path / "a.sav", a), write_w3_like(tmp_path / "b.sav", b)]
    frame, meta = ingest_wave([str(f) for f in files], CW.wave("W3"), CW, "all")
    assert len(frame) == 60 and len(meta["sources"]) == 2
    # harmonized together = each file harmonized alone, stacked (values, dtypes, order)
    alone = [ingest_wave([str(f)], CW.wave("W3"), CW, "all")[0] for f in files]
    pd.testing.assert_frame_equal(frame, pd.concat(alone, ignore_index=True))


def test_a_bad_code_in_one_of_several_files_names_that_file(tmp_path):
    good = w3_frame(n=30, seed=1)
    bad = w3_frame(n=30, seed=2).assign(idnumber=lambda d: d["idnumber"] + 1000)
    bad.loc[3, "q19"] = 5  # not on the four-point scale, nor a nonresponse code
    files = [write_w3_like(tmp_path / "good.sav", good), write_w3_like(tmp_path / "bad.sav", bad)]
    with pytest.raises(CrosswalkMismatchError) as err:
        ingest_wave([str(f) for f in files], CW.wave("W3"), CW, "all")
    message = str(err.value)
    assert message.startswith(f"{files[1]}: variable 'q19'") and "good.sav" not in message


def test_ids_the_crosswalk_declares_repeated_are_kept_and_counted(tmp_path):
    # W5's release repeats 2 Hong Kong ids; here a W3-layout file repeats 2 China ids
    raw = w3_frame(n=60, seed=5)
    raw.loc[[48, 49], "idnumber"] = raw.loc[[0, 1], "idnumber"].to_numpy()  # rows 0-49: China
    path = write_w3_like(tmp_path / "w3.sav", raw)
    with pytest.raises(DataError, match="share a respondent id"):
        ingest_wave([str(path)], CW.wave("W3"), CW, "all")
    entry = copy.deepcopy(read_yaml(ROOT / "config" / "crosswalk.yaml"))
    entry["waves"]["W3"]["respondent_id"]["known_duplicates"] = {"china": 2}
    declared = parse_crosswalk(entry, "crosswalk.yaml")
    frame, meta = ingest_wave([str(path)], declared.wave("W3"), declared, "all")
    assert len(frame) == 60  # every row kept, as the release has it
    assert frame["respondent_id"].duplicated().sum() == 2
    assert meta["countries"]["china"]["rows_repeating_an_id"] == 2
    assert meta["countries"]["taiwan"]["rows_repeating_an_id"] == 0
    # one more repeat than declared is a bad merge again, and the message says what was declared
    raw.loc[47, "idnumber"] = raw.loc[2, "idnumber"]
    path = write_w3_like(tmp_path / "w3b.sav", raw)
    with pytest.raises(DataError, match="known_duplicates accepts 2 in china"):
        ingest_wave([str(path)], declared.wave("W3"), declared, "all")


def test_reversed_file_is_refused_at_ingest(tmp_path):
    path = write_w3_like(tmp_path / "w1like.sav", w3_frame(n=20), trust_labels=W1_TRUST_LABELS)
    with pytest.raises(CrosswalkMismatchError, match="reversed or relabelled"):
        ingest_wave([str(path)], CW.wave("W3"), CW, ["china"])


def test_fixture_is_flagged_synthetic():
    files = [str(ROOT / "data" / "fixture" / "W4_china_synthetic.sav")]
    frame, meta = ingest_wave(files, CW.wave("W4"), CW, ["china"])
    assert meta["synthetic"] is True
    assert len(frame) == 4068  # abs_codebook.md §4: China W4 N
    assert meta["countries"]["china"]["year"] == 2015


def test_a_country_released_without_weights_is_analysed_unweighted(tmp_path):
    # W5: "no sampling weight information for Indonesia"; here Taiwan's weights are all sysmis
    raw = w3_frame(n=60, seed=3)
    taiwan = raw["country"] == 7
    raw.loc[taiwan, "allweight"] = np.nan
    path = write_w3_like(tmp_path / "w3.sav", raw)
    frame, meta = ingest_wave([str(path)], CW.wave("W3"), CW, "all")
    assert meta["countries"]["taiwan"] | {"respondents": 0} == {
        "respondents": 0, "year": 2011, "weight_varies": False, "weight_missing": True,
        "rows_repeating_an_id": 0,
    }  # fmt: skip
    assert meta["countries"]["china"]["weight_missing"] is False
    assert meta["countries"]["china"]["weight_varies"] is True
    assert (frame.loc[frame["country"] == "taiwan", "weight"] == 1.0).all()
    china = frame.loc[frame["country"] == "china", "weight"].to_numpy()
    np.testing.assert_allclose(china, raw.loc[raw["country"] == 4, "allweight"].to_numpy())
    # a weight missing for only some of a country's respondents is broken data, named
    raw.loc[raw.index[taiwan][0], "allweight"] = 1.2
    raw.loc[0, "allweight"] = np.nan  # China
    path = write_w3_like(tmp_path / "w3b.sav", raw)
    with pytest.raises(CrosswalkMismatchError) as err:
        ingest_wave([str(path)], CW.wave("W3"), CW, "all")
    message = str(err.value)
    assert "'allweight'" in message and "10 rows" in message
    assert "'china' (1 rows)" in message and "'taiwan' (9 rows)" in message


def test_constant_weight_is_recorded_as_not_varying(tmp_path):
    raw = w3_frame(n=30).assign(allweight=1.0)
    path = write_w3_like(tmp_path / "w3.sav", raw)
    _, meta = ingest_wave([str(path)], CW.wave("W3"), CW, ["china"])
    assert meta["countries"]["china"]["weight_varies"] is False
