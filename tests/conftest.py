"""Shared test helpers: paths, and small release files written in the real ABS layout."""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import pytest

ROOT = Path(__file__).resolve().parents[1]
SNAKEMAKE = str(Path(sys.executable).parent / "snakemake")

# The real W3 release's trust labels (code 3's label is garbled in the release itself).
W3_TRUST_LABELS = {
    -1: "Missing",
    1: "A great deal of trust",
    2: "Quite a lot of trust",
    3: "not very much trust not very much trust",
    4: "None at all",
    7: "Do not understand the question",
    8: "Can't choose",
    9: "Decline to answer",
}
# The real W1 release's trust labels: the scale runs the other way.
W1_TRUST_LABELS = {
    0: "Not sure",
    1: "None at all",
    2: "Not very much trust",
    3: "Quite a lot of trust",
    4: "A great deal of trust",
    98: "Don't know",
    99: "No Answer",
}
ITEMS = {f"q{i}": None for i in range(7, 20)}


def write_w3_like(path: Path, data: pd.DataFrame, trust_labels=None, upper=False) -> Path:
    """Write ``data`` (W3 variable names) as a .sav with W3's value labels."""
    trust_labels = trust_labels or W3_TRUST_LABELS
    labels = {q: trust_labels for q in ITEMS if q in data}
    labels.update(
        {
            "country": {4: "Mainland China", 7: "Taiwan"},
            "se2": {-1: "Missing", 1: "Male", 2: "Female"},
            "level3": {-1: "Missing", 1: "urban", 2: "rural"},
        }
    )
    if upper:
        data = data.rename(columns=str.upper)
        labels = {k.upper(): v for k, v in labels.items()}
    pyreadstat.write_sav(data, str(path), variable_value_labels=labels)
    return path


def w3_frame(n: int = 60, seed: int = 0) -> pd.DataFrame:
    """A small W3-layout frame with every variable the W3 crosswalk entry reads."""
    rng = np.random.default_rng(seed)
    trust_codes = np.array([1, 2, 3, 4, 8, 9, -1, 7])
    frame = pd.DataFrame(
        {
            "country": np.where(np.arange(n) < n - 10, 4, 7).astype(float),
            "idnumber": np.arange(1, n + 1, dtype=float),
            "level3": rng.choice([1, 2, -1], n).astype(float),
            "ir9": pd.to_datetime("2011-05-01") + pd.to_timedelta(rng.integers(0, 90, n), "D"),
            "allweight": rng.uniform(0.5, 1.5, n),
            "se2": rng.choice([1, 2], n).astype(float),
            "se3a": rng.integers(18, 90, n).astype(float),
            "se5": rng.choice([1, 5, 10, 98], n).astype(float),
            "se13": rng.choice([1, 2, 3, 4, 5, 9], n).astype(float),
        }
    )
    for q in ITEMS:
        frame[q] = rng.choice(trust_codes, n).astype(float)
    return frame


@pytest.fixture
def root() -> Path:
    return ROOT


def script_imports(path: Path) -> list[str]:
    """Every import statement of a script (module level or inside a function), as source."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, ast.Import | ast.ImportFrom)
    ]


def scratch_copy(dest: Path) -> Path:
    for name in ("Snakefile", "workflow", "config", "profiles", "data/fixture"):
        src = ROOT / name
        if src.is_dir():
            shutil.copytree(src, dest / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            (dest / name).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dest / name)
    return dest


def snakemake(workdir: Path, *args: str) -> subprocess.CompletedProcess:
    result = subprocess.run(
        [SNAKEMAKE, "--quiet", "progress", "--cores", "2", *args],
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
    )
    # Snakemake prints job errors on stderr and some workflow errors on stdout: read both.
    result.stderr = result.stderr + result.stdout
    return result


@pytest.fixture(scope="session")
def workflow_run(tmp_path_factory):
    """One snakemake run on the fixture in a scratch copy, shared by the workflow tests."""
    workdir = scratch_copy(tmp_path_factory.mktemp("workflow"))
    result = snakemake(workdir)
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir
