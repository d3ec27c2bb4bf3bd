"""The shipped SLURM profile and the job environment, checked without a cluster.

`make test-cluster` (tests/cluster/) runs the workflow on a real SLURM cluster through this
profile; these checks guard what that run cannot see on every machine: the settings that
make the profile work without an accounting database, no site-specific account, every rule
sized, and a node environment that can run the executor's job command.
"""

from __future__ import annotations

import re
import subprocess

import pytest
import yaml

from conftest import ROOT, SNAKEMAKE, scratch_copy

PROFILE = ROOT / "profiles/slurm/config.yaml"


def locked(path) -> dict[str, str]:
    pins = re.findall(r"^([A-Za-z0-9_.-]+)==(\S+)", path.read_text(), re.MULTILINE)
    return {name.lower(): version for name, version in pins}


def test_profile_works_without_accounting_and_names_no_account():
    profile = yaml.safe_load(PROFILE.read_text())
    assert profile["executor"] == "slurm"
    # sacct fails without slurmdbd, and the plugin then waits forever: squeue works either way
    assert profile["slurm-status-command"] == "squeue"
    # the plugin falls back to sacct unless MinJobAge (default 300 s) >= 3x this delay
    assert 1 <= profile["slurm-init-seconds-before-status-checks"] <= 60
    # an account or partition is the site's to set: none is set for it
    text = yaml.safe_dump(profile)
    assert "slurm_account" not in text and "slurm_partition" not in text
    assert "default-resources" not in profile


def test_node_environment_runs_the_job_command():
    runtime, dev = locked(ROOT / "requirements.lock"), locked(ROOT / "requirements-dev.lock")
    # each job runs `python -m snakemake --executor slurm-jobstep` on its node
    assert "snakemake-executor-plugin-slurm-jobstep" in runtime
    assert "snakemake-executor-plugin-slurm" in dev  # the submitting side
    assert not {"pytest", "ruff", "hypothesis", "pingouin"} & set(runtime)
    env = (ROOT / "workflow/envs/abs-trust.yaml").read_text()
    assert "requirements.lock" in env and "requirements-dev" not in env


@pytest.mark.workflow
def test_profile_is_accepted_and_every_job_is_sized(tmp_path):
    """A dry run through the profile: Snakemake and the plugin accept every key, each job
    has memory and a time limit, and the four aggregate jobs form one group job."""
    workdir = scratch_copy(tmp_path)
    result = subprocess.run(
        [SNAKEMAKE, "--profile", "profiles/slurm", "-n"],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=120,
    )
    out = result.stdout + result.stderr
    assert result.returncode == 0, out[-3000:]
    rules = re.findall(r"^\s*rule (\w+):", out, re.MULTILINE)
    resources = re.findall(r"^\s*resources: (.*)$", out, re.MULTILINE)
    # two waves, the run's manifest and `all` (local rules: no cluster job), comparability,
    # four aggregate jobs
    assert len(rules) == len(resources) == 9
    local = ("all", "run_manifest")
    sized = {rule: line for rule, line in zip(rules, resources, strict=True) if rule not in local}
    assert sorted(sized) == [
        "comparability", "cross_national_figure", "paper_figures", "published_gate", "tables",
        "wave",
    ]  # fmt: skip
    for line in sized.values():
        assert re.search(r"\bmem_mb=\d+", line) and re.search(r"\bruntime=\d+", line), line
    assert "Group job aggregate" in out
