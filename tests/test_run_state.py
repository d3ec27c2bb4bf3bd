"""results/ holds one run (issue 15): marked while a run rewrites it; after a success the files
of other runs are gone, after a failure every file the run did not write itself."""

from __future__ import annotations

import time

import pytest
import yaml

from abs_trust import run_state
from abs_trust.errors import ConfigError

RULE_OUTPUTS = [
    "results/tables/waves/{wave}/institution_trust.csv",
    "results/tables/institution_trust.csv",
    "results/tables/table4.md",
    "results/reproduction.passed",
    "data/interim/{wave}.parquet",  # not under results/: never touched
]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(*paths):
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


def an_earlier_run(workdir):
    earlier = [
        workdir / "results/tables/waves/W3/institution_trust.csv",
        workdir / "results/tables/waves/W4/institution_trust.csv",
        workdir / "results/tables/institution_trust.csv",
        workdir / "results/tables/table4.md",
        workdir / "results/reproduction.passed",
        workdir / "results/report.html",
    ]
    write(*earlier, workdir / "results/my_notes.txt", workdir / "data/interim/W3.parquet")
    time.sleep(0.01)
    return earlier


def test_after_a_success_only_this_runs_outputs_remain(workdir):
    an_earlier_run(workdir)
    run_state.start_run({"waves": {"W1": {"file": "a.sav"}}}, ["config/config.yaml", "my.yaml"])
    assert run_state.IN_PROGRESS.exists()
    assert yaml.safe_load(run_state.RUN_CONFIG.read_text()) == {"waves": {"W1": {"file": "a.sav"}}}
    # this run (W1; the gate not applicable) writes its outputs
    write(workdir / "results/tables/waves/W1/institution_trust.csv",
          workdir / "results/tables/institution_trust.csv")  # fmt: skip
    keep = ["results/tables/waves/W1/institution_trust.csv",
            "results/tables/institution_trust.csv", "results/tables/table4.md"]  # fmt: skip
    removed = run_state.finish_run(True, keep, run_state.output_patterns(RULE_OUTPUTS))
    assert removed == [
        "results/report.html",  # a report of older results
        "results/reproduction.passed",  # a verdict this run has no check for
        "results/tables/waves/W3/institution_trust.csv",
        "results/tables/waves/W4/institution_trust.csv",
    ]
    assert (workdir / "results/tables/table4.md").exists()  # up to date, this configuration's
    assert (workdir / "results/my_notes.txt").exists()  # not the workflow's: left alone
    assert (workdir / "data/interim/W3.parquet").exists()
    assert not (workdir / "results/tables/waves/W3").exists()
    assert not run_state.IN_PROGRESS.exists() and not run_state.FAILED.exists()


def test_after_a_failure_nothing_of_an_earlier_run_remains(workdir):
    an_earlier_run(workdir)
    run_state.start_run({}, [])
    write(workdir / "results/tables/waves/W1/institution_trust.csv")  # written, then a failure
    keep = ["results/tables/waves/W1/institution_trust.csv", "results/tables/table4.md",
            "results/tables/institution_trust.csv", "results/reproduction.passed"]  # fmt: skip
    removed = run_state.finish_run(False, keep, run_state.output_patterns(RULE_OUTPUTS))
    assert "results/tables/table4.md" in removed and "results/reproduction.passed" in removed
    assert (workdir / "results/tables/waves/W1/institution_trust.csv").exists()
    assert (workdir / "results/my_notes.txt").exists()
    failed = run_state.FAILED.read_text()
    assert "FAILED" in failed and "`results/tables/table4.md`" in failed
    assert "--unlock" in failed and "--rerun-incomplete" in failed
    assert not run_state.IN_PROGRESS.exists()


def test_a_report_is_of_the_recorded_run_only(workdir):
    config = {"waves": {"W1": {"file": "a.sav"}}, "strict": True}
    run_state.start_run(config, ["my.yaml"])
    recorded = str(run_state.RUN_CONFIG)
    with pytest.raises(ConfigError, match="did not finish"):  # killed: the marker stayed
        run_state.check_report_config(config, [recorded])
    run_state.finish_run(True, [], [])
    run_state.check_report_config(config, [recorded])  # the same config: fine
    run_state.check_report_config({"other": 1}, ["my.yaml"])  # not a report of the record
    merged = {**config, "waves": {**config["waves"], "W3": {"file": "fixture.sav"}}}
    with pytest.raises(ConfigError, match="keys: waves"):
        run_state.check_report_config(merged, [recorded])
