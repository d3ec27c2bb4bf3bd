"""End to end: snakemake on the shipped fixture, in a scratch copy of the workflow.

The expected numbers are typed in from Farid & Song (2020), Table 4 and note 24 — not read
from config/published.yaml, so a wrong entry there cannot make this test agree with it.
"""

from __future__ import annotations

import json
import subprocess
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
import yaml

from conftest import ROOT, SNAKEMAKE, scratch_copy, snakemake

pytestmark = pytest.mark.workflow


@pytest.fixture
def run(workflow_run):
    return workflow_run


# institution: (2011 share, 2015 share, printed change)
TABLE4 = {
    "courts": (85.5, 84.2, -1.3),
    "national_government": (95.9, 94.7, -1.2),
    "parliament": (95.7, 92.6, -3.1),
    "civil_service": (69.4, 63.6, -5.8),
    "military": (96.4, 95.8, -0.6),
    "police": (84.6, 82.4, -2.2),
    "local_government": (80.3, 68.7, -11.5),
    "newspapers": (75.2, 69.2, -6.0),
    "television": (80.3, 76.5, -3.8),
    "ngos": (61.4, 53.1, -8.3),
}
CONTROLS = "age+female+education+income"


def printed(value: float, decimals: int) -> float:
    quantum = Decimal(1).scaleb(-decimals)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def trust(run):
    return pd.read_csv(run / "results/tables/institution_trust.csv")


def share(table, wave, institution, weighted):
    rows = table[
        (table["country"] == "china")
        & (table["wave"] == wave)
        & (table["institution"] == institution)
        & (table["weighted"] == weighted)
        & (table["nonresponse"] == "exclude")
    ]
    assert len(rows) == 1
    return float(rows["pct_trust"].iloc[0])


@pytest.mark.parametrize("institution", list(TABLE4))
def test_table4_every_share_and_change(run, institution):
    table = trust(run)
    s2011 = share(table, "W3", institution, weighted=False)  # W3: unweighted
    s2015 = share(table, "W4", institution, weighted=True)  # W4: weighted by w
    p2011, p2015, change = TABLE4[institution]
    assert printed(s2011, 1) == p2011
    assert printed(s2015, 1) == p2015
    assert printed(s2015 - s2011, 1) == change


def test_note24_correlations(run):
    corr = pd.read_csv(run / "results/tables/correlations.csv", dtype={"controls": "string"})
    corr["controls"] = corr["controls"].fillna("")
    pearson = corr[(corr["method"] == "pearson") & (corr["x"] == "local_government")]
    w4 = pearson[(pearson["wave"] == "W4") & (pearson["y"] == "ngos")]
    bivariate = w4[(w4["controls"] == "") & w4["weighted"]].iloc[0]
    partial = w4[(w4["controls"] == CONTROLS) & w4["weighted"]].iloc[0]
    assert printed(bivariate["r"], 3) == 0.293
    assert abs(partial["r"] - 0.293) <= 0.01
    assert bivariate["p"] < 0.001 and partial["p"] < 0.001
    assert bivariate["ci_low"] < bivariate["r"] < bivariate["ci_high"]
    assert len(w4[~w4["weighted"]]) == 2  # unweighted values reported beside
    w3 = corr[(corr["wave"] == "W3") & (corr["controls"] == "")]
    assert (w3["r"] > 0).all()  # 2011: positive, not published (every method)
    assert set(corr["method"]) == {"pearson", "spearman", "polychoric"}


def test_table4_markdown_and_latex(run):
    md = (run / "results/tables/table4.md").read_text()
    assert "| Local government | 80.3 | 68.7 | -11.5 |" in md
    assert "| NGOs | 61.4 | 53.1 | -8.3 |" in md
    assert "2015: ABS W4, 4,068 respondents; weighted by `w`" in md
    assert "2011: ABS W3, 3,473 respondents; unweighted" in md
    assert "SYNTHETIC FIXTURE" in md
    assert r"\toprule" in (run / "results/tables/table4.tex").read_text()


def test_reproduction_report_passes(run):
    checks = json.loads((run / "results/reproduction.json").read_text())
    assert len(checks) == 34 and all(c["ok"] for c in checks)
    verdict = (run / "results/reproduction.verdict").read_text().strip()
    assert verdict == "PASS: 34 of 34 published checks reproduced"
    md = (run / "results/reproduction.md").read_text()
    assert "**Verdict: PASS**" in md and "Synthetic fixture" in md


def test_figures_say_synthetic_and_have_size(run):
    from PIL import Image

    for name in ("local_government_vs_ngo", "institution_trust"):
        svg = (run / f"results/figures/{name}.svg").read_text()
        assert "Synthetic fixture" in svg
        with Image.open(run / f"results/figures/{name}.png") as png:
            assert png.size[0] >= 1500  # 300 dpi at >= 5 inches wide
            assert png.info.get("dpi", (0, 0))[0] == pytest.approx(300, abs=1)
    assert (
        "Trust in local government"
        in (run / "results/figures/local_government_vs_ngo.svg").read_text()
    )


def test_results_hold_aggregates_only(run):
    ids = set(pd.read_parquet(run / "data/interim/W4.parquet")["respondent_id"].astype(str))
    for path in (run / "results").rglob("*"):
        if path.is_dir():
            continue
        assert path.suffix in {
            ".csv", ".md", ".tex", ".json", ".png", ".svg", ".pdf", ".verdict", ".rst", ".html",
            ".yaml",  # run-config.yaml: the config of the run
        }, path  # fmt: skip
        if path.suffix == ".csv":
            table = pd.read_csv(path)
            assert "respondent_id" not in table.columns
            assert len(table) < 500, path  # aggregates: a few rows per country-wave
            assert not ids & set(table.astype(str).stack()), path


def test_rerun_has_nothing_to_do(run):
    result = snakemake(run, "-n")
    assert result.returncode == 0
    assert "Nothing to be done" in result.stdout + result.stderr


def bad_run(tmp_path, edit_crosswalk=None, target="results/reproduction.verdict", config=()):
    workdir = scratch_copy(tmp_path)
    if edit_crosswalk:
        path = workdir / "config/crosswalk.yaml"
        crosswalk = yaml.safe_load(path.read_text())
        edit_crosswalk(crosswalk)
        path.write_text(yaml.safe_dump(crosswalk, sort_keys=False))
    return workdir, snakemake(workdir, target, *config)


def cant_choose_is_an_answer(cw):
    # "Can't choose" (8) becomes a fifth, lowest answer instead of nonresponse
    cw["scales"]["with_cant_choose"] = {
        "labels": {1: "a great deal", 2: "quite a lot", 3: "not very much", 4: "none at all",
                   8: "can't choose"},
        "recode": {1: 5, 2: 4, 3: 3, 4: 2, 8: 1},
        "trusting": [1, 2],
        "level_labels": ["Can't choose", "None", "Not very much", "Quite a lot", "Great deal"],
    }  # fmt: skip
    for wave in ("W3", "W4"):
        cw["waves"][wave]["trust"]["scale"] = "with_cant_choose"
        cw["waves"][wave]["trust"]["nonresponse"] = [-1, 7, 9]


def test_counting_cant_choose_as_an_answer_fails_the_gate(tmp_path):
    workdir, result = bad_run(tmp_path, cant_choose_is_an_answer)
    assert result.returncode != 0
    assert "FAIL: " in result.stderr and "published checks not reproduced" in result.stderr
    assert "NGOs: % trusting, 2015 (ABS W4)" in result.stderr
    assert not (workdir / "results/reproduction.verdict").exists()
    checks = {c["id"]: c for c in json.loads((workdir / "results/reproduction.json").read_text())}
    assert checks["t4.ngos.2015"]["ok"] is False
    assert checks["t4.ngos.2015"]["reproduced"] < 53.05  # the share moved down


def test_strict_false_keeps_outputs_of_a_failing_check(tmp_path):
    workdir, result = bad_run(
        tmp_path, cant_choose_is_an_answer, config=("--config", "strict=False")
    )
    assert result.returncode == 0, result.stderr[-2000:]
    verdict = (workdir / "results/reproduction.verdict").read_text()
    assert verdict.startswith("FAIL: ") and "[strict: false, so the run goes on]" in verdict
    assert "**Verdict: FAIL**" in (workdir / "results/reproduction.md").read_text()


def test_reversed_scale_in_crosswalk_is_caught_at_ingest(tmp_path):
    def reverse(cw):
        cw["waves"]["W4"]["trust"]["scale"] = "trust4_ascending"

    workdir, result = bad_run(tmp_path, reverse, target="data/interim/W4.parquet")
    assert result.returncode != 0
    assert "W4_china_synthetic.sav" in result.stderr and "'q7'" in result.stderr
    assert "reversed or relabelled" in result.stderr
    assert not (workdir / "data/interim/W4.parquet").exists()


def test_unknown_config_key_fails_before_any_job(tmp_path):
    workdir = scratch_copy(tmp_path)
    bad = workdir / "bad.yaml"
    bad.write_text((workdir / "config/config.yaml").read_text() + "\nstrcit: false\n")
    result = snakemake(workdir, "-n", "--configfile", "bad.yaml")
    assert result.returncode != 0 and "strcit" in result.stderr


def test_raw_files_unchanged_and_logs_hold_no_rows(run):
    from abs_trust.readers.columns import sha256sum

    meta = json.loads((run / "data/interim/W3.json").read_text())
    for source in meta["sources"]:
        assert sha256sum(run / source["path"]) == source["sha256"]
        assert sha256sum(ROOT / source["path"]) == source["sha256"]  # the committed fixture
    ids = set(pd.read_parquet(run / "data/interim/W3.parquet")["respondent_id"].astype(str))
    for log in (run / "logs").rglob("*.log"):
        text = log.read_text()
        # one summary line per job (and its warnings), not data
        assert len(text.splitlines()) < 20, log
        assert not any(f" {i} " in text or f",{i}," in text for i in list(ids)[:200]), log


def test_one_core_gives_byte_identical_tables(run, tmp_path):
    workdir = scratch_copy(tmp_path)
    result = subprocess.run(
        [SNAKEMAKE, "--quiet", "progress", "--cores", "1"],
        cwd=workdir, capture_output=True, text=True, timeout=600,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    # what the workflow writes (the shared run also holds the report and its screenshots)
    produced = sorted(
        p.relative_to(workdir) for p in (workdir / "results").rglob("*") if p.is_file()
    )
    assert produced
    for rel in produced:
        if rel.suffix in {".csv", ".md", ".tex", ".json", ".svg", ".verdict", ".html", ".rst"}:
            assert (workdir / rel).read_bytes() == (run / rel).read_bytes(), rel


def test_missing_input_then_fixed_input_reruns_cleanly(tmp_path):
    workdir = scratch_copy(tmp_path)
    fixture = workdir / "data/fixture/W4_china_synthetic.sav"
    kept = fixture.read_bytes()
    fixture.write_bytes(kept[: len(kept) // 2])  # a truncated file
    result = snakemake(workdir, "data/interim/W4.json")
    assert result.returncode != 0
    assert "W4_china_synthetic.sav" in result.stderr and "corrupt" in result.stderr
    assert not (workdir / "data/interim/W4.parquet").exists()
    assert not (workdir / "data/interim/W4.json").exists()
    fixture.unlink()
    result = snakemake(workdir, "data/interim/W4.json")
    assert result.returncode != 0 and "W4_china_synthetic.sav" in result.stderr
    fixture.write_bytes(kept)
    result = snakemake(workdir, "data/interim/W4.json")
    assert result.returncode == 0, result.stderr[-2000:]


@pytest.mark.parametrize(
    ("extra", "named"),
    [
        ("countries: [china, atlantis]\n", "atlantis"),
        ("waves: {W3: {file: data/fixture/W3_china_synthetic.sav}, W7: {file: x.sav}}\n", "W7"),
        ("waves: {W5: {}}\n", "W5"),
        ("controls: [age, height]\n", "height"),
        ("preload: true\n", "preload"),  # the key of the retired forking interpreter
        # a key given twice is refused, naming it (YAML would keep the last one silently)
        ("strict: true\nnonresponse: exclude\nstrict: false\n", "duplicate key 'strict'"),
        ("correlations: [[ngos, ngos]]\n", "correlates 'ngos' with itself"),
        ("correlations: [[ngos, churches]]\n", "churches"),
        ("table4: {country: atlantis}\n", "atlantis"),
        ("waves: {W1: {file: /dev/null}}\n", "/dev/null: is a character device"),
        ("waves: {W1: {file: data}}\n", "data: is a directory"),
    ],
)
def test_invalid_config_is_refused_naming_the_key(tmp_path, extra, named):
    workdir = scratch_copy(tmp_path)
    (workdir / "bad.yaml").write_text(extra)
    result = snakemake(workdir, "-n", "--configfile", "config/config.yaml", "bad.yaml")
    assert result.returncode != 0 and named in result.stderr


def test_dry_run_writes_nothing(run, tmp_path):
    workdir = scratch_copy(tmp_path)
    result = snakemake(workdir, "-n")
    assert result.returncode == 0, result.stderr[-2000:]
    assert not (workdir / "logs").exists() and not (workdir / "results").exists()


def test_a_failing_job_fails_the_run_naming_the_file(tmp_path):
    workdir = scratch_copy(tmp_path)
    fixture = workdir / "data/fixture/W4_china_synthetic.sav"
    fixture.write_bytes(fixture.read_bytes()[:5000])  # truncated: the W4 job fails
    result = snakemake(workdir)
    assert result.returncode != 0 and "W4_china_synthetic.sav" in result.stderr
    log = (workdir / "logs/wave/W4.log").read_text()
    assert "W4_china_synthetic.sav" in log and "truncated, corrupt" in log
    assert not (workdir / "data/interim/W4.parquet").exists()
