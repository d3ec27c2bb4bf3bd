from pathlib import Path

import pandas as pd
import pyreadstat
import pytest

from abs_trust.errors import CrosswalkMismatchError, InputFileError
from abs_trust.readers.columns import sha256sum
from abs_trust.readers.release import read_release
from conftest import w3_frame, write_w3_like

WANTED = ["country", "idnumber", "q15", "q19", "se2"]


def test_reads_only_wanted_columns_as_codes_with_labels(tmp_path):
    path = write_w3_like(tmp_path / "w3.sav", w3_frame(n=30))
    release = read_release(path, WANTED)
    assert list(release.data.columns) == WANTED
    assert release.n_rows == 30
    assert release.value_labels["q19"][1.0] == "A great deal of trust"
    assert release.data["q19"].isin([1, 2, 3, 4, 7, 8, 9, -1]).all()  # codes, not labels


def test_names_match_case_insensitively(tmp_path):
    path = write_w3_like(tmp_path / "w6like.sav", w3_frame(n=10), upper=True)
    release = read_release(path, WANTED)
    assert list(release.data.columns) == WANTED
    assert "q19" in release.value_labels


def test_declared_user_missing_codes_are_kept(tmp_path):
    frame = w3_frame(n=20)
    frame.loc[0, "q19"] = 8
    path = tmp_path / "declared.sav"
    pyreadstat.write_sav(frame, str(path), missing_ranges={"q19": [-1, {"lo": 7, "hi": 9}]})
    release = read_release(path, ["q19"])
    assert release.data.loc[0, "q19"] == 8  # not NaN: the crosswalk decides what 8 means
    assert "q19" in release.missing_ranges


def test_stata_files_are_read(tmp_path):
    frame = w3_frame(n=12).drop(columns=["ir9"])
    path = tmp_path / "w4.dta"
    pyreadstat.write_dta(frame, str(path))
    assert read_release(path, ["q15", "country"]).n_rows == 12


def test_missing_variable_is_named_before_reading_data(tmp_path):
    path = write_w3_like(tmp_path / "w3.sav", w3_frame(n=5).drop(columns=["q19"]))
    with pytest.raises(CrosswalkMismatchError, match=r"\['q19'\]"):
        read_release(path, WANTED)


def test_missing_file(tmp_path):
    with pytest.raises(InputFileError, match="file not found"):
        read_release(tmp_path / "nope.sav", WANTED)


@pytest.mark.parametrize("make", ["random", "truncated", "renamed_dta"])
def test_corrupt_or_mislabelled_files_give_a_clear_error(tmp_path, make):
    good = write_w3_like(tmp_path / "good.sav", w3_frame(n=200))
    bad = tmp_path / "bad.sav"
    if make == "random":
        bad.write_bytes(bytes(range(256)) * 50)
    elif make == "truncated":
        data = good.read_bytes()
        bad.write_bytes(data[: len(data) // 2])
    else:
        pyreadstat.write_dta(w3_frame(n=5).drop(columns=["ir9"]), str(tmp_path / "x.dta"))
        bad.write_bytes((tmp_path / "x.dta").read_bytes())
    with pytest.raises(InputFileError, match="bad.sav"):
        read_release(bad, WANTED)


def test_unsupported_extension(tmp_path):
    path = tmp_path / "w3.xlsx"
    path.write_text("x")
    with pytest.raises(InputFileError, match="unsupported file type"):
        read_release(path, WANTED)


def test_reading_never_modifies_the_file(tmp_path):
    path = write_w3_like(tmp_path / "w3.sav", w3_frame(n=30))
    before, mtime = sha256sum(path), Path(path).stat().st_mtime_ns
    read_release(path, WANTED)
    assert sha256sum(path) == before and Path(path).stat().st_mtime_ns == mtime


def test_dates_come_back_as_datetimes(tmp_path):
    path = write_w3_like(tmp_path / "w3.sav", w3_frame(n=8))
    data = read_release(path, ["ir9"]).data
    assert pd.api.types.is_datetime64_any_dtype(data["ir9"])
