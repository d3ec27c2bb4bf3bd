"""The optional `bootstrap` job, run by the workflow: asked for by `bootstrap:`, absent without.

The interval arithmetic is tested in test_bootstrap.py; here, that the job is part of a run
when configured, that its estimates are the run's own (the shares of institution_trust.csv,
the r of correlations.csv, computed by other code), that its SEs agree with the analytic
ones, and that a later run without `bootstrap:` leaves no bootstrap table of the earlier one.
"""

from __future__ import annotations

import pandas as pd
import pytest

from conftest import scratch_copy, snakemake

pytestmark = pytest.mark.workflow

REPS, SEED = 400, 11


@pytest.fixture(scope="module")
def bootstrapped(tmp_path_factory):
    workdir = scratch_copy(tmp_path_factory.mktemp("bootstrap"))
    (workdir / "boot.yaml").write_text(
        f"bootstrap:\n  replicates: {REPS}\n  seed: {SEED}\n", encoding="utf-8"
    )
    result = snakemake(workdir, "--configfile", "config/config.yaml", "boot.yaml")
    assert result.returncode == 0, result.stderr[-3000:]
    return workdir


def test_the_bootstrap_job_reports_the_runs_estimates_with_their_intervals(bootstrapped):
    boot = pd.read_csv(bootstrapped / "results/tables/bootstrap.csv", keep_default_na=False)
    assert set(boot["wave"]) == {"W3", "W4"}
    assert (boot["reps"] == REPS).all() and (boot["seed"] == SEED).all()

    trust = pd.read_csv(bootstrapped / "results/tables/institution_trust.csv")
    keys = ["country", "wave", "institution", "weighted", "nonresponse"]
    shares = boot[boot["quantity"] == "share"].rename(columns={"item": "institution"})
    both = shares[[*keys, "estimate", "boot_se", "ci_low", "ci_high"]].merge(
        trust[[*keys, "pct_trust", "se"]], on=keys, validate="one_to_one"
    )
    assert len(both) == len(shares) == len(trust)  # every share, none invented
    assert both["estimate"].to_numpy() == pytest.approx(both["pct_trust"].to_numpy(), abs=1e-9)
    # B = 400: the Monte-Carlo error of a bootstrap SE is about 1 / sqrt(2 B) = 3.5 %
    ratio = both["boot_se"] / both["se"]
    assert ratio.between(0.85, 1.15).all(), both.loc[~ratio.between(0.85, 1.15), keys]
    assert (both["ci_low"] < both["estimate"]).all() and (both["estimate"] < both["ci_high"]).all()

    corr = pd.read_csv(bootstrapped / "results/tables/correlations.csv", keep_default_na=False)
    r = boot[(boot["quantity"] == "r") & (boot["method"] == "pearson")]
    pearson = corr[corr["method"] == "pearson"]
    on = ["country", "wave", "controls", "weighted"]
    joined = r[[*on, "estimate"]].merge(pearson[[*on, "r"]], on=on, validate="one_to_one")
    assert len(joined) == len(r) == 8  # 2 waves x bivariate/partial x weighted or not
    assert joined["estimate"].to_numpy() == pytest.approx(joined["r"].to_numpy(), abs=1e-12)

    # readable in the report like every other table: its view, captioned, in the page
    page = (bootstrapped / "results/report/tables/bootstrap.html").read_text(encoding="utf-8")
    assert "Bootstrap intervals of the shares and correlations" in page
    assert f"{REPS} replicates (seed {SEED})" in page and "Synthetic fixture" in page
    report = snakemake(bootstrapped, "--report", "results/report.html", "--configfile",
                       "results/run-config.yaml")  # fmt: skip
    assert report.returncode == 0, report.stderr[-3000:]
    html = (bootstrapped / "results/report.html").read_text(encoding="utf-8")
    assert "bootstrap.html" in html and f"{REPS} replicates, seed" in html


def test_a_run_without_bootstrap_leaves_no_bootstrap_table(bootstrapped):
    result = snakemake(bootstrapped)  # config/config.yaml only: bootstrap: null
    assert result.returncode == 0, result.stderr[-3000:]
    assert not (bootstrapped / "results/tables/bootstrap.csv").exists()
    assert not (bootstrapped / "results/report/tables/bootstrap.html").exists()
