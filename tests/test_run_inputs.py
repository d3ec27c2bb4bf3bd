"""What a run reads, checked before any job starts (issue 15): exactly the configured waves,
the fixture only by default or on purpose, readable regular files, valid values, no key
given twice; and the precise message when a file cannot be read."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyreadstat
import pytest
import yaml

from abs_trust.config import (
    check_config_values,
    configured_waves,
    fixture_waves,
    paper_plan,
    plan_with_data,
    read_yaml,
    validate,
)
from abs_trust.errors import ConfigError, DataError, InputFileError
from abs_trust.harmonize.crosswalk import load_crosswalk
from abs_trust.readers.files import (
    check_release_files,
    file_stamp,
    snakemake_safe,
    unreadable_reason,
)
from abs_trust.readers.release import read_release
from conftest import ROOT

CW = load_crosswalk(ROOT / "config" / "crosswalk.yaml")
FIXTURE = {
    "W3": {"file": "data/fixture/W3_china_synthetic.sav"},
    "W4": {"file": "data/fixture/W4_china_synthetic.sav"},
}


def config(text: str) -> dict:
    """The shipped config/config.yaml with ``text`` merged over it, as Snakemake merges."""
    base = yaml.safe_load((ROOT / "config/config.yaml").read_text())
    for key, value in (yaml.safe_load(text) or {}).items():
        if isinstance(value, dict) and isinstance(base.get(key), dict):
            base[key] = {**base[key], **value}
        else:
            base[key] = value
    return validate(base, "config.schema.yaml", "test")


# --- which waves a run reads -----------------------------------------------------------------
def test_the_fixture_is_the_default_only_without_waves_of_ones_own():
    assert configured_waves(config("")) == FIXTURE
    own = config("waves: {W6: {file: a.sav}, W1: {file: b.sav}}")
    assert list(configured_waves(own)) == ["W1", "W6"]  # no W3/W4 leaks in; wave order
    both = config("waves: {W1: {file: b.sav}}\ninclude_fixture: true")
    assert list(configured_waves(both)) == ["W1", "W3", "W4"]
    dropped = config("waves: {W1: {file: b.sav}, W3: null}")
    assert list(configured_waves(dropped)) == ["W1"]


def test_mixing_the_fixture_with_other_files_needs_the_opt_in():
    mixed = config("waves: {W1: {file: b.sav}, W3: {file: data/fixture/W3_china_synthetic.sav}}")
    with pytest.raises(ConfigError, match="include_fixture: true") as err:
        fixture_waves(mixed)
    assert "W3: data/fixture/W3_china_synthetic.sav" in str(err.value)
    assert "W1: b.sav" in str(err.value)
    opted = config("waves: {W1: {file: b.sav}}\ninclude_fixture: true")
    assert fixture_waves(opted) == (["W3", "W4"], True)
    assert fixture_waves(config("")) == (["W3", "W4"], False)


def test_an_empty_waves_map_is_valid_and_null_drops_a_wave():
    validate({"waves": {}, "fixture": FIXTURE}, "config.schema.yaml", "x")
    validate({"waves": {"W3": None}}, "config.schema.yaml", "x")
    with pytest.raises(ConfigError, match="encodng"):
        validate({"waves": {"W3": {"file": "a", "encodng": "big5"}}}, "config.schema.yaml", "x")


# --- duplicate keys, values ------------------------------------------------------------------
def test_a_key_given_twice_is_refused_naming_it_and_the_file(tmp_path):
    path = tmp_path / "my.yaml"
    path.write_text("strict: true\nwaves: {}\nstrict: false\n")
    with pytest.raises(ConfigError) as err:
        read_yaml(path)
    assert str(path) in str(err.value) and "duplicate key 'strict' (line 1 and line 3)" in str(
        err.value
    )
    path.write_text("waves:\n  W3: {file: a.sav}\n  W3: {file: b.sav}\n")
    with pytest.raises(ConfigError, match="duplicate key 'W3'"):
        read_yaml(path)
    path.write_text("a: &x {p: 1}\nb:\n  <<: *x\n  p: 2\n")  # a merge key is not a duplicate
    assert read_yaml(path) == {"a": {"p": 1}, "b": {"p": 2}}


@pytest.mark.parametrize(
    ("text", "says"),
    [
        ("correlations: [[ngos, ngos]]", "correlates 'ngos' with itself"),
        ("correlations: [[ngos, courts], [courts, ngos]]", "listed twice"),
        ("weights: {W9: true}", "weights/W9: no such wave"),
        ("waves: {W1: {file: a.sav, encoding: big6}}", "'big6' is not an encoding"),
    ],
)
def test_values_the_schema_cannot_check(text, says):
    with pytest.raises(ConfigError, match=says):
        check_config_values(config(text), CW, ["W3", "W4"])


@pytest.mark.parametrize(
    "text", ["correlations: []", "correlations: [[ngos, churches]]", "correlations: [[ngos]]"]
)
def test_correlations_must_name_two_institutions(text):
    with pytest.raises(ConfigError, match="correlations"):
        config(text)


def test_table4_and_figure1_follow_the_data():
    plan = paper_plan(config(""), "table4", ["W3", "W4"], CW)
    assert plan == {"applicable": True, "country": "china", "waves": ["W3", "W4"],
                    "explicit": False, "reason": ""}  # fmt: skip
    other = paper_plan(config(""), "figure1", ["W1", "W6"], CW)
    assert not other["applicable"]
    assert other["reason"] == "this run has no W3, W4 (its waves: W1, W6)"
    taiwan_only = config("countries: [taiwan]")
    assert "china is not among" in paper_plan(taiwan_only, "table4", ["W3", "W4"], CW)["reason"]
    explicit = config("table4: {country: taiwan, waves: [W1]}\ncountries: all")
    assert paper_plan(explicit, "table4", ["W1"], CW)["applicable"]
    with pytest.raises(ConfigError, match="table4 .* cannot be drawn: this run has no W1"):
        paper_plan(explicit, "table4", ["W3"], CW)
    with pytest.raises(ConfigError, match="table4/country: .*'atlantis'"):
        paper_plan(config("table4: {country: atlantis}"), "table4", ["W3", "W4"], CW)


def test_table4_checked_against_the_data():
    plan = paper_plan(config("countries: all"), "table4", ["W3", "W4"], CW)
    metas = {"W3": {"countries": {"china": {}}}, "W4": {"countries": {"taiwan": {}}}}
    after = plan_with_data(plan, metas, "table4")
    assert not after["applicable"] and after["reason"] == "china has no respondents in W4"
    explicit = paper_plan(config("table4: {country: china}\ncountries: all"), "table4",
                          ["W3", "W4"], CW)  # fmt: skip
    with pytest.raises(DataError, match="table4: china has no respondents in W4"):
        plan_with_data(explicit, metas, "table4")


# --- files -----------------------------------------------------------------------------------
def test_every_kind_of_unreadable_path_is_named(tmp_path):
    (tmp_path / "folder.sav").mkdir()
    (tmp_path / "empty.sav").write_bytes(b"")
    (tmp_path / "dangling.sav").symlink_to(tmp_path / "gone.sav")
    assert unreadable_reason(tmp_path / "nope.sav") == "file not found"
    assert unreadable_reason(tmp_path / "folder.sav").startswith("is a directory")
    assert unreadable_reason("/dev/null") == (
        "is a character device (such as /dev/null), not a regular file"
    )
    assert unreadable_reason(tmp_path / "empty.sav") == "is empty (0 bytes)"
    assert "symbolic link to" in unreadable_reason(tmp_path / "dangling.sav")
    assert unreadable_reason(ROOT / "data/fixture/W3_china_synthetic.sav") is None
    with pytest.raises(InputFileError) as err:
        check_release_files([("W1", "/dev/null"), ("W6", str(tmp_path / "folder.sav"))])
    assert "waves/W1: /dev/null: is a character device" in str(err.value)
    assert "waves/W6" in str(err.value) and "is a directory" in str(err.value)
    for path in ("/dev/null", tmp_path / "folder.sav"):  # the reader says the same
        with pytest.raises(InputFileError, match="character device|directory"):
            read_release(path, ["q7"])


def test_an_unreadable_file_is_a_permission_problem_not_corruption(tmp_path):
    import tempfile

    if os.geteuid() == 0:  # the other user must be able to reach the folder (pytest's is 0700)
        tmp_path = Path(tempfile.mkdtemp(prefix="abs-trust-perm-"))
        tmp_path.chmod(0o755)
    path = tmp_path / "secret.sav"
    shutil.copy(ROOT / "data/fixture/W3_china_synthetic.sav", path)
    path.chmod(0o000)
    code = (
        "from abs_trust.readers.release import read_release\n"
        f"try:\n    read_release({str(path)!r}, ['q7'])\n"
        "except Exception as exc:\n    print(exc)\n"
    )
    command = [sys.executable, "-c", code]
    if os.geteuid() == 0:  # root reads anything: ask as an unprivileged user
        if not shutil.which("setpriv"):
            pytest.skip("running as root without setpriv")
        command = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups", *command]
    try:
        result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    finally:
        if os.geteuid() == 0:
            shutil.rmtree(tmp_path)
    assert "permission denied: this user may not read the file" in result.stdout, result
    assert "corrupt" not in result.stdout


def test_a_file_replaced_by_another_changes_its_stamp(tmp_path):
    path = tmp_path / "a.sav"
    path.write_bytes(b"first")
    before = file_stamp(path)
    info = path.stat()
    path.write_bytes(b"second, longer")
    os.utime(path, ns=(info.st_atime_ns, info.st_mtime_ns))  # as `cp -p` keeps the old time
    assert file_stamp(path) != before


def test_paths_snakemake_would_read_as_patterns():
    assert snakemake_safe("data/raw/ABS3 merge20210506.sav")
    assert not snakemake_safe("data/raw/W4 <final>.sav")
    assert not snakemake_safe("data/raw/W4{v2}.sav")


def test_an_explicit_encoding_is_blamed_not_w1(tmp_path):
    import pandas as pd

    path = tmp_path / "utf8.sav"
    pyreadstat.write_sav(
        pd.DataFrame({"q7": [1.0, 2.0]}), str(path),
        variable_value_labels={"q7": {1.0: "Très bien – 好", 2.0: "Non"}},
    )  # fmt: skip
    with pytest.raises(InputFileError) as err:
        read_release(path, ["q7"], encoding="big5")
    message = str(err.value)
    assert "cannot be decoded as big5 (the `encoding:` configured for this wave)" in message
    assert "declares its encoding as UTF-8" in message and "W1" not in message
    from abs_trust.tools.suggest.dictionary import read_dictionary

    with pytest.raises(InputFileError) as err:
        read_dictionary(path, encoding="big5")
    assert "(the --encoding given)" in str(err.value) and "UTF-8" in str(err.value)
    assert "W1" not in str(err.value)
