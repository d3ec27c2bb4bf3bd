"""CSV releases ("CSV with a codebook") and the encoding passed to the SPSS reader."""

from __future__ import annotations

import json

import pandas as pd
import pyreadstat
import pytest
import yaml
from layouts.build import W5_TRUST

from abs_trust.config import codebook_candidates
from abs_trust.errors import CrosswalkMismatchError, InputFileError
from abs_trust.harmonize.crosswalk import load_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from abs_trust.harmonize.recode import as_codes
from abs_trust.readers import codebook as readers
from abs_trust.readers import release as release_module
from abs_trust.readers.codebook import read_codebook
from abs_trust.readers.columns import sha256sum
from abs_trust.readers.release import read_release
from conftest import ROOT

CW = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
CODEBOOK = """\
# W5-style names, written in another case than the CSV header on purpose
Q7:
  label: 7 Trust in the excutive office (president or prime minister)
  labels: {-1: Missing, 1: Trust fully, 6: Distrust fully, 97: Do not understand the question}
se2:
  labels: {"-1": Missing, "1": Male, "2": Female, "3": Other}
idnumber: {}
"""


def write_csv(tmp_path, name="w5.csv", codebook=CODEBOOK, suffix=".codebook.yaml"):
    path = tmp_path / name
    pd.DataFrame(
        {
            "COUNTRY": [4, 4, 18],
            "IDnumber": [1, 2, 3],
            "q7": [1, 97, ""],  # empty cell = system-missing
            "SE2": [1, 2, 3],
            "Q55": [0, 1, 2],  # not wanted: never read
        }
    ).to_csv(path, index=False)
    if codebook is not None:
        (tmp_path / (path.stem + suffix)).write_text(codebook, encoding="utf-8")
    return path


def test_reads_wanted_columns_with_labels_from_the_codebook(tmp_path):
    path = write_csv(tmp_path)
    release = read_release(path, ["q7", "SE2", "IDnumber"])
    assert list(release.data.columns) == ["q7", "SE2", "IDnumber"]  # crosswalk spelling
    assert release.data["q7"].tolist()[:2] == [1, 97] and pd.isna(release.data["q7"][2])
    # keys as pyreadstat gives them for .sav (floats), whatever the codebook wrote
    assert release.value_labels["q7"][6.0] == "Distrust fully"
    assert release.value_labels["SE2"] == {
        -1.0: "Missing",
        1.0: "Male",
        2.0: "Female",
        3.0: "Other",
    }
    assert "IDnumber" not in release.value_labels  # listed without labels
    assert release.n_rows == 3 and release.missing_ranges == {}
    assert release.sha256 == sha256sum(path)


def test_only_needed_columns_are_parsed(tmp_path, monkeypatch):
    path = write_csv(tmp_path)
    seen = []
    real = pd.read_csv

    def spy(*args, **kwargs):
        seen.append(kwargs.get("usecols"))
        return real(*args, **kwargs)

    monkeypatch.setattr(readers.pd, "read_csv", spy)
    read_release(path, ["q7"])
    assert seen[-1] == ["q7"]


def test_csv_is_read_in_process(tmp_path, monkeypatch):
    def no_fork(*args, **kwargs):
        raise AssertionError("a CSV needs no child process")

    monkeypatch.setattr(release_module, "ProcessPoolExecutor", no_fork)
    assert read_release(write_csv(tmp_path), ["q7"]).n_rows == 3


@pytest.mark.parametrize("suffix", [".codebook.json", ".csv.codebook.yaml"])
def test_codebook_json_and_full_name(tmp_path, suffix):
    codebook = {"q7": {"labels": {"-1": "Missing", "1": "Trust fully", "6": "Distrust fully"}}}
    text = json.dumps(codebook) if suffix.endswith("json") else CODEBOOK
    path = tmp_path / "w5.csv"
    write_csv(tmp_path, codebook=None)
    (tmp_path / ("w5" + suffix)).write_text(text, encoding="utf-8")
    release = read_release(path, ["q7"])
    assert release.value_labels["q7"][1.0] == "Trust fully"


def test_missing_codebook_names_the_expected_path(tmp_path):
    path = write_csv(tmp_path, codebook=None)
    expected = tmp_path / "w5.codebook.yaml"
    assert codebook_candidates(path)[0] == expected
    with pytest.raises(InputFileError, match=f"expected at {expected}"):
        read_release(path, ["q7"])


def test_two_codebooks_are_ambiguous(tmp_path):
    path = write_csv(tmp_path)
    (tmp_path / "w5.codebook.json").write_text("{}", encoding="utf-8")
    with pytest.raises(InputFileError, match="several codebooks"):
        read_release(path, ["q7"])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("q7:\n  lables: {1: x}\n", r"unknown keys \['lables'\]"),
        ("q7:\n  labels: {one: x}\n", "code 'one' is not a number"),
        ("- q7\n", "got a list"),
        ("q7: [1, 2]\n", "expected a mapping"),
        ("q7:\n  type: text\n", "not number or date"),
        ("q7: {labels: {1: x}\n", "cannot be read"),
    ],
)
def test_bad_codebooks_are_named(tmp_path, text, message):
    write_csv(tmp_path, codebook=text)
    with pytest.raises(InputFileError, match=message) as err:
        read_codebook(tmp_path / "w5.codebook.yaml")
    assert "w5.codebook.yaml" in str(err.value)


def test_missing_variable_is_named(tmp_path):
    with pytest.raises(CrosswalkMismatchError, match=r"\['SE3_1'\]"):
        read_release(write_csv(tmp_path), ["q7", "SE3_1"])


def test_text_in_a_code_column_is_refused_at_ingest(tmp_path):
    path = tmp_path / "w6.csv"
    frame = pd.DataFrame({"COUNTRY": [12, 12], "IDNUMBER": [1, 2], "q16": ["1", "DK"]})
    frame.to_csv(path, index=False)
    (tmp_path / "w6.codebook.yaml").write_text("q16: {}\n", encoding="utf-8")
    release = read_release(path, ["q16"])
    assert release.data["q16"].tolist() == ["1", "DK"]  # kept as read: harmonize decides
    with pytest.raises(CrosswalkMismatchError, match="'q16' holds values that are not integer"):
        as_codes(release.data["q16"], "q16", str(path))


def test_date_columns_are_parsed_when_the_codebook_says_so(tmp_path):
    path = tmp_path / "w3.csv"
    pd.DataFrame({"ir9": ["2011-05-01", "2011-06-30", ""], "q7": [1, 2, 3]}).to_csv(
        path, index=False
    )
    (tmp_path / "w3.codebook.yaml").write_text("ir9: {type: date}\n", encoding="utf-8")
    data = read_release(path, ["ir9", "q7"]).data
    assert pd.api.types.is_datetime64_any_dtype(data["ir9"])
    assert data["ir9"].dt.year.tolist()[:2] == [2011, 2011] and pd.isna(data["ir9"][2])
    (tmp_path / "w3.codebook.yaml").write_text("q7: {type: date}\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="'q7' is a date"):
        read_release(path, ["q7"])


def test_csv_encoding_is_passed_to_pandas(tmp_path):
    path = tmp_path / "w1.csv"
    path.write_bytes("country,idnumber,備註\n4,1,中文\n".encode("big5"))  # Big5 header
    (tmp_path / "w1.codebook.yaml").write_text("country: {}\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="cannot be decoded as utf-8"):
        read_release(path, ["country"])
    release = read_release(path, ["country"], encoding="big5")
    assert release.encoding == "big5" and release.data["country"].tolist() == [4]


def test_sav_encoding_is_passed_to_pyreadstat(tmp_path):
    path = tmp_path / "w1.sav"
    pyreadstat.write_sav(pd.DataFrame({"q007": [1.0, 4.0]}), str(path))
    assert read_release(path, ["q007"], encoding="big5").encoding == "big5"
    with pytest.raises(InputFileError, match="w1.sav"):
        read_release(path, ["q007"], encoding="no-such-encoding")


def test_w5_csv_release_ingests(tmp_path):
    """A W5 release exported as CSV: the six-point labels come from the codebook."""
    spec = CW.wave("W5")
    n = 6
    columns = {name: [1] * n for name in spec.variables()}
    columns.update(
        COUNTRY=[4] * n,
        IDnumber=list(range(1, n + 1)),
        Year=[2019] * n,
        w=[1.0] * n,
        SE3_1=[30] * n,
        q7=[1, 2, 3, 4, 5, 6],
        q53=[0, 97, 98, 99, -1, 1],
    )
    path = tmp_path / "W5.csv"
    pd.DataFrame(columns).rename(columns=str.upper).to_csv(path, index=False)
    labels = {
        **{item: {"labels": W5_TRUST} for item in spec.items.values()},
        "SE2": {"labels": {-1: "Missing", 1: "Male", 2: "Female", 3: "Other"}},
        "SE5": {"labels": {1: "No formal education", 10: "Post-graduate degree"}},
        "SE14": {"labels": {1: "Lowest quintile", 5: "Highest quintile"}},
        "Level": {"labels": {-1: "Missing", 1: "Rural", 2: "Urban"}},
    }
    (tmp_path / "W5.codebook.yaml").write_text(yaml.safe_dump(labels), encoding="utf-8")
    frame, _ = ingest_wave([str(path)], spec, CW, ["china"])
    assert frame["trust_executive"].tolist() == [6, 5, 4, 3, 2, 1]
    assert frame["trust_television"].isna().tolist() == [True] * 5 + [False]
    assert frame["urban"].tolist() == [0] * n  # Level 1 = Rural

    (tmp_path / "W5.codebook.yaml").unlink()
    with pytest.raises(InputFileError, match="W5.codebook.yaml"):
        ingest_wave([str(path)], spec, CW, ["china"])
