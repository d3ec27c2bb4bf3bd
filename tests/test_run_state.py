"""results/ holds one run (issue 15), by a plain job (issue 14: the hooks only print): the
run_manifest job of a run on a changed config or changed files removes the previous run's
aggregate results before any other job, and records the new run's manifest. End to end (a
failed wave job after a change leaves no earlier table4.md or verdict): tests/test_new_user.py.
"""

from __future__ import annotations

import json
from types import SimpleNamespace

import pytest
import yaml

from abs_trust import run_state
from abs_trust.errors import ConfigError

OUTPUTS = [
    "results/tables/institution_trust.csv",
    "results/tables/table4.md",
    "results/reproduction.verdict",
]


@pytest.fixture
def workdir(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return tmp_path


def write(*paths):
    for path in paths:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("x")


def manifest_job(config, waves, outputs=OUTPUTS):
    params = SimpleNamespace(
        config=config, configfiles=["config/config.yaml", "my.yaml"], waves=waves,
        stamps={"a.sav": [1, 2]}, outputs=outputs,
    )  # fmt: skip
    output = SimpleNamespace(manifest=str(run_state.MANIFEST), config=str(run_state.RUN_CONFIG))
    return run_state.run_manifest_job(SimpleNamespace(), output, params)


def an_earlier_run(workdir):
    """The fixture's run: W3 and W4, a PASS, a report, and its manifest."""
    manifest_job({"waves": {}}, ["W3", "W4"], [*OUTPUTS, "results/tables/only_then.md"])
    earlier = [
        workdir / "results/tables/waves/W3/institution_trust.csv",
        workdir / "results/tables/waves/W4/institution_trust.csv",
        workdir / "results/tables/institution_trust.csv",
        workdir / "results/tables/table4.md",
        workdir / "results/tables/only_then.md",
        workdir / "results/reproduction.verdict",
        workdir / "results/report.html",
    ]
    write(*earlier, workdir / "results/my_notes.txt", workdir / "data/interim/W3.parquet")
    return earlier


def test_a_new_run_starts_without_the_previous_runs_results(workdir):
    an_earlier_run(workdir)
    summary = manifest_job({"waves": {"W1": {"file": "a.sav"}}}, ["W1", "W4"])
    for gone in (
        "results/tables/institution_trust.csv",  # this config writes it again
        "results/tables/table4.md",
        "results/tables/only_then.md",  # the old manifest lists it
        "results/reproduction.verdict",
        "results/report.html",  # a report of the previous run
        "results/tables/waves/W3",  # a wave no longer configured
    ):
        assert not (workdir / gone).exists(), gone
    assert "removed 6 result(s)" in summary
    # a configured wave's results stay (its own job reruns when its files change)
    assert (workdir / "results/tables/waves/W4/institution_trust.csv").exists()
    assert (workdir / "results/my_notes.txt").exists()  # not the workflow's: left alone
    assert (workdir / "data/interim/W3.parquet").exists()  # not under results/
    manifest = json.loads(run_state.MANIFEST.read_text())
    assert manifest["waves"] == ["W1", "W4"] and manifest["files"] == {"a.sav": [1, 2]}
    assert manifest["outputs"] == OUTPUTS
    recorded = run_state.RUN_CONFIG.read_text()
    assert "my.yaml" in recorded
    assert yaml.safe_load(recorded) == {"waves": {"W1": {"file": "a.sav"}}}


def test_only_paths_under_results_are_removed(workdir):
    write(workdir / "data/keep.csv", workdir / "results/tables/table4.md")
    run_state.MANIFEST.write_text(json.dumps({"outputs": ["data/keep.csv", "results/../x"]}))
    removed = run_state.remove_previous_results(["results/tables/table4.md"], [])
    assert removed == ["results/tables/table4.md"]
    assert (workdir / "data/keep.csv").exists()


def test_an_unreadable_manifest_still_clears_this_configs_outputs(workdir):
    write(workdir / "results/tables/table4.md")
    run_state.MANIFEST.write_text("{not json")
    assert run_state.remove_previous_results(OUTPUTS, []) == ["results/tables/table4.md"]


def test_a_report_is_of_the_recorded_run_only(workdir):
    config = {"waves": {"W1": {"file": "a.sav"}}, "strict": True}
    manifest_job(config, ["W1"])
    recorded = str(run_state.RUN_CONFIG)
    with pytest.raises(ConfigError, match="did not finish"):  # failed or killed: no outputs
        run_state.check_report_config(config, [recorded], OUTPUTS)
    write(*(workdir / o for o in OUTPUTS))
    run_state.check_report_config(config, [recorded], OUTPUTS)  # the same config: fine
    run_state.check_report_config({"other": 1}, ["my.yaml"], OUTPUTS)  # not of the record
    merged = {**config, "waves": {**config["waves"], "W3": {"file": "fixture.sav"}}}
    with pytest.raises(ConfigError, match="keys: waves"):
        run_state.check_report_config(merged, [recorded], OUTPUTS)
