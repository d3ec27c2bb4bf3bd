"""A plain ``pip install .`` (not editable) into a fresh virtualenv runs the workflow and
the crosswalk suggester: the package finds its schemas and its shipped crosswalk through
importlib.resources, not through the checkout it was built from, and the runtime lock alone
(no pytest, ruff or hypothesis) is enough for every job."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import ROOT, scratch_copy

pytestmark = pytest.mark.workflow


def _sh(args, cwd, env=None, timeout=600):
    result = subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=timeout, env=env)
    assert result.returncode == 0, (args, result.stdout[-3000:], result.stderr[-3000:])
    return result


@pytest.fixture(scope="module")
def installed(tmp_path_factory) -> Path:
    """A virtualenv holding requirements.lock and the package built from a copy of the repo."""
    base = tmp_path_factory.mktemp("install")
    source = base / "source"
    shutil.copytree(
        ROOT,
        source,
        symlinks=True,  # as git checks it out: src/abs_trust/schemas is a link
        ignore=shutil.ignore_patterns(
            ".venv", ".git", "results", ".snakemake", "data", "*.egg-info", "__pycache__",
            "build", "logs",
        ),
    )  # fmt: skip
    venv = base / "venv"
    uv = Path(sys.executable).parent / "uv"
    if uv.exists():
        _sh([str(uv), "venv", "-q", "--python", sys.executable, str(venv)], base)
        pip = [str(uv), "pip", "install", "-q", "--python", str(venv / "bin" / "python")]
    else:  # pragma: no cover - the Makefile installs uv; plain pip is its fallback
        _sh([sys.executable, "-m", "venv", str(venv)], base)
        pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    _sh([*pip, "-r", str(ROOT / "requirements.lock"), str(source)], base)
    shutil.rmtree(source)  # the installed package must not lean on the tree it came from
    return venv


def test_runtime_environment_has_no_development_tools(installed):
    python = str(installed / "bin" / "python")
    for module in ("pytest", "ruff", "hypothesis", "pingouin"):
        found = subprocess.run([python, "-c", f"import {module}"], capture_output=True)
        assert found.returncode != 0, f"{module} is installed in the runtime environment"


def test_installed_package_runs_the_workflow(installed, tmp_path):
    workdir = scratch_copy(tmp_path / "wf")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env["PATH"] = f"{installed / 'bin'}{os.pathsep}{env.get('PATH', '')}"
    where = _sh(
        [
            str(installed / "bin" / "python"),
            "-c",
            "import abs_trust, sys; print(abs_trust.__file__)",
        ],
        workdir,
        env,
    ).stdout
    assert str(installed) in where and str(ROOT) not in where
    _sh([str(installed / "bin" / "snakemake"), "--cores", "2", "--quiet"], workdir, env)
    assert (workdir / "results/reproduction.verdict").read_text().startswith("PASS: ")
    # an unknown key is still refused by the schema (found inside the installed package too)
    bad = subprocess.run(
        [str(installed / "bin" / "snakemake"), "-n", "--config", "preload=true"],
        cwd=workdir, capture_output=True, text=True, env=env,
    )  # fmt: skip
    assert bad.returncode != 0 and "preload" in bad.stdout + bad.stderr


def test_installed_suggester_uses_the_shipped_crosswalk(installed, tmp_path):
    from layouts.build import layout_frame, load_layout, write_layout_sav

    layout = load_layout("W6")  # the real W6 Cambodia dictionary; synthetic values
    release = write_layout_sav(layout, tmp_path / "w6.sav", layout_frame(layout, 30))
    # run where there is no config/crosswalk.yaml: the crosswalk shipped in the wheel is used
    result = _sh([str(installed / "bin" / "abs-trust"), "suggest-crosswalk", str(release),
                  "--wave", "W6"], tmp_path)  # fmt: skip
    assert "already has an entry for W6" in result.stdout
    assert "no crosswalk given or found" not in result.stdout
