"""Every ABS wave and country end to end: W1-W6 in their real layouts, through the workflow.

The files come from benchmarks/fullscale.py at 5 % of the real sample sizes (small country
samples on purpose: sparse tables and too-few-cases flags must not break a run), with W6
Australia's income in Australian-dollar bands as in the real release (all missing as a
quintile, so its income-controlled models cannot be estimated and must say so).
"""

from __future__ import annotations

import json
import subprocess
import sys

import pandas as pd
import pytest

from conftest import ROOT, scratch_copy, snakemake

pytestmark = pytest.mark.workflow


@pytest.fixture(scope="module")
def all_waves(tmp_path_factory):
    data = tmp_path_factory.mktemp("abs")
    subprocess.run(
        [sys.executable, str(ROOT / "benchmarks/fullscale.py"), "--out", str(data),
         "--scale", "0.05", "--australia-income-bands"],
        check=True, capture_output=True, timeout=300,
    )  # fmt: skip
    workdir = scratch_copy(tmp_path_factory.mktemp("workflow"))
    result = snakemake(workdir, "--configfile", "config/config.yaml", str(data / "fullscale.yaml"))
    assert result.returncode == 0, result.stderr[-4000:]
    return workdir


def test_every_wave_and_country_is_tabulated(all_waves):
    trust = pd.read_csv(all_waves / "results/tables/institution_trust.csv")
    assert sorted(trust["wave"].unique()) == ["W1", "W2", "W3", "W4", "W5", "W6"]
    assert "china" not in set(trust.loc[trust["wave"] == "W6", "country"])  # no China in W6
    assert trust.groupby("wave")["country"].nunique().min() >= 8
    assert (trust.loc[trust["wave"] == "W5", "scale"] == "trust6_descending").all()
    assert (trust.loc[trust["wave"] != "W5", "scale"].str.startswith("trust4_")).all()
    shown = trust["pct_trust"].notna()
    assert trust.loc[shown, "pct_trust"].between(0, 100).all()
    # 5 % samples: small cells are suppressed, and say so; most are shown
    notes = trust.loc[~shown, "note"].fillna("").astype(str)
    assert notes.str.startswith(("suppressed", "weighted estimate")).all()
    assert shown.mean() > 0.5
    w6 = trust[trust["wave"] == "W6"]
    assert not {"newspapers", "television"} & set(w6["institution"])


def test_w5s_repeated_hong_kong_ids_are_kept_counted_and_logged(all_waves):
    # the generator repeats 2 Hong Kong ids in W5, as the real release does (abs_codebook.md §2)
    meta = json.loads((all_waves / "data/interim/W5.json").read_text())
    repeats = {c: facts["rows_repeating_an_id"] for c, facts in meta["countries"].items()}
    assert repeats.pop("hong_kong") == 2 and set(repeats.values()) == {0}
    frame = pd.read_parquet(all_waves / "data/interim/W5.parquet")
    hong_kong = frame[frame["country"] == "hong_kong"]
    assert len(hong_kong) == meta["countries"]["hong_kong"]["respondents"]
    assert hong_kong["respondent_id"].duplicated().sum() == 2
    log = (all_waves / "logs/wave/W5.log").read_text()
    assert "hong_kong W5: 2 row(s) repeat a respondent id" in log


def test_not_asked_items_are_listed_not_zero(all_waves):
    coverage = pd.read_csv(all_waves / "results/tables/coverage.csv", keep_default_na=False)
    w1 = coverage[(coverage["wave"] == "W1") & (coverage["institution"] == "executive")]
    assert (~w1["asked"]).all() and (w1["note"] == "no such item in this wave").all()
    china_w2 = coverage[(coverage["wave"] == "W2") & (coverage["country"] == "china")]
    assert not china_w2.set_index("institution").loc["executive", "asked"]
    trust = pd.read_csv(all_waves / "results/tables/institution_trust.csv")
    china_w2_rows = trust[(trust["wave"] == "W2") & (trust["country"] == "china")]
    assert "executive" not in set(china_w2_rows["institution"])


def test_models_without_cases_are_flagged(all_waves):
    models = pd.read_csv(all_waves / "results/tables/models.csv")
    australia = models[(models["wave"] == "W6") & (models["country"] == "australia")]
    assert len(australia) and australia["note"].str.startswith("not estimated").all()
    assert models.loc[models["country"] != "australia", "coef"].notna().any()


def test_cross_national_outputs(all_waves):
    corr = pd.read_csv(all_waves / "results/tables/correlations.csv")
    trust = pd.read_csv(all_waves / "results/tables/institution_trust.csv")
    # NGO trust was not asked in Hong Kong in W1, nor in Hong Kong, Korea, Taiwan in W2
    # (official codebooks, abs_codebook.md §1a): no correlation there, every other country.
    not_asked = {"W1": {"hong_kong"}, "W2": {"hong_kong", "korea", "taiwan"}}
    for wave, group in trust.groupby("wave"):
        expected = set(group["country"]) - not_asked.get(wave, set())
        assert set(corr.loc[corr["wave"] == wave, "country"]) == expected, wave
    for name in ("correlation_by_country.png", "local_government_vs_ngo.png"):
        assert (all_waves / "results/figures" / name).stat().st_size > 10_000
    md = (all_waves / "results/tables/trust_by_country.md").read_text()
    assert "not comparable" in md  # W5's six-point note
    # Table 4 (China, W1-W5 here) names the files of its own waves, not W6's twelve
    table4 = (all_waves / "results/tables/table4.md").read_text()
    (data,) = [line for line in table4.splitlines() if line.startswith("Data: ")]
    assert [part.split(" ")[0] for part in data.removeprefix("Data: ").split("; ")[:-1]] == [
        "W1", "W2", "W3", "W4", "W5"
    ]  # fmt: skip


def test_comparability_outputs(all_waves):
    tables = all_waves / "results/tables"
    invariance = pd.read_csv(tables / "invariance.csv", keep_default_na=False)
    across = invariance[invariance["comparison"] == "across_countries"]
    assert set(across["wave"]) == {"W1", "W2", "W3", "W4", "W5", "W6"}
    fitted = invariance[invariance["level"] != ""]
    assert set(fitted["level"]) == {"configural", "metric", "scalar"}
    assert fitted["converged"].astype(str).eq("True").all()
    # China across its four-point waves only: W5's six points are not pooled with four
    china = invariance[(invariance["comparison"] == "across_waves")
                       & (invariance["country"] == "china")]  # fmt: skip
    assert set(china["wave"]) == {"W1 W2 W3 W4"}
    # every country-wave has its levels; a note wherever a level falls short
    levels = pd.read_csv(tables / "comparability.csv", keep_default_na=False)
    trust = pd.read_csv(tables / "institution_trust.csv", keep_default_na=False)
    assert len(levels) == trust[["country", "wave"]].drop_duplicates().shape[0]
    short = levels["across_countries"].isin(["none", "configural", "metric"])
    assert (levels.loc[short, "note_shares"] != "").all()
    noted = trust.merge(levels, on=["country", "wave"])
    assert (noted["comparability"] == noted["note_shares"]).all()
    # those notes are footnotes of the shares table in every format, its report view too
    assert short.any()
    for path in ("tables/trust_by_country.md", "tables/trust_by_country.tex",
                 "report/tables/trust_by_country.html"):  # fmt: skip
        text = (all_waves / "results" / path).read_text(encoding="utf-8")
        assert "Measurement invariance (results/tables/invariance.csv): " in text, path
    # provenance: aggregates per code, one block per country x wave x variable
    provenance = pd.read_csv(tables / "harmonization.csv", keep_default_na=False)
    assert {"W1", "W6"} <= set(provenance["wave"]) and "respondent_id" not in provenance
    w5 = provenance[(provenance["wave"] == "W5") & provenance["variable"].str.startswith("trust")]
    assert (w5["scale_points"].astype(int) == 6).all()
    assert w5["rule"].str.contains("top 3 of 6").all()
    # scale mappings of W5: rows added to sensitivity.csv, the changes they move listed
    sensitivity = pd.read_csv(tables / "sensitivity.csv")
    mapped = sensitivity[sensitivity["convention"].str.startswith("scale_")]
    assert set(mapped["wave"]) == {"W5"}
    assert {"scale_top3_of_6", "scale_top2_of_6", "scale_cdf_matched_W4",
            "scale_cdf_matched_W6"} <= set(mapped["convention"])  # fmt: skip
    changes = pd.read_csv(tables / "scale_changes.csv")
    assert set(changes["to_wave"]) | set(changes["from_wave"]) >= {"W4", "W5", "W6"}
