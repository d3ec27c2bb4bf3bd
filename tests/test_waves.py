"""Every ABS wave's crosswalk entry, checked end to end on files in that wave's real layout.

W1 and W6 files carry the complete real dictionaries (tests/layouts/abs_w*_layout.json); W2-W5
files the variables the codebook describes (tests/layouts/build.py). The expected harmonized
values are computed here from the raw codes with the codebook's rules (abs_codebook.md §1-3),
written out independently of config/crosswalk.yaml: where the two disagree, one is wrong.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from layouts.build import (
    FACTS,
    facts_frame,
    layout_frame,
    load_layout,
    write_facts,
    write_layout_csv,
    write_layout_sav,
)

from abs_trust.errors import CrosswalkMismatchError, InputFileError
from abs_trust.harmonize.crosswalk import INSTITUTIONS, load_crosswalk
from abs_trust.harmonize.ingest import ingest_wave
from abs_trust.stats.shares import coverage_table
from conftest import ROOT

CW = load_crosswalk(ROOT / "config" / "crosswalk.yaml")

# ABS country codes (one list for every wave; 18 = India is labelled in W5's COUNTRY).
SLUGS = {
    1: "japan", 2: "hong_kong", 3: "korea", 4: "china", 5: "mongolia", 6: "philippines",
    7: "taiwan", 8: "thailand", 9: "indonesia", 10: "singapore", 11: "vietnam",
    12: "cambodia", 13: "malaysia", 14: "myanmar", 15: "australia", 16: "new_zealand",
    17: "timor_leste", 18: "india",
}  # fmt: skip


# --- the codebook's rules, stated without the crosswalk ------------------------------------
def keep(*codes):
    """Codes kept as they are; every other code is missing."""
    return lambda s: s.where(s.isin(codes))


def mapping(table: dict):
    return lambda s: s.map(table)


def between(lo, hi):
    return lambda s: s.where(s.between(lo, hi))


ASCENDING4 = {c: c for c in (1, 2, 3, 4)}  # W1, W2: keep x
DESCENDING4 = {c: 5 - c for c in (1, 2, 3, 4)}  # W3, W4, W6: 5 - x
DESCENDING6 = {c: 7 - c for c in range(1, 7)}  # W5: 7 - x
BATTERY = dict(  # W2-W4 (and W5/W6 up to q15): q7 executive ... q15 local government
    zip(
        ["executive", "courts", "national_government", "political_parties", "parliament",
         "civil_service", "military", "police", "local_government"],
        [f"q{i}" for i in range(7, 16)],
        strict=True,
    )
)  # fmt: skip
FEMALE = {1: 0, 2: 1}
LADDER = tuple(range(1, 11))
QUINTILE = (1, 2, 3, 4, 5)
RULES = {
    "W1": {
        "country": "country", "id": "idnumber", "year": "yrsurvey", "weight": "w_all",
        "trust": ASCENDING4,
        # no executive item in W1; q007 courts ... q018 NGOs
        "items": dict(zip(INSTITUTIONS[1:], [f"q{i:03d}" for i in range(7, 19)], strict=True)),
        "demographics": {
            "age": ("se003a", between(15, 110)),  # 999 = No answer; se003 is the age group
            "female": ("se002", mapping(FEMALE)),  # 99 = No answer
            "education": ("se005", keep(*LADDER)),  # 98, 99
            "income": ("se009", keep(*QUINTILE)),  # 97, 98, 99
            "urban": ("level3", mapping({1: 1, 2: 0})),  # 3 = no registration -> missing
        },
    },
    "W2": {
        "country": "country", "id": "idnumber", "year": "ir9_3", "weight": "w_all",
        "trust": ASCENDING4,
        "items": {**BATTERY, "newspapers": "q16", "television": "q17",
                  "election_commission": "q18", "ngos": "q19"},
        "demographics": {
            "age": ("se3a", lambda s: s.mask(s.isin([97, 98, 99]))),  # labelled missing codes
            "female": ("se2", mapping(FEMALE)),
            "education": ("se5", keep(*LADDER)),  # 11 = Other -> missing
            "income": ("se9", keep(*QUINTILE)),  # se9 is income in W2 only
            "urban": ("level3", mapping({1: 1, 2: 0})),
        },
    },
    "W3": {
        "country": "country", "id": "idnumber", "year": "ir9", "weight": "allweight",
        "trust": DESCENDING4,
        "items": {**BATTERY, "newspapers": "q16", "television": "q17",
                  "election_commission": "q18", "ngos": "q19"},
        "demographics": {
            "age": ("se3a", between(15, 110)),
            "female": ("se2", mapping(FEMALE)),
            "education": ("se5", keep(*LADDER)),
            "income": ("se13", keep(*QUINTILE)),
            "urban": ("level3", mapping({1: 1, 2: 0})),  # W3: 1 = urban
        },
    },
    "W4": {
        "country": "country", "id": "idnumber", "year": "year", "weight": "w",
        "trust": DESCENDING4,
        "items": {**BATTERY, "newspapers": "q16", "television": "q17",
                  "election_commission": "q18", "ngos": "q19"},
        "demographics": {
            "age": ("se3_2", between(15, 110)),  # se3_1 is the birth year
            "female": ("se2", mapping(FEMALE)),
            "education": ("se5", keep(*LADDER)),
            "income": ("se14", keep(*QUINTILE)),
            "urban": ("level", mapping({1: 0, 2: 1})),  # W4 on: 1 = RURAL
        },
    },
    "W5": {
        "country": "COUNTRY", "id": "IDnumber", "year": "Year", "weight": "w",
        "trust": DESCENDING6,
        "items": {**BATTERY, "election_commission": "q16", "ngos": "q17",
                  "television": "q53", "newspapers": "q54"},
        "demographics": {
            "age": ("SE3_1", between(15, 110)),  # 999 = refuse, -1
            "female": ("SE2", mapping(FEMALE)),  # 3 = Other -> missing
            "education": ("SE5", keep(*LADDER)),
            "income": ("SE14", keep(*QUINTILE)),
            "urban": ("Level", mapping({1: 0, 2: 1})),
        },
    },
    "W6": {
        "country": "COUNTRY", "id": "IDNUMBER", "year": "YEAR", "weight": "W",
        "trust": DESCENDING4,
        # no newspapers/television; q18/q19 are group membership
        "items": {**BATTERY, "election_commission": "q16", "ngos": "q17"},
        "demographics": {
            "age": ("SE3_1", between(15, 110)),
            "female": ("SE2", mapping(FEMALE)),  # 0, 99
            "education": ("SE5", keep(*LADDER)),
            "income": ("SE14", keep(*QUINTILE)),  # 1501-1505 (AUD bands) -> missing
            "urban": ("LEVEL", mapping({1: 0, 2: 1})),
        },
    },
}  # fmt: skip


def same(actual: pd.Series, expected: pd.Series, what: str) -> None:
    np.testing.assert_array_equal(
        actual.astype("float64").to_numpy(),
        pd.to_numeric(expected, errors="coerce").astype("float64").to_numpy(),
        err_msg=what,
    )


def assert_harmonized(frame: pd.DataFrame, raw: pd.DataFrame, wave: str) -> None:
    """The harmonized frame equals the codebook's rules applied to the raw codes."""
    rules = RULES[wave]
    raw = raw.reset_index(drop=True)
    assert len(frame) == len(raw)
    assert frame["wave"].eq(wave).all()
    assert frame["country"].tolist() == raw[rules["country"]].map(SLUGS).tolist()
    same(frame["respondent_id"], raw[rules["id"]], "respondent_id")
    year = raw[rules["year"]]
    same(frame["year"], year.dt.year if hasattr(year, "dt") else year, "year")
    same(frame["weight"], raw[rules["weight"]], "weight")
    for institution in INSTITUTIONS:
        column = frame[f"trust_{institution}"]
        variable = rules["items"].get(institution)
        if variable is None:
            assert column.isna().all(), f"{wave} has no {institution} item"
            continue
        expected = raw[variable].map(rules["trust"])
        # the data exercise both answers and nonresponse, else the check proves little
        assert expected.notna().any() and expected.isna().any(), (wave, variable)
        same(column, expected, f"{wave} {institution} ({variable})")
    for concept, (variable, rule) in rules["demographics"].items():
        same(frame[concept], rule(raw[variable]), f"{wave} {concept} ({variable})")


# --- W1: the complete real dictionary ------------------------------------------------------
def test_w1_file_in_the_real_layout(tmp_path):
    layout = load_layout("W1")
    n = 60
    raw = layout_frame(layout, n, seed=11, idnumber=np.arange(1, n + 1))
    # make sure the rare codes occur: 0 "Not sure", 999 no age, level3 3 "no registration"
    raw.loc[0, "q007"], raw.loc[1, "se003a"], raw.loc[2, "level3"] = 0, 999, 3
    raw.loc[3, "se009"], raw.loc[4, "se002"] = 97, 99
    path = write_layout_sav(layout, tmp_path / "Wave1_20170906.sav", raw)

    _, meta = pyreadstat.read_sav(str(path), metadataonly=True)  # it is the real layout
    assert meta.column_names == layout["column_names"]
    assert meta.original_variable_types == layout["formats"]

    # The real release is Big5 (config: `encoding: big5`); pyreadstat writes UTF-8 only, and
    # two value labels of se012btw hold full-width characters, so this copy is read as the
    # UTF-8 it declares, and forcing big5 on it must fail loudly, naming the file.
    with pytest.raises(InputFileError, match=r"Wave1_20170906.sav: text cannot be decoded as big5"):
        ingest_wave([str(path)], CW.wave("W1"), CW, "all", encoding="big5")
    frame, info = ingest_wave([str(path)], CW.wave("W1"), CW, "all")
    assert_harmonized(frame, raw, "W1")
    assert pd.isna(frame.loc[2, "urban"]) and pd.isna(frame.loc[1, "age"])
    assert "executive" not in info["items"] and frame["trust_executive"].isna().all()
    assert info["scale"]["name"] == "trust4_ascending"
    assert info["scale"]["trusting_levels"] == [3, 4]
    assert set(info["countries"]) <= {SLUGS[c] for c in range(1, 9)}

    years = {c: v["year"] for c, v in info["countries"].items()}
    coverage = coverage_table(frame, INSTITUTIONS, dict(CW.wave("W1").items), years)
    executive = coverage[coverage["institution"] == "executive"]
    assert not executive["asked"].any()
    assert executive["note"].eq("no such item in this wave").all()


# --- W6: per-country files, the complete real dictionary --------------------------------------
def w6_country(country: int, n: int, seed: int, year: int, **overrides) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ages = rng.integers(18, 90, n).astype(float)
    ages[:2] = [-1, 0]  # the Cambodia file labels -1 Missing, 0 Not applicable
    return layout_frame(
        load_layout("W6"),
        n,
        seed=seed,
        COUNTRY=[country] * n,
        IDNUMBER=np.arange(1, n + 1),  # ids restart in every country file
        YEAR=[year] * n,
        SE3_1=ages,
        **overrides,
    )


def test_w6_country_files_make_one_wave(tmp_path):
    layout = load_layout("W6")
    cambodia = w6_country(12, 40, seed=21, year=2022)
    bands = [1501, 1502, 1503, 1504, 1505, 1, 3, 5, -1, 8]  # Australia's AUD income bands
    australia = w6_country(15, 30, seed=22, year=2023, SE14=bands * 3)
    files = [
        write_layout_sav(layout, tmp_path / "W6_Cambodia_Release_20240819.sav", cambodia),
        write_layout_sav(layout, tmp_path / "W6_15_Australia_Release_20250305.sav", australia),
    ]
    spec = CW.wave("W6")
    assert not {"q18", "q19"} & {v.lower() for v in spec.variables()}  # membership, not trust

    frame, info = ingest_wave([str(f) for f in files], spec, CW, "all")
    assert_harmonized(frame, pd.concat([cambodia, australia]), "W6")
    assert {
        c: {k: v[k] for k in ("respondents", "year")} for c, v in info["countries"].items()
    } == {
        "australia": {"respondents": 30, "year": 2023},
        "cambodia": {"respondents": 40, "year": 2022},
    }
    assert len(info["sources"]) == 2
    assert frame["trust_newspapers"].isna().all() and frame["trust_television"].isna().all()
    aus = frame[frame["country"] == "australia"].reset_index(drop=True)
    assert aus["income"].isna().to_numpy().tolist() == [b not in (1, 3, 5) for b in bands * 3]
    # LEVEL 1 = Rural, 2 = Urban (reversed against W3's level3)
    level = pd.concat([cambodia, australia])["LEVEL"].to_numpy()
    assert (frame["urban"].to_numpy() == (level == 2)).all()


def test_w6_csv_with_codebook_equals_the_sav(tmp_path):
    layout = load_layout("W6")
    raw = w6_country(12, 30, seed=23, year=2022)
    sav = write_layout_sav(layout, tmp_path / "cambodia.sav", raw)
    csv, sidecar = write_layout_csv(layout, tmp_path / "cambodia.csv", raw)
    assert sidecar.name == "cambodia.codebook.yaml"
    from_sav, _ = ingest_wave([str(sav)], CW.wave("W6"), CW, "all")
    from_csv, info = ingest_wave([str(csv)], CW.wave("W6"), CW, "all")
    pd.testing.assert_frame_equal(from_csv, from_sav)
    assert_harmonized(from_csv, raw, "W6")
    assert info["sources"][0]["path"] == str(csv)


# --- W2-W5: the battery, demographics, ids and weights from the codebook --------------------
CASES = [
    ("W2", ".sav", [4, 1]),
    ("W3", ".sav", [4, 7]),
    ("W4", ".sav", [4, 14]),
    ("W4", ".dta", [4, 14]),
    ("W5", ".sav", [4, 18]),
    ("W5", ".dta", [4, 18]),
]


@pytest.mark.parametrize(("wave", "suffix", "countries"), CASES)
def test_wave_layout_from_the_codebook(tmp_path, wave, suffix, countries):
    raw = facts_frame(wave, 80, countries, seed=31)
    path = write_facts(wave, tmp_path / f"{wave}{suffix}", raw)
    frame, info = ingest_wave([str(path)], CW.wave(wave), CW, "all")
    assert_harmonized(frame, raw, wave)
    assert sorted(info["countries"]) == sorted(SLUGS[c] for c in countries)


def test_w5_six_point_scale(tmp_path):
    raw = facts_frame("W5", 60, [4], seed=41)
    raw.loc[0, ["q7", "q53", "SE2", "q54"]] = [1, 0, 3, 6]  # trust fully; n/a; Other; distrust
    raw.loc[1, ["q7", "q17"]] = [0, 97]  # 0 is unlabelled in the battery: nonresponse too
    path = write_facts("W5", tmp_path / "w5.dta", raw)
    frame, info = ingest_wave([str(path)], CW.wave("W5"), CW, ["china"])
    assert_harmonized(frame, raw, "W5")
    assert frame.loc[0, "trust_executive"] == 6 and frame.loc[0, "trust_newspapers"] == 1
    assert pd.isna(frame.loc[0, "trust_television"]) and pd.isna(frame.loc[0, "female"])
    assert pd.isna(frame.loc[1, "trust_executive"]) and pd.isna(frame.loc[1, "trust_ngos"])
    scale = info["scale"]
    assert scale["points"] == 6 and scale["trusting_levels"] == [4, 5, 6]  # fully/a lot/somewhat
    assert "not comparable" in scale["comparable"]


def test_w5_reversed_six_point_labels_are_refused(tmp_path):
    raw = facts_frame("W5", 20, [4], seed=42)
    path = write_facts("W5", tmp_path / "w5.sav", raw)
    reversed_labels = {c: t for c, t in zip(range(1, 7), [
        "Distrust fully", "Distrust a lot", "Distrust somewhat", "Trust somewhat",
        "Trust a lot", "Trust fully"], strict=True)}  # fmt: skip
    labels = {name: dict(vl) for name, _, vl in FACTS["W5"] if vl}
    labels["q8"] = {**labels["q8"], **reversed_labels}
    pyreadstat.write_sav(
        raw,
        str(path),
        variable_value_labels={k: {float(c): t for c, t in v.items()} for k, v in labels.items()},
    )
    with pytest.raises(CrosswalkMismatchError, match=r"'q8'.*code 4 is labelled 'Trust somewhat'"):
        ingest_wave([str(path)], CW.wave("W5"), CW, "all")


@pytest.mark.parametrize("case", [str.upper, str.lower])
def test_w5_names_match_in_any_case(tmp_path, case):
    raw = facts_frame("W5", 30, [4], seed=43)
    labels = {case(name): vl for name, _, vl in FACTS["W5"] if vl}
    path = tmp_path / "w5.sav"
    pyreadstat.write_sav(
        raw.rename(columns=case),
        str(path),
        variable_value_labels={k: {float(c): t for c, t in v.items()} for k, v in labels.items()},
    )
    frame, _ = ingest_wave([str(path)], CW.wave("W5"), CW, "all")
    assert_harmonized(frame, raw, "W5")


def test_w2_china_items_not_asked_are_reported_as_such(tmp_path):
    raw = facts_frame("W2", 60, [4, 1], seed=51)
    china = raw["country"] == 4
    rng = np.random.default_rng(0)
    for item in ("q7", "q18"):  # CB2: executive and election commission not asked in China
        raw.loc[china, item] = rng.choice([7.0, 8.0, 9.0], int(china.sum()))
    path = write_facts("W2", tmp_path / "Wave2_20170724.sav", raw)
    spec = CW.wave("W2")
    frame, info = ingest_wave([str(path)], spec, CW, "all")
    years = {c: v["year"] for c, v in info["countries"].items()}
    coverage = coverage_table(frame, INSTITUTIONS, dict(spec.items), years).set_index(
        ["country", "institution"]
    )
    for institution in ("executive", "election_commission"):
        row = coverage.loc[("china", institution)]
        assert not row["asked"] and row["nonresponse_share"] == 1.0
        assert "not asked" in row["note"]
        assert coverage.loc[("japan", institution), "asked"]
    assert coverage.loc[("china", "ngos"), "asked"]  # NGOs were asked in China (CB2)


def test_w2_age_codes_97_99_are_missing_only_when_labelled(tmp_path):
    raw = facts_frame("W2", 40, [4], seed=52)
    raw.loc[:2, "se3a"] = [97, 98, 99]
    labelled = write_facts("W2", tmp_path / "labelled.sav", raw)
    frame, _ = ingest_wave([str(labelled)], CW.wave("W2"), CW, "all")
    assert frame.loc[:2, "age"].isna().all()
    assert frame.loc[3:, "age"].notna().sum() == raw.loc[3:, "se3a"].lt(97).sum()

    unlabelled = tmp_path / "unlabelled.sav"
    labels = {name: vl for name, _, vl in FACTS["W2"] if vl and name != "se3a"}
    pyreadstat.write_sav(
        raw,
        str(unlabelled),
        variable_value_labels={k: {float(c): t for c, t in v.items()} for k, v in labels.items()},
    )
    with pytest.raises(CrosswalkMismatchError, match=r"'se3a'"):
        ingest_wave([str(unlabelled)], CW.wave("W2"), CW, "all")
