"""The figure gallery: every figure drawn by its workflow job for a one-country run, a
multi-country run and a six-wave run, and read back from the SVG by its text.

The inputs are small per-wave tables and respondent frames written here (the figures' jobs
read nothing else), with countries, years, waves and weights chosen so that each expected
title, legend entry and note can be written down from the inputs alone. Matplotlib's SVG
draws text as paths and puts each text's string in a comment beside them; that comment is
what is read, so the checks are about words, not pixels. ``ABS_TRUST_GALLERY=dir`` keeps the
PNGs for a look.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree

import numpy as np
import pandas as pd
import pytest

from abs_trust.steps.figures import cross_national_figure_job, paper_figures_job

TABLE4 = ["courts", "national_government", "parliament", "civil_service", "military", "police",
          "local_government", "newspapers", "television", "ngos"]  # fmt: skip
LEVELS = ["None at all", "Not very much", "Quite a lot", "A great deal"]

# run name -> {wave: (year per country, weighted?)}; every country is in every listed wave
RUNS = {
    "one_country": {"countries": ["taiwan"], "waves": {"W3": 2010, "W4": 2014}},
    "multi_country": {
        "countries": ["japan", "korea", "taiwan"],
        "waves": {"W3": 2011, "W4": 2015},
    },
    "six_waves": {
        "countries": ["china", "hong_kong"],
        "waves": {"W1": 2002, "W2": 2008, "W3": 2011, "W4": 2015, "W5": 2019, "W6": 2022},
    },
}
# W1 has no weight that varies: its estimates are unweighted in every figure
UNWEIGHTED_WAVES = {"W1"}
RESPONDENTS = {"china": 1200, "hong_kong": 900, "japan": 1100, "korea": 1000, "taiwan": 800}
# NGOs are not asked in W1 (as in the real W1 battery): no W1 NGO share, no W1 correlation
NOT_ASKED = {("W1", "ngos")}


def svg_texts(path: Path) -> list[str]:
    """Every text of a matplotlib SVG, in drawing order: the comments a ``text_N`` group holds
    (one per line of the text), the lines joined by a space."""
    parser = ElementTree.XMLParser(target=ElementTree.TreeBuilder(insert_comments=True))
    root = ElementTree.fromstring(path.read_text(encoding="utf-8"), parser=parser)
    texts = []
    for group in root.iter("{http://www.w3.org/2000/svg}g"):
        if re.fullmatch(r"text_\d+", group.get("id", "")):
            lines = [c.text.strip() for c in group if c.tag is ElementTree.Comment]
            texts.append(" ".join(lines))
    return texts


def respondents(country: str, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = RESPONDENTS[country]
    local = rng.integers(1, 5, n)
    ngos = np.clip(local + rng.integers(-1, 2, n), 1, 4)
    return pd.DataFrame(
        {
            "country": country,
            "weight": rng.uniform(0.5, 1.5, n),
            "trust_local_government": pd.array(local, dtype="Int8"),
            "trust_ngos": pd.array(ngos, dtype="Int8"),
        }
    )


def write_run(root: Path, spec: dict) -> SimpleNamespace:
    """Per-wave tables, frames and metas of a run; the figure jobs' input namespace."""
    waves = list(spec["waves"])
    files = {"corr": [], "trust": [], "metas": [], "parquets": []}
    for k, (wave, year) in enumerate(spec["waves"].items()):
        folder = root / wave
        folder.mkdir(parents=True)
        weighted = wave not in UNWEIGHTED_WAVES
        corr, trust, frames = [], [], []
        for c, country in enumerate(spec["countries"]):
            r = round(0.2 + 0.03 * k + 0.05 * c, 4)
            n = RESPONDENTS[country] - 100
            if (wave, "ngos") not in NOT_ASKED:
                for w in [False, True] if weighted else [False]:
                    corr.append({"country": country, "wave": wave, "year": year,
                                 "x": "local_government", "y": "ngos", "method": "pearson",
                                 "controls": "", "weighted": w, "r": r, "p": 1e-9, "n": n,
                                 "ci_low": r - 0.04, "ci_high": r + 0.04, "df": n - 2,
                                 "note": ""})  # fmt: skip
            for i, institution in enumerate(TABLE4):
                if (wave, institution) in NOT_ASKED:
                    continue
                share = 50.0 + 4 * i + k + c
                for w in [False, True] if weighted else [False]:
                    trust.append({"country": country, "wave": wave, "year": year,
                                  "institution": institution, "pct_trust": share + 0.3 * w,
                                  "n_valid": n, "n_nonresponse": 100, "weighted": w,
                                  "ci_low": share - 1.5, "ci_high": share + 1.5,
                                  "nonresponse": "exclude"})  # fmt: skip
            frames.append(respondents(country, seed=k * 10 + c))
        columns = ["country", "wave", "year", "x", "y", "method", "controls", "weighted", "r",
                   "p", "n", "ci_low", "ci_high", "df", "note"]  # fmt: skip
        pd.DataFrame(corr, columns=columns).to_csv(folder / "correlations.csv", index=False)
        pd.DataFrame(trust).to_csv(folder / "institution_trust.csv", index=False)
        pd.concat(frames, ignore_index=True).to_parquet(folder / "frame.parquet")
        meta = {
            "wave": wave,
            "weight_variable": "w" if weighted else None,
            "synthetic": True,
            "scale": {"level_labels": LEVELS, "comparable": ""},
            "countries": {
                c: {
                    "year": year,
                    "respondents": RESPONDENTS[c],
                    "weight_varies": weighted,
                    "weight_missing": False,
                }
                for c in spec["countries"]
            },  # fmt: skip
            "sources": [{"path": f"{wave}.sav", "rows": 1, "sha256": "0" * 64}],
        }
        (folder / "meta.json").write_text(json.dumps(meta))
        files["corr"].append(str(folder / "correlations.csv"))
        files["trust"].append(str(folder / "institution_trust.csv"))
        files["metas"].append(str(folder / "meta.json"))
        files["parquets"].append(str(folder / "frame.parquet"))
    return SimpleNamespace(waves=waves, **files)


@pytest.fixture(scope="module", params=list(RUNS))
def gallery(request, tmp_path_factory):
    """Draw every figure of one run with the workflow's figure jobs; the SVG texts."""
    name = request.param
    spec = RUNS[name]
    root = tmp_path_factory.mktemp(name)
    run = write_run(root / "in", spec)
    country = spec["countries"][-1]  # Table 4 and Figure 1 of the last country listed
    out = {
        stem: {fmt: str(root / f"{stem}.{fmt}") for fmt in ("png", "svg", "pdf")}
        for stem in ("figure1", "table4", "correlations")
    }
    weights = {w: True for w in run.waves}
    plan = {"applicable": True, "country": country, "waves": run.waves, "explicit": False,
            "reason": ""}  # fmt: skip
    paper_figures_job(
        SimpleNamespace(correlations=run.corr, trust=run.trust, metas=run.metas,
                        parquets=run.parquets),
        SimpleNamespace(**{f"figure1_{f}": p for f, p in out["figure1"].items()},
                        **{f"trust_{f}": p for f, p in out["table4"].items()}),
        SimpleNamespace(figure1=plan, table4=plan, figure1_country=country,
                        figure1_waves=run.waves,
                        figure1_weighted=weights, table4_country=country,
                        table4_waves=run.waves, table4_weighted=weights,
                        nonresponse="exclude"),
    )  # fmt: skip
    cross_national_figure_job(
        SimpleNamespace(correlations=run.corr, metas=run.metas),
        SimpleNamespace(**out["correlations"]),
        SimpleNamespace(pair=["local_government", "ngos"], weights_on=True),
    )
    keep = os.environ.get("ABS_TRUST_GALLERY")
    if keep:
        Path(keep).mkdir(parents=True, exist_ok=True)
        for stem, paths in out.items():
            shutil.copy(paths["png"], Path(keep) / f"{name}_{stem}.png")
    texts = {stem: svg_texts(Path(paths["svg"])) for stem, paths in out.items()}
    return SimpleNamespace(name=name, spec=spec, country=country, texts=texts)


def joined_years(years: list[int]) -> str:
    words = [str(y) for y in years]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1]


LABELS = {"taiwan": "Taiwan", "korea": "Korea", "japan": "Japan", "china": "mainland China",
          "hong_kong": "Hong Kong"}  # fmt: skip


def test_figure1_names_country_years_method_weighting_and_n(gallery):
    texts = gallery.texts["figure1"]
    spec, country = gallery.spec, gallery.country
    asked = {w: y for w, y in spec["waves"].items() if (w, "ngos") not in NOT_ASKED}
    title = (
        f"Trust in local government and in NGOs, {LABELS[country]}, "
        f"{joined_years(list(asked.values()))}"
    )
    assert " ".join(texts).count(title) == 1, texts[-6:]
    for wave, year in asked.items():
        assert f"{year} (ABS {wave})" in texts  # a panel per wave asking both items
        weighting = "unweighted" if wave in UNWEIGHTED_WAVES else "weighted"
        n = RESPONDENTS[country] - 100
        assert any(t.startswith("r = ") and f"({weighting}, n = {n:,})" in t for t in texts)
    notes = " ".join(t for t in texts if t.startswith("Cells:"))
    assert "Pearson's r" in notes
    for wave, year in asked.items():
        weighting = "unweighted" if wave in UNWEIGHTED_WAVES else "weighted by w"
        assert f"{year}: ABS {wave}, {weighting}" in notes
    if country != "china":
        assert not any("China" in t for t in texts)


def test_table4_chart_labels_every_value_and_marks_items_not_asked(gallery):
    texts = gallery.texts["table4"]
    spec, country = gallery.spec, gallery.country
    years = list(spec["waves"].values())
    assert f"Public trust in institutions, {LABELS[country]}, {joined_years(years)}" in texts
    for wave, year in spec["waves"].items():
        weighting = "unweighted" if wave in UNWEIGHTED_WAVES else "weighted"
        assert f"{year} ({wave}, {weighting})" in texts  # legend
    # every share drawn is labelled: NGOs (the 10th row) in each wave asking it
    c = spec["countries"].index(country)
    for k, (wave, _) in enumerate(spec["waves"].items()):
        if (wave, "ngos") in NOT_ASKED:
            continue
        share = 50.0 + 4 * 9 + k + c + (0.0 if wave in UNWEIGHTED_WAVES else 0.3)
        assert f"{share:.1f}" in texts, (wave, share)
    missing = [y for w, y in spec["waves"].items() if (w, "ngos") in NOT_ASKED]
    if missing:
        assert f"NGOs (not asked in {' or '.join(map(str, missing))})" in texts
    else:
        assert "NGOs" in texts
    notes = " ".join(t for t in texts if t.startswith("% trusting (a great deal"))
    for wave, year in spec["waves"].items():
        n = RESPONDENTS[country]
        assert f"{year}: ABS {wave}, {n:,} respondents" in notes


def test_correlation_figure_says_pearson_weighting_and_joins_only_consecutive_waves(gallery):
    texts = gallery.texts["correlations"]
    spec = gallery.spec
    assert "Trust in local government and in NGOs: Pearson r by country and wave" in " ".join(texts)
    # one panel per country, in the order of the country slugs
    headings = [LABELS[c][:1].upper() + LABELS[c][1:] for c in sorted(spec["countries"])]
    assert [t for t in texts if t in headings] == headings
    notes = " ".join(t for t in texts if t.startswith("Bivariate Pearson r"))
    flags = {w not in UNWEIGHTED_WAVES for w in spec["waves"] if (w, "ngos") not in NOT_ASKED}
    if flags == {True}:
        assert "All estimates weighted" in notes
    else:
        assert "open markers: unweighted" in notes
    assert "consecutive waves of a country at most 6 years apart" in notes
    for country in spec["countries"]:
        n = RESPONDENTS[country] - 100
        assert sum(t.endswith(f"n = {n:,}") for t in texts) >= 1
