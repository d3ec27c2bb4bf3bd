"""The HTML report: built by `snakemake --report`, complete, and rendered in a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess

import pytest

from conftest import snakemake

pytestmark = pytest.mark.workflow
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
# The only console message the Snakemake report template itself emits (an info notice of
# the Tailwind CDN build it inlines); anything else on the console fails the test.
ALLOWED_CONSOLE = ("cdn.tailwindcss.com should not be used in production",)


@pytest.fixture(scope="module")
def report(workflow_run):
    result = snakemake(workflow_run, "--report", "results/report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    return workflow_run / "results/report.html"


def test_report_contains_every_declared_output(report, workflow_run):
    html = report.read_text(encoding="utf-8", errors="replace")
    for name in [
        "table4.md", "table4.tex", "reproduction.md", "institution_trust.csv",
        "correlations.csv", "coverage.csv", "models.csv", "sensitivity.csv",
        "local_government_vs_ngo.png", "institution_trust.png", "correlation_by_country.png",
    ]:  # fmt: skip
        assert name in html, name
    for caption_phrase in ["Table 4 of Farid", "Figure 1 re-drawn", "Nonresponse sensitivity"]:
        assert caption_phrase in html, caption_phrase


def chromium(*args: str, cwd) -> subprocess.CompletedProcess:
    flags = [
        "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync",
        f"--user-data-dir={cwd}/chromium-profile", "--virtual-time-budget=10000",
    ]  # fmt: skip
    return subprocess.run(
        [CHROMIUM, *flags, *args], cwd=cwd, capture_output=True, text=True, timeout=120
    )


def test_report_renders_in_a_browser(report, workflow_run, tmp_path):
    if CHROMIUM is None:
        if os.environ.get("ABS_TRUST_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (CI installs Debian's chromium package)")
        pytest.skip("chromium not installed; .ci/run installs it")
    url = report.resolve().as_uri()
    dom = chromium("--enable-logging=stderr", "--v=0", "--dump-dom", url, cwd=tmp_path)
    assert dom.returncode == 0, dom.stderr[-2000:]
    rendered = dom.stdout
    # the landing page, as rendered by the report's JavaScript app
    assert re.search(r"Reproduction verdict", rendered)
    assert "34 of 34 applicable published checks reproduced" in rendered
    assert "table4.md" in rendered and "Table 4" in rendered
    assert "Synthetic fixture" in rendered
    console = [line for line in dom.stderr.splitlines() if "CONSOLE" in line]
    unexpected = [c for c in console if not any(a in c for a in ALLOWED_CONSOLE)]
    assert not unexpected, unexpected
    shot = workflow_run / "results/report_landing.png"
    result = chromium("--window-size=1280,1600", f"--screenshot={shot}", url, cwd=tmp_path)
    assert result.returncode == 0 and shot.stat().st_size > 20_000
