"""Each workflow job imports only what it needs: every job is a fresh Python process, and
imports are most of a short job's cost (docs/performance.md).

The imports of each script under workflow/scripts/ are run in a clean interpreter and the
loaded modules inspected, so a stray import anywhere below them (a module importing scipy
for one constant) fails here rather than slowing every run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import script_imports

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = ROOT / "workflow" / "scripts"

# script -> packages it must not load (jsonschema: ~0.1 s, and only the workflow's parsing
# validates; a job that needs it, `tables` for published.yaml, imports it when it validates)
FORBIDDEN = {
    "wave.py": {"matplotlib", "statsmodels.api", "pingouin", "jsonschema"},
    # scipy.special (Student's t of the changes between waves) but none of scipy.stats
    "tables.py": {"scipy.stats", "scipy.optimize", "statsmodels", "matplotlib", "pyreadstat",
                  "pandera", "pingouin", "jsonschema"},
    "paper_figures.py": {"scipy", "statsmodels", "pyreadstat", "pandera", "pingouin",
                         "jsonschema"},
    "cross_national_figure.py": {"scipy", "statsmodels", "pyreadstat", "pandera", "pingouin",
                                 "jsonschema"},
    "comparability.py": {"matplotlib", "statsmodels", "pyreadstat", "pingouin", "jsonschema"},
    "published_gate.py": {"pandas", "numpy", "scipy", "statsmodels", "matplotlib", "jsonschema"},
    "run_manifest.py": {"pandas", "numpy", "scipy", "statsmodels", "matplotlib", "jsonschema"},
    "bootstrap.py": {"matplotlib", "statsmodels", "pingouin", "jsonschema", "pyreadstat"},
}  # fmt: skip


def loaded_after(statements: list[str]) -> set[str]:
    code = "\n".join([*statements, "import json, sys", "print(json.dumps(sorted(sys.modules)))"])
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def test_every_script_is_listed():
    assert {p.name for p in SCRIPTS.glob("*.py")} == set(FORBIDDEN)


@pytest.mark.parametrize("script", sorted(FORBIDDEN))
def test_job_imports_only_what_it_needs(script):
    modules = loaded_after(script_imports(SCRIPTS / script))
    assert "abs_trust.runner" in modules  # the imports did run
    bad = sorted(m for m in modules for f in FORBIDDEN[script] if m == f or m.startswith(f + "."))
    assert not bad, f"{script} loads {bad[:8]}"


def test_forbidden_check_bites():
    modules = loaded_after(["import abs_trust.runner", "import statsmodels.api"])
    assert "statsmodels.api" in modules and "scipy.stats" in modules
