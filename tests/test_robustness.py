"""Bad input never yields a wrong table: fuzzed files and codes give a clean error or valid data."""

import faulthandler
import sys
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from abs_trust.errors import AbsTrustError, CrosswalkMismatchError, InputFileError
from abs_trust.harmonize.crosswalk import INSTITUTIONS, load_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from abs_trust.harmonize.recode import harmonize
from abs_trust.readers.release import read_release
from abs_trust.stats.shares import coverage_table, trust_table
from conftest import ROOT, w3_frame, write_w3_like

CW = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
SPEC = CW.wave("W3")


@pytest.fixture(scope="module")
def good_file(tmp_path_factory) -> bytes:
    path = write_w3_like(tmp_path_factory.mktemp("fuzz") / "good.sav", w3_frame(n=40, seed=9))
    return path.read_bytes()


@pytest.fixture(scope="module")
def no_dump_of_expected_crashes():
    """Keep the expected ReadStat crashes out of the test log.

    Some fuzzed files crash ReadStat (C) in the forked reader, which is what `read_release`
    turns into an `InputFileError`. The child inherits pytest's faulthandler, which would
    print "Fatal Python error: Segmentation fault" and a traceback into the log of a passing
    run. The workflow's jobs do not enable faulthandler, so they print nothing of the kind.
    """
    enabled = faulthandler.is_enabled()
    faulthandler.disable()
    yield
    if enabled:
        faulthandler.enable(file=sys.__stderr__)


# Derandomized so CI runs the same examples every time; hypothesis runs and a 3,000-file run
# of the same mutations found the ReadStat crash and the 7.4e19 "code" now guarded against.
@settings(
    max_examples=100,
    deadline=10_000,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(
    flips=st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    cut=st.one_of(st.none(), st.floats(0.0, 1.0)),
)
def test_corrupted_bytes_give_a_clean_error_or_valid_data(
    tmp_path, good_file, no_dump_of_expected_crashes, flips, cut
):
    data = bytearray(good_file)
    for position, value in flips:
        data[position % len(data)] = value
    if cut is not None:
        data = data[: int(len(data) * cut)]
    path = tmp_path / "fuzzed.sav"
    path.write_bytes(bytes(data))
    try:
        release = read_release(path, SPEC.variables())
        frame = harmonize(release.data, SPEC, CW, str(path))
    except AbsTrustError as exc:
        assert "fuzzed.sav" in str(exc)  # the message names the file
        return
    # Whatever survived corruption still honours the contract: codes on the scale or <NA>.
    trust = frame.filter(like="trust_")
    assert trust.stack().between(1, 4).all()
    assert frame["female"].dropna().isin([0, 1]).all()


def test_six_points_where_four_are_declared_is_refused(tmp_path):
    six = {1: "Trust fully", 2: "Trust a lot", 3: "Trust somewhat", 4: "Distrust somewhat",
           5: "Distrust a lot", 6: "Distrust fully", -1: "Missing", 97: "Do not understand",
           98: "Can't choose", 99: "Decline to answer"}  # fmt: skip
    path = write_w3_like(tmp_path / "w5like.sav", w3_frame(n=20), trust_labels=six)
    with pytest.raises(CrosswalkMismatchError) as err:
        ingest_wave([str(path)], SPEC, CW, ["china"])
    assert "'q7'" in str(err.value) and "'Trust fully'" in str(err.value)


def test_a_five_in_a_four_point_item_lists_codes_and_counts(tmp_path):
    raw = w3_frame(n=30)
    raw.loc[[0, 1, 2], "q19"] = 5.0
    path = write_w3_like(tmp_path / "w3.sav", raw)
    with pytest.raises(CrosswalkMismatchError) as err:
        ingest_wave([str(path)], SPEC, CW, ["china"])
    assert "'q19'" in str(err.value) and "5 (3 rows)" in str(err.value)


def test_item_with_only_nonresponse_is_not_asked(tmp_path):
    raw = w3_frame(n=40)
    raw["q7"] = 9.0  # like W2 China's executive item: every answer "decline"
    frame, _ = ingest_wave([str(write_w3_like(tmp_path / "w.sav", raw))], SPEC, CW, ["china"])
    table = trust_table(frame, INSTITUTIONS, [3, 4], {"china": 2011})
    assert "executive" not in set(table["institution"])
    coverage = coverage_table(frame, INSTITUTIONS, dict(SPEC.items), {"china": 2011})
    row = coverage[coverage["institution"] == "executive"].iloc[0]
    assert not row["asked"] and row["nonresponse_share"] == 1.0 and "not asked" in row["note"]


def test_raw_file_is_opened_read_only(tmp_path):
    path = write_w3_like(tmp_path / "w3.sav", w3_frame(n=20))
    path.chmod(0o444)  # a read-only file must still be readable: nothing opens it for writing
    release = read_release(path, ["q15"])
    assert release.n_rows == 20


def test_not_a_file(tmp_path):
    (tmp_path / "dir.sav").mkdir()
    with pytest.raises(InputFileError, match="dir.sav"):
        read_release(tmp_path / "dir.sav", ["q15"])


def test_csv_renamed_to_sav_is_refused(tmp_path):
    path = tmp_path / "export.sav"
    pd.DataFrame({"q15": [1, 2]}).to_csv(path, index=False)
    with pytest.raises(InputFileError, match="export.sav"):
        read_release(path, ["q15"])


def test_stata_file_named_sav(tmp_path):
    pyreadstat.write_dta(pd.DataFrame({"q15": [1.0, 2.0]}), str(tmp_path / "x.dta"))
    path = tmp_path / "x.sav"
    path.write_bytes(Path(tmp_path / "x.dta").read_bytes())
    with pytest.raises(InputFileError, match="another format renamed"):
        read_release(path, ["q15"])


def test_a_reader_crash_among_several_files_names_the_file(tmp_path, monkeypatch):
    """A wave's files share one forked reader; if ReadStat crashes in it, the error still
    names the file (found by reading each file in its own child)."""
    import os

    from abs_trust.readers import release as readers

    paths = [
        write_w3_like(tmp_path / f"{name}.sav", w3_frame(n=20, seed=k))
        for k, name in enumerate(["first", "crashes", "last"])
    ]
    real = readers._read_release

    def crash_on(path, variables, encoding):
        if "crashes" in str(path):
            os._exit(139)  # the reader process dies, as on a segfault in C (without the dump)
        return real(path, variables, encoding)

    monkeypatch.setattr(readers, "_read_release", crash_on)
    with pytest.raises(InputFileError) as err:
        readers.read_releases(paths, SPEC.variables())
    assert str(err.value).startswith(f"{paths[1]}: the SPSS/Stata reader crashed")

    monkeypatch.setattr(readers, "_read_release", real)
    together = readers.read_releases(paths, SPEC.variables())
    for path, release in zip(paths, together, strict=True):
        alone = read_release(path, SPEC.variables())
        pd.testing.assert_frame_equal(release.data, alone.data)
        assert (release.path, release.sha256, release.value_labels) == (
            alone.path, alone.sha256, alone.value_labels,
        )  # fmt: skip
