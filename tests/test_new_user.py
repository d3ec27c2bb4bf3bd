"""A new user's runs, end to end (issue 15): a run on your files reports your files and only
them, after a run on the fixture, and whatever happened before.

The user's files are synthetic, in the real W1 and W6 release layouts (tests/layouts), so
they are not the fixture: no SYNTHETIC label, other waves, other countries.
"""

from __future__ import annotations

import json
import re
import shutil

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from layouts.build import layout_frame, load_layout, write_layout_sav

from conftest import ROOT, scratch_copy, snakemake, w3_frame, write_w3_like

pytestmark = pytest.mark.workflow

W6_FILES = ["data/raw/W6_Cambodia_Release_20240819.sav", "data/raw/W6_7_Taiwan_Release.sav"]


def write_user_files(workdir, n=400):
    """W1 (merged file) and W6 (two country files) in their real layouts."""
    raw = workdir / "data/raw"
    raw.mkdir(parents=True, exist_ok=True)
    w1 = load_layout("W1")
    write_layout_sav(
        w1, raw / "Wave1_20170906.sav", layout_frame(w1, n, seed=11, idnumber=np.arange(1, n + 1))
    )
    w6 = load_layout("W6")
    for path, country, seed in zip(W6_FILES, (12, 7), (1, 2), strict=True):
        rng = np.random.default_rng(seed)
        frame = layout_frame(
            w6, n, seed=seed, COUNTRY=[country] * n, IDNUMBER=np.arange(1, n + 1),
            YEAR=[2022] * n, SE3_1=rng.integers(18, 90, n).astype(float),
            W=rng.uniform(0.5, 1.5, n),
        )  # fmt: skip
        write_layout_sav(w6, workdir / path, frame)


def user_config(workdir, name="my.yaml", w1="data/raw/Wave1_20170906.sav", extra=""):
    files = ", ".join(W6_FILES)
    (workdir / name).write_text(
        f"waves:\n  W1: {{file: {w1!r}}}\n  W6: {{files: [{files}]}}\ncountries: all\n{extra}"
    )
    return ("--configfile", "config/config.yaml", name)


def results_files(workdir):
    return sorted(p.relative_to(workdir).as_posix() for p in (workdir / "results").rglob("*"))


@pytest.fixture(scope="module")
def after_make_run(workflow_run, tmp_path_factory):
    """A finished run on the shipped fixture (W3, W4, PASS), and the user's files beside it."""
    workdir = tmp_path_factory.mktemp("user") / "w"
    shutil.copytree(workflow_run, workdir, symlinks=True)
    write_user_files(workdir)
    return workdir


def test_a_run_on_your_files_reports_them_and_only_them(after_make_run):
    workdir = after_make_run
    assert (workdir / "results/reproduction.verdict").read_text().startswith("PASS: ")
    args = user_config(workdir)
    result = snakemake(workdir, *args)
    assert result.returncode == 0, result.stderr[-3000:]

    trust = pd.read_csv(workdir / "results/tables/institution_trust.csv")
    assert set(trust["wave"]) == {"W1", "W6"}  # no fixture wave leaks in
    for table in ("correlations", "coverage", "models", "sensitivity", "weights"):
        rows = pd.read_csv(workdir / f"results/tables/{table}.csv")
        assert set(rows["wave"]) <= {"W1", "W6"}, table
    files = results_files(workdir)
    assert not [f for f in files if "/waves/W3" in f or "/waves/W4" in f]
    # the gate has nothing to check here: no PASS stands, and every output says so
    verdict = (workdir / "results/reproduction.verdict").read_text()
    assert verdict.startswith("NOT APPLICABLE: ")
    assert "NOT APPLICABLE" in (workdir / "results/reproduction.md").read_text()
    assert "NOT APPLICABLE" in (workdir / "results/tables/table4.md").read_text()
    svg = (workdir / "results/figures/local_government_vs_ngo.svg").read_text()
    assert "NOT APPLICABLE" in svg and "Synthetic fixture" not in svg
    md = (workdir / "results/tables/trust_by_country.md").read_text()
    assert "| W3 |" not in md and "| W4 |" not in md and "SYNTHETIC" not in md
    assert r"Wave1\_20170906.sav (sha256" in md  # Markdown-escaped, as every path there
    provenance = json.loads((workdir / "results/provenance.json").read_text())
    paths = {s["path"] for w in provenance["waves"].values() for s in w["sources"]}
    assert paths == {"data/raw/Wave1_20170906.sav", *W6_FILES}
    assert provenance["synthetic_waves"] == []
    recorded = (workdir / "results/run-config.yaml").read_text()
    assert "my.yaml" in recorded and "Wave1_20170906.sav" in recorded

    # the report is of this run, built with its recorded config, and reruns nothing
    before = {f: (workdir / f).stat().st_mtime_ns for f in files if (workdir / f).is_file()}
    report = snakemake(
        workdir, "--report", "results/report.html", "--configfile", "results/run-config.yaml"
    )
    assert report.returncode == 0, report.stderr[-3000:]
    html = (workdir / "results/report.html").read_text(errors="replace")
    # its Data section lists the user's files (the config it shows names the fixture's
    # files only as the `fixture:` default, unused here)
    listed = re.findall(r"<tt[^>]*>([^<]+)</tt> \([\d,]+ rows, sha256 [0-9a-f]{12}", html)
    assert listed == ["data/raw/Wave1_20170906.sav", *W6_FILES]  # the fixture's are not
    assert before == {f: (workdir / f).stat().st_mtime_ns for f in before}


def test_a_missing_file_is_refused_even_with_results_in_place(after_make_run):
    workdir = after_make_run
    args = user_config(workdir, "gone.yaml", w1="data/raw/Wave1_gone.sav")
    result = snakemake(workdir, *args)
    assert result.returncode != 0
    assert "waves/W1: data/raw/Wave1_gone.sav: file not found" in result.stderr
    assert "Nothing to be done" not in result.stderr


def test_a_failed_run_leaves_no_result_of_an_earlier_run(after_make_run):
    workdir = after_make_run
    broken = workdir / "data/raw/Wave1_truncated.sav"
    good = (workdir / "data/raw/Wave1_20170906.sav").read_bytes()
    broken.write_bytes(good[: len(good) // 3])
    args = user_config(workdir, "broken.yaml", w1=str(broken.relative_to(workdir)))
    result = snakemake(workdir, *args)
    assert result.returncode != 0 and "Wave1_truncated.sav" in result.stderr
    files = results_files(workdir)
    for earlier in (
        "results/tables/table4.md",
        "results/tables/institution_trust.csv",
        "results/reproduction.md",
        "results/tables/waves/W1/institution_trust.csv",
        "results/reproduction.verdict",
        "results/report.html",
    ):
        assert earlier not in files, earlier  # fmt: skip
    # the manifest, written first, is of the failed run
    manifest = json.loads((workdir / "results/run.json").read_text())
    assert "data/raw/Wave1_truncated.sav" in manifest["files"]
    assert "results/tables/table4.md" in manifest["outputs"]
    # and there is no run to report
    report = snakemake(
        workdir, "--report", "results/report.html", "--configfile", "results/run-config.yaml"
    )
    assert report.returncode != 0 and "did not finish" in report.stderr
    # fixed, the run is whole again and the marker is gone
    result = snakemake(workdir, *user_config(workdir))
    assert result.returncode == 0, result.stderr[-3000:]
    assert (workdir / "results/tables/table4.md").exists()


def without_label(src, dst, edit):
    """A copy of a fixture file as another release would be: no SYNTHETIC label, edited."""
    frame, meta = pyreadstat.read_sav(str(src), apply_value_formats=False)
    edit(frame)
    pyreadstat.write_sav(
        frame, str(dst), column_labels=meta.column_labels,
        variable_value_labels=meta.variable_value_labels,
        variable_format=meta.original_variable_types,
    )  # fmt: skip


def test_hostile_names_tiny_cells_and_absurd_weights(tmp_path):
    """A `<final>` and a `{v2}` in file names; a country-wave of one respondent; one weight
    of 1e300. Correct results or clear notes, never inf, never that person's answers."""
    workdir = scratch_copy(tmp_path)
    raw = workdir / "data/raw"
    raw.mkdir(parents=True)
    w3 = w3_frame(n=400, seed=8)
    w3["country"] = 4.0
    w3.loc[399, "country"] = 7.0  # one respondent in Taiwan
    w3.loc[399, [f"q{i}" for i in range(7, 20)]] = 1.0
    write_w3_like(raw / "W3 <final>.sav", w3)

    def one_absurd_weight(frame):
        frame.loc[0, "w"] = 1e300

    without_label(ROOT / "data/fixture/W4_china_synthetic.sav", raw / "W4 {v2}.sav",
                  one_absurd_weight)  # fmt: skip
    (workdir / "my.yaml").write_text(
        'waves:\n  W3: {file: "data/raw/W3 <final>.sav"}\n  W4: {file: "data/raw/W4 {v2}.sav"}\n'
        "countries: [china, taiwan, vietnam]\nstrict: false\n"
    )
    (raw / "W5.sav").write_bytes(b"")  # not configured: never looked at
    result = snakemake(workdir, "--configfile", "config/config.yaml", "my.yaml")
    # vietnam is in neither wave: the only refusal, after the waves were read
    assert result.returncode != 0 and "countries ['vietnam'] have no respondents" in result.stderr
    (workdir / "my.yaml").write_text((workdir / "my.yaml").read_text().replace(", vietnam", ""))
    result = snakemake(workdir, "--configfile", "config/config.yaml", "my.yaml")
    assert result.returncode == 0, result.stderr[-3000:]

    for path in (workdir / "results").rglob("*.csv"):
        text = path.read_text()
        assert "inf" not in text.lower().replace("info", ""), path
    trust = pd.read_csv(workdir / "results/tables/institution_trust.csv")
    taiwan = trust[trust["country"] == "taiwan"]
    assert len(taiwan) and taiwan["pct_trust"].isna().all()
    # A weighted share is refused exactly where the respondent weighing 1e300 is in its
    # denominator: every item counting nonresponse as not trusting; with nonresponse
    # excluded, the items that respondent answered (codes 1-4 in the raw file).
    first = pyreadstat.read_sav(str(raw / "W4 {v2}.sav"), row_limit=1)[0].iloc[0]
    items = {"courts": "q8", "ngos": "q19", "local_government": "q15", "police": "q14"}
    w4_weighted = trust[(trust["wave"] == "W4") & trust["weighted"]].set_index(
        ["institution", "nonresponse"]
    )
    for institution, variable in items.items():
        answered = 1 <= first[variable] <= 4
        for convention, refused in (("as_not_trusting", True), ("exclude", answered)):
            row = w4_weighted.loc[(institution, convention)]
            assert pd.isna(row["pct_trust"]) == refused, (institution, convention)
            if refused:
                assert "one respondent carries" in row["note"]
    md = (workdir / "results/tables/trust_by_country.md").read_text()
    (taiwan_row,) = [line for line in md.splitlines() if line.startswith("| Taiwan | W3 |")]
    cells = [c.strip() for c in taiwan_row.split("|")[4:-1]]
    assert set(cells) <= {"x", "—"} and "x" in cells  # not that person's 100 %
    assert "x = not shown: fewer than 30 respondents" in md
    coverage = (workdir / "results/tables/coverage.md").read_text()
    assert "| Taiwan | W4 | — | not in file |" in coverage  # taiwan is not in W4's file
    table4 = (workdir / "results/tables/table4.md").read_text()
    if 1 <= first["q19"] <= 4:  # W4's weights unusable for the NGO share: said so
        ngo = next(line for line in table4.splitlines() if line.startswith("| NGOs |"))
        # the share, its change and the change's intervals: none shown, each says why
        assert ngo.endswith("| w | w | w | w | w |")
        assert "w = weighted estimate not shown" in table4
    weights = pd.read_csv(workdir / "results/tables/weights.csv")
    w4 = weights[weights["wave"] == "W4"].iloc[0]
    assert not w4["usable"] and w4["n_effective"] < 1.01
    checks = json.loads((workdir / "results/reproduction.json").read_text())
    w4_share = next(c for c in checks if c["id"] == "t4.ngos.2015")
    assert w4_share["reproduced"] is None and "not shown" in w4_share["note"]
    assert not (workdir / "results/tables/waves/W5").exists()
    # a rerun has nothing to do, although two inputs are parameters only
    assert (
        "Nothing to be done"
        in snakemake(workdir, "-n", "--configfile", "config/config.yaml", "my.yaml").stderr
    )


def test_the_make_report_target_reports_the_last_run(root):
    makefile = (root / "Makefile").read_text()
    target = makefile[makefile.index("\nreport:") : makefile.index("\nfixture:")]
    assert "report: run" not in target  # it used to rerun the default (fixture) config
    assert "--configfile results/run-config.yaml" in target
