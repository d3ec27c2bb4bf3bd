"""The HTML report, as a reader opens it: built by `snakemake --report`, opened in headless
Chromium (DevTools protocol, tests/browser.py) at common window sizes.

What is checked is what a reader sees: where the landing page's parts are on screen, that
each table opens in the page (not as a download) with its caption and can be sorted, and that
strings from files and config cannot add script or elements to the report. Screenshots go to
the workflow run's results/screenshots/ and to this repository's results/screenshots/ (CI
keeps them as artifacts).
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
from pathlib import Path

import pytest
import yaml
from browser import CHROMIUM, Browser

from conftest import ROOT, scratch_copy, snakemake

pytestmark = pytest.mark.workflow

SIZES = [(1280, 800), (1400, 1000), (1920, 1080)]
# The only console message the Snakemake report template itself emits (an info notice of
# the Tailwind CDN build it inlines); anything else on the console fails the test.
ALLOWED_CONSOLE = ("cdn.tailwindcss.com should not be used in production",)
TABLE_PAGES = {
    # file: (category, the page's title, a phrase of the report's caption)
    "reproduction.html": ("Reproduction", "Reproduction of published results", "tolerance"),
    "table4.html": ("Reproduction", "Public trust in institutions in mainland China, 2011, "
                    "2015 (%)", "Table 4 of Farid & Song (2020) re-computed"),
    "institution_trust.html": ("Tables", "Share trusting per country, wave and institution",
                               "Share trusting per country, wave and institution"),
    "trust_by_country.html": ("Tables", "Trust in institutions by country and wave (%)",
                              "the cross-national table"),
    "correlations.html": ("Tables", "Correlations between trust items", "Fisher z"),
    "coverage.html": ("Tables", "Which trust items were asked, per country and wave",
                      "Which trust items were asked"),
    "coverage_by_country.html": ("Tables", "Trust items asked, and their nonresponse (%)",
                                 "Which trust items were asked"),
    "models.html": ("Tables", "Regression robustness of the local-government/NGO link",
                    "ordered logit"),
    "sensitivity.html": ("Tables", "Nonresponse sensitivity of the shares and correlations",
                         "Nonresponse sensitivity"),
    "weights.html": ("Tables", "Survey weights: quality per country and wave",
                     "Kish's design effect"),
    "changes.html": ("Reproduction", "Changes in the share trusting between Table 4's waves",
                     "Welch–Satterthwaite"),
    "harmonization.html": ("Comparability", "Harmonization provenance: what each source code "
                           "became", "Harmonization provenance"),
    "invariance.html": ("Comparability", "Measurement invariance of the trust battery",
                        "Measurement invariance of the trust battery"),
    "scale_changes.html": ("Comparability", "Cross-wave changes that depend on the six-point "
                           "scale mapping", "under each defensible mapping"),
}  # fmt: skip
EMPTY_ON_FIXTURE = {"scale_changes.html"}
FIGURES = {"local_government_vs_ngo.png", "institution_trust.png", "correlation_by_country.png"}


def report_results(path: Path) -> dict:
    """The report's list of results (path -> name, labels, caption, mime type, data URI)."""
    html = path.read_text(encoding="utf-8")
    match = re.search(r"var results = (\{.*?\});\n", html, re.S)
    assert match, "no results list in the report"
    return json.loads(match.group(1))


@pytest.fixture(scope="module")
def report(workflow_run):
    result = snakemake(workflow_run, "--report", "results/report.html")
    assert result.returncode == 0, result.stderr[-3000:]
    return workflow_run / "results/report.html"


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if CHROMIUM is None:
        if os.environ.get("ABS_TRUST_REQUIRE_BROWSER"):
            pytest.fail("chromium is required (CI installs Debian's chromium package)")
        pytest.skip("chromium not installed; .ci/run installs it")
    with Browser(tmp_path_factory.mktemp("chromium")) as chromium:
        yield chromium


def save_screenshot(browser: Browser, run: Path, name: str) -> Path:
    shot = browser.screenshot(run / "results/screenshots" / name)
    assert shot.stat().st_size > 10_000  # a page, not a blank
    keep = ROOT / "results/screenshots"
    keep.mkdir(parents=True, exist_ok=True)
    shutil.copy(shot, keep / name)
    return shot


def open_report(browser: Browser, report: Path, width: int, height: int) -> None:
    browser.open(report.resolve().as_uri(), width, height)
    browser.wait_for("!!document.querySelector('h1.title')")
    browser.settle(0.5)


def test_report_lists_every_table_as_a_page_and_every_figure(report):
    results = report_results(report)
    by_name = {Path(path).name: entry for path, entry in results.items()}
    assert set(TABLE_PAGES) | FIGURES == set(by_name)
    for name, (_, _, phrase) in TABLE_PAGES.items():
        assert by_name[name]["mime_type"] == "text/html", name  # shown in the page
        assert phrase in html.unescape(re.sub(r"\s+", " ", by_name[name]["caption"])), name
    for name in FIGURES:
        assert by_name[name]["mime_type"] == "image/png"
    # nothing the report could only offer as a download (CSV, Markdown, LaTeX)
    assert {entry["mime_type"] for entry in results.values()} == {"text/html", "image/png"}


# The landing page's parts, found by the section ids docutils gives them.
LANDING_PARTS = """(() => {
  const box = el => { if (!el) return null; const r = el.getBoundingClientRect();
    return {top: r.top, bottom: r.bottom, text: el.innerText.slice(0, 2000)}; };
  const section = id => document.getElementById(id);
  return {
    title: box(document.querySelector('h1.title')),
    warning: box(document.querySelector('.admonition.warning')),
    verdict: box(section('reproduction-verdict')),
    data: box(section('data')),
    configuration: box(section('configuration')),
    viewport: window.innerHeight,
  };
})()"""


@pytest.mark.parametrize(("width", "height"), SIZES)
def test_landing_page_is_in_view_on_load(report, workflow_run, browser, width, height):
    open_report(browser, report, width, height)
    parts = browser.evaluate(LANDING_PARTS)
    for name in ("title", "warning", "verdict", "data", "configuration"):
        box = parts[name]
        assert box is not None, name
        assert box["top"] >= 0 and box["bottom"] <= parts["viewport"], (name, box, width)
    assert parts["title"]["text"].startswith("abs-trust: institutional trust")
    assert "Synthetic fixture." in parts["warning"]["text"]
    assert "PASS: 34 of 34 published checks reproduced." in parts["verdict"]["text"]
    assert "data/fixture/W3_china_synthetic.sav" in parts["data"]["text"]
    assert "strict: true" in parts["configuration"]["text"]
    # the warning is a box, not the bare word "Warning"
    style = browser.evaluate(
        "(() => { const s = getComputedStyle(document.querySelector('.admonition.warning'));"
        " return [s.borderLeftWidth, s.backgroundColor]; })()"
    )
    assert style[0] == "6px" and style[1] == "rgb(255, 251, 235)"
    # and the rest of the page can be scrolled to: the end of the configuration listing
    bottom = browser.evaluate(
        "(() => { const c = document.querySelector('h1.title').closest('.overflow-auto');"
        " c.scrollTop = c.scrollHeight;"
        " const blocks = document.querySelectorAll('pre');"
        " return blocks[blocks.length - 1].getBoundingClientRect().bottom; })()"
    )
    assert bottom <= parts["viewport"]
    open_report(browser, report, width, height)  # back to the top for the screenshot
    save_screenshot(browser, workflow_run, f"landing_{width}x{height}.png")
    unexpected = [c for c in browser.console if not any(a in c for a in ALLOWED_CONSOLE)]
    assert not unexpected and not browser.exceptions and not browser.dialogs


def frame_context(browser: Browser) -> int:
    """An execution context in the page's table view (the iframe of a data: URL)."""

    def find(tree):
        if tree["frame"].get("url", "").startswith("data:text/html"):
            return tree["frame"]["id"]
        for child in tree.get("childFrames", []):
            found = find(child)
            if found:
                return found
        return None

    frame = browser.wait_for_value(lambda: find(browser.page("Page.getFrameTree")["frameTree"]))
    world = browser.page("Page.createIsolatedWorld", frameId=frame, worldName="test")
    return world["executionContextId"]


def in_frame(browser: Browser, context: int, expression: str):
    result = browser.page(
        "Runtime.evaluate", expression=expression, contextId=context, returnByValue=True
    )
    assert "exceptionDetails" not in result, result
    return result["result"].get("value")


def open_result(browser: Browser, path: str) -> None:
    """Open a result as a reader does: its entry's details, then the view button."""
    browser.evaluate(f"app.showResultInfo({json.dumps(path)})")
    browser.wait_for("!!document.querySelector('table.items-center a[type=button]')")
    browser.evaluate("document.querySelector('table.items-center a[type=button]').click()")
    browser.wait_for("!!document.querySelector('iframe')")


@pytest.mark.parametrize("name", sorted(TABLE_PAGES))
def test_every_table_opens_in_the_page_with_its_caption(report, workflow_run, browser, name):
    category, title, phrase = TABLE_PAGES[name]
    path = next(p for p in report_results(report) if Path(p).name == name)
    open_report(browser, report, 1400, 1000)
    open_result(browser, path)
    navbar = browser.evaluate("document.body.innerText")
    assert phrase in re.sub(r"\s+", " ", navbar)  # the report's caption, beside the table
    frame = browser.evaluate(
        "(() => { const r = document.querySelector('iframe').getBoundingClientRect();"
        " return [r.top, r.height, r.width]; })()"
    )
    # the page, in view, beside the caption: most of the window's width, its full height
    assert frame[0] >= 0 and frame[1] == 1000 and frame[2] >= 0.6 * 1400, frame
    context = frame_context(browser)
    page = in_frame(
        browser,
        context,
        "(() => ({title: document.querySelector('h1').innerText,"
        " rows: document.querySelectorAll('table tbody tr').length,"
        " synthetic: !!document.querySelector('.synthetic'),"
        " downloads: Array.from(document.querySelectorAll('a[download]')).map(a => a.download)"
        "}))()",
    )
    # the fixture has no six-point wave, so no change can depend on its mapping: a table
    # with no rows, shown as such
    expected_rows = 0 if name in EMPTY_ON_FIXTURE else 1
    assert page["title"] == title and page["synthetic"]
    assert (page["rows"] > 0) == bool(expected_rows), page["rows"]
    assert page["downloads"], "the contract file(s) to download"
    if not expected_rows:
        return
    # a click on a numeric column's header sorts the rows by it (ascending, then descending)
    order = in_frame(
        browser,
        context,
        """(() => { const table = document.querySelector('table');
          const col = Array.from(table.tBodies[0].rows[0].cells).findIndex(c => c.dataset.v);
          if (col < 0) return null;
          const values = () => Array.from(table.tBodies[0].rows)
            .map(r => r.cells[col].dataset.v).filter(v => v !== '').map(Number);
          table.querySelectorAll('th')[col].click(); const up = values();
          table.querySelectorAll('th')[col].click(); const down = values();
          return [up, down]; })()""",
    )
    if order is not None:
        up, down = order
        assert up == sorted(up) and down == sorted(down, reverse=True)
    save_screenshot(browser, workflow_run, f"table_{Path(name).stem}.png")
    assert not browser.exceptions and not browser.dialogs


# --------------------------------------------------------------------------- hostile strings

# A file name and config values carrying markup for every format the report is built from:
# a reStructuredText directive after a newline, HTML that would run script, a Markdown link.
HOSTILE_FILE = (
    "W3 <img src=x onerror=alert(1)>\n\n.. raw:: html\n\n   <img id=pwned src=x "
    "onerror=alert(2)>\n\n.sav"
)
HOSTILE_TEXT = (
    "<img id=pwned3 src=x onerror=alert(3)> [click](javascript:alert(4)) `x` *y*\n"
    ".. raw:: html\n\n   <b id=pwned4>raw</b>"
)
HOSTILE_COUNTRY = "<b id=pwned5>x</b>\n.. raw:: html\n\n   <img id=pwned6 src=x onerror=alert(6)>"
INJECTED = "['#pwned', '#pwned3', '#pwned4', '#pwned5', '#pwned6', 'img[src=\"x\"]']"
FIND_INJECTED = f"{INJECTED}.filter(s => document.querySelector(s))"


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    """A run whose W3 file has a hostile name and whose published numbers (about a country
    not in the run, so NOT APPLICABLE) carry hostile text; a hostile Table 4 country is
    refused by the config's schema before it could reach a caption."""
    workdir = scratch_copy(tmp_path_factory.mktemp("hostile"))
    evil = workdir / "data/raw" / HOSTILE_FILE
    evil.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(workdir / "data/fixture/W3_china_synthetic.sav", evil)
    published = yaml.safe_load((workdir / "config/published.yaml").read_text())
    published["source"] = HOSTILE_TEXT
    published["country"] = "taiwan"
    published["conventions"]["W3"]["evidence"] = HOSTILE_TEXT
    (workdir / "config/published_hostile.yaml").write_text(yaml.safe_dump(published))
    (workdir / "hostile.yaml").write_text(
        yaml.safe_dump(
            {
                "waves": {"W3": {"file": f"data/raw/{HOSTILE_FILE}"}},
                "published": "config/published_hostile.yaml",
            }
        )  # fmt: skip
    )
    config = ("--configfile", "config/config.yaml", "hostile.yaml")
    result = snakemake(workdir, *config)
    assert result.returncode == 0, result.stderr[-4000:]
    # a hostile Table 4 country never reaches a caption: the config's schema refuses it
    (workdir / "report.yaml").write_text(yaml.safe_dump({"table4": {"country": HOSTILE_COUNTRY}}))
    result = snakemake(
        workdir, "--report", "results/report.html", "--configfile", "config/config.yaml",
        "hostile.yaml", "report.yaml",
    )  # fmt: skip
    assert result.returncode != 0 and "does not match" in result.stderr
    result = snakemake(
        workdir, "--report", "results/report.html", "--configfile", "config/config.yaml",
        "hostile.yaml",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir


def test_not_applicable_is_said_the_same_way_everywhere(hostile_run):
    verdict = (hostile_run / "results/reproduction.verdict").read_text().strip()
    assert verdict == (
        "NOT APPLICABLE: the 34 published checks (Note 24, Table 4) concern Taiwan, which is "
        "not in this run's data"
    )
    word, _, detail = verdict.partition(": ")
    assert f"published gate: {verdict}" in (hostile_run / "logs/published_gate.log").read_text()
    md = (hostile_run / "results/reproduction.md").read_text()
    assert f"**Verdict: {word}** — {detail}." in md
    summary = (hostile_run / "results/report/summary.rst").read_text()
    assert f"**{word}**: {detail}." in summary
    assert "PASS" not in summary and "0 of 0" not in summary


def test_hostile_strings_reach_the_report_as_text_only(hostile_run, browser):
    report = hostile_run / "results/report.html"
    open_report(browser, report, 1400, 1000)
    landing = browser.evaluate("document.body.innerText")
    assert "onerror=alert(1)>\\n\\n.. raw:: html" in landing  # the path, as text
    assert "NOT APPLICABLE: the 34 published checks" in landing
    assert browser.evaluate(FIND_INJECTED) == []
    for path, entry in report_results(report).items():
        if entry["mime_type"] != "text/html":
            continue
        open_report(browser, report, 1400, 1000)
        open_result(browser, path)
        browser.settle(0.3)
        assert browser.evaluate(FIND_INJECTED) == [], path  # caption, page
        assert in_frame(browser, frame_context(browser), FIND_INJECTED) == [], path
    open_result(browser, next(p for p in report_results(report) if p.endswith("table4.html")))
    assert "Pwned5" not in browser.evaluate("document.body.innerText")  # refused, never shown
    assert not browser.dialogs and not browser.exceptions
