"""A new wave is a config entry: a layout the crosswalk has never seen, added without code.

The wave "W7" below uses names, codes and labels that no ABS release has; the test writes a
crosswalk entry and a config override for it, checks with a dry run that only its own
ingest and analysis plus the aggregates would run, then runs it and checks its shares
against values computed here from the raw codes.
"""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pyreadstat
import pytest
import yaml

from conftest import snakemake

pytestmark = pytest.mark.workflow

ASCENDING = {1: "None at all", 2: "Not very much trust", 3: "Quite a lot of trust",
             4: "A great deal of trust", 97: "Don't know", 98: "Refused",
             99: "Missing"}  # fmt: skip
ITEMS = {"local_government": "T_LOCAL", "ngos": "T_NGO", "courts": "T_COURT", "police": "T_POL"}
ENTRY = {
    "description": "a hypothetical wave in a layout no ABS release uses",
    "country": {"variable": "CNTRY"},
    "respondent_id": {"variable": "RESP_ID"},
    "year": {"variable": "INT_YEAR", "kind": "number"},
    "weight": {"variable": "WGT"},
    "trust": {"scale": "trust4_ascending", "nonresponse": [97, 98, 99], "items": ITEMS},
    "demographics": {
        "age": {"variable": "AGE_YRS", "valid": {"min": 15, "max": 110}, "nonresponse": [999]},
        "female": {
            "variable": "GENDER",
            "recode": {1: 0, 2: 1},
            "labels": {1: "male", 2: "female"},
        },
        "education": {"variable": "EDU", "valid": list(range(1, 11))},
        "income": {"variable": "INC_Q", "valid": [1, 2, 3, 4, 5]},
        "urban": {"variable": "URBAN_RURAL", "recode": {1: 1, 2: 0}},
    },
}


def write_w7(path, n=400, seed=7) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    latent = rng.normal(size=n)
    data = pd.DataFrame(
        {
            "CNTRY": np.full(n, 4.0),
            "RESP_ID": np.arange(70001, 70001 + n, dtype=float),
            "INT_YEAR": np.full(n, 2023.0),
            "WGT": rng.uniform(0.5, 1.5, n),
            "AGE_YRS": rng.integers(18, 90, n).astype(float),
            "GENDER": rng.integers(1, 3, n).astype(float),
            "EDU": rng.integers(1, 11, n).astype(float),
            "INC_Q": rng.integers(1, 6, n).astype(float),
            "URBAN_RURAL": rng.integers(1, 3, n).astype(float),
        }
    )
    for k, variable in enumerate(ITEMS.values()):
        score = latent * (0.8 if k < 2 else 0.3) + rng.normal(size=n)
        codes = np.digitize(score, [-1.0, 0.0, 0.9]) + 1.0
        codes[rng.random(n) < 0.08] = rng.choice([97.0, 98.0, 99.0])
        data[variable] = codes
    labels = {v: ASCENDING for v in ITEMS.values()}
    labels["GENDER"] = {1: "Male", 2: "Female"}
    pyreadstat.write_sav(data, str(path), variable_value_labels=labels)
    return data


def jobs_in_dry_run(output: str) -> list[tuple[str, str]]:
    """(rule, wave wildcard or '') for every job a dry run lists."""
    jobs, rule = [], None
    for line in output.splitlines():
        if m := re.match(r"\s*(?:local)?(?:rule|checkpoint) (\w+):", line):
            rule = m.group(1)
            jobs.append((rule, ""))
        elif rule and (m := re.search(r"wildcards: wave=(\w+)", line)):
            jobs[-1] = (rule, m.group(1))
    return jobs


def test_new_wave_by_config_alone(workflow_run, tmp_path):
    workdir = tmp_path / "w"
    shutil.copytree(workflow_run, workdir, symlinks=True)  # a finished W3+W4 run, metadata too
    (workdir / "data/raw").mkdir(parents=True, exist_ok=True)
    raw = write_w7(workdir / "data/raw/W7_synthetic.sav")
    crosswalk = yaml.safe_load((workdir / "config/crosswalk.yaml").read_text())
    crosswalk["waves"]["W7"] = ENTRY
    (workdir / "my_crosswalk.yaml").write_text(yaml.safe_dump(crosswalk, sort_keys=False))
    # W7 beside the shipped fixture's W3 and W4: mixing the synthetic fixture into a run on
    # other files is done on purpose (include_fixture), and labelled
    override = {
        "waves": {"W7": {"file": "data/raw/W7_synthetic.sav"}},
        "include_fixture": True,
        "crosswalk": "my_crosswalk.yaml",
        "weights": {"W7": True},
        "figure1": {"country": "china", "waves": ["W3", "W4", "W7"]},
    }
    (workdir / "my.yaml").write_text(yaml.safe_dump(override))
    args = ("--configfile", "config/config.yaml", "my.yaml")

    dry = snakemake(workdir, "-n", *args)
    assert dry.returncode == 0, dry.stderr[-3000:]
    jobs = jobs_in_dry_run(dry.stdout)
    per_wave = {(rule, wave) for rule, wave in jobs if wave}
    assert per_wave == {("wave", "W7")}, jobs  # no other wave's job reruns
    assert {"tables", "paper_figures", "cross_national_figure"} <= {rule for rule, _ in jobs}

    result = snakemake(workdir, *args)
    assert result.returncode == 0, result.stderr[-3000:]
    trust = pd.read_csv(workdir / "results/tables/institution_trust.csv")
    w7 = trust[(trust["wave"] == "W7") & ~trust["weighted"] & (trust["nonresponse"] == "exclude")]
    assert set(w7["institution"]) == set(ITEMS)
    for institution, variable in ITEMS.items():
        valid = raw[variable][raw[variable].between(1, 4)]
        expected = 100 * valid.isin([3, 4]).mean()  # ascending: 3, 4 are trusting
        got = w7.loc[w7["institution"] == institution, "pct_trust"].iloc[0]
        assert got == pytest.approx(expected, abs=1e-9)
    assert (w7["year"] == 2023).all()
    corr = pd.read_csv(workdir / "results/tables/correlations.csv")
    assert ((corr["wave"] == "W7") & (corr["method"] == "pearson") & (corr["r"] > 0)).any()
    svg = (workdir / "results/figures/local_government_vs_ngo.svg").read_text()
    assert "2023 (ABS W7)" in svg
    assert (workdir / "results/reproduction.verdict").read_text().startswith("PASS: ")
    # the fixture's waves are labelled as synthetic in every table, the new wave is not
    assert trust.loc[trust["wave"] != "W7", "note"].str.startswith("synthetic fixture").all()
    assert trust.loc[trust["wave"] == "W7", "note"].isna().all()
    assert (
        "SYNTHETIC FIXTURE in this run: W3, W4"
        in (workdir / "results/tables/trust_by_country.md").read_text()
    )
