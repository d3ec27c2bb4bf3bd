"""The crosswalk suggester, on files in each wave's real release layout.

W1 and W6 files carry the complete real dictionaries (../shared/reference/layouts/*.json:
every variable, label, value label and format); W3/W4/W5 files carry the trust battery and the
demographics as abs_codebook.md and the public label dumps give them. Expectations are written
out literally from the codebook, not derived from the code under test.
"""

from __future__ import annotations

import argparse
import copy
import datetime as dt
import json
from pathlib import Path

import pandas as pd
import pyreadstat
import pytest
import yaml
from layouts.build import EDUCATION, W4_TRUST, W5_MEDIA, W5_TRUST

from abs_trust.config import read_yaml
from abs_trust.harmonize import crosswalk as crosswalk_module
from abs_trust.harmonize.crosswalk import parse_crosswalk
from abs_trust.tools import suggest
from abs_trust.tools.suggest import match_institution, render_yaml, suggest_crosswalk
from conftest import ROOT, W3_TRUST_LABELS

SHIPPED_PATH = ROOT / "config" / "crosswalk.yaml"
SHIPPED = read_yaml(SHIPPED_PATH)
# The suggester is tested against the four-point scales only: the shipped crosswalk now also
# has W5's trust6_descending, which it would (rightly) reuse instead of proposing it.
RAW = copy.deepcopy(SHIPPED)
RAW["scales"] = {k: v for k, v in RAW["scales"].items() if k.startswith("trust4_")}
RAW["waves"] = {k: v for k, v in RAW["waves"].items() if RAW["scales"].get(v["trust"]["scale"])}
RAW["countries"] = {k: v for k, v in RAW["countries"].items() if v != "india"}  # W5 flags 18
CROSSWALK = RAW
LAYOUTS = ROOT / "tests" / "layouts"  # copies of ../shared/reference/layouts


# --- writing files in a release layout ------------------------------------------------------
def _value(code_labels: dict | None, fmt: str, row: int):
    if fmt.upper().startswith("A"):
        return "x"
    if fmt.upper().startswith("DATE"):
        return dt.date(2011, 5, 1) + dt.timedelta(days=row)
    codes = sorted(code_labels or {1: ""})
    return float(codes[row % len(codes)])


def write_layout(path: Path, variables: list[tuple], rows: int = 3) -> Path:
    """Write a .sav from ``(name, label, value_labels, format)`` rows, with synthetic values."""
    data, labels, value_labels, formats = {}, {}, {}, {}
    for name, label, codes, fmt in variables:
        fmt = fmt or "F8.0"
        data[name] = [_value(codes, fmt, r) for r in range(rows)]
        labels[name] = label
        formats[name] = fmt
        if codes:
            value_labels[name] = codes
    pyreadstat.write_sav(
        pd.DataFrame(data),
        str(path),
        column_labels=labels,
        variable_value_labels=value_labels,
        variable_format=formats,
    )
    return path


def write_real_layout(json_path: Path, path: Path) -> Path:
    """Every variable of a real release dictionary, with its labels and formats."""
    layout = json.loads(json_path.read_text(encoding="utf-8"))
    variables = []
    for name in layout["column_names"]:
        fmt = layout["formats"].get(name) or "F8.0"
        raw = layout["value_labels"].get(name) or {}
        if fmt.upper().startswith("A"):
            codes = {str(k): v for k, v in raw.items()}
        else:
            codes = {
                (int(float(k)) if float(k).is_integer() else float(k)): v for k, v in raw.items()
            }
        variables.append((name, layout["labels"].get(name), codes, fmt))
    return write_layout(path, variables)


def trust_battery(labels: list[str], codes: dict, first: int = 7) -> list[tuple]:
    return [(f"q{first + i}", text, codes, "F2.0") for i, text in enumerate(labels)]


ORGANISATIONS = {
    -1: "Missing",
    0: "Not applicable",
    1: "Political parties",
    2: "Residential & community associations",
    3: "Religious groups",
    90: "Not a member of any organization or group",
}
INFLUENCE = {
    -1: "Missing",
    1: "A great deal of influence",
    2: "Some influence",
    3: "Not much influence",
    4: "No influence at all",
}

# W3 (ABS3 merge): labels as the release's label dump gives them.
W3_VARIABLES = [
    ("country", "Country Code", {-1: "Missing", 1: "Japan", 4: "Mainland China", 7: "Taiwan"}, 0),
    ("idnumber", "case number", {-1: "Missing"}, 0),
    ("level3", "urban-rural", {-1: "Missing", 1: "urban", 2: "rural"}, 0),
    *trust_battery(
        [
            "q7. I'm going to name a number of institutions. For each one, please tell me how "
            "much trust do you have in them? The president",
            "q8. The courts",
            "q9. The national government [in capital city]",
            "q10. Political parties [not any specific party]",
            "q11. Parliament",
            "q12. Civil service",
            "q13. The military(or armed forces)",
            "q14. The police",
            "q15. Local government",
            "q16. Newspapers",
            "q17. Television",
            "q18. The election commission [specify institution by name] <Optional>",
            "q19. Non-governmental organizations or NGOs <Optional>",
        ],
        W3_TRUST_LABELS,
    ),
    ("q20", "q20. Could you identity the three most important organizations", ORGANISATIONS, 0),
    (
        "q25",
        "q25. How much trust do you have in each of the following types of people?   Your "
        "relatives",
        {-1: "Missing", 1: "A great deal of Trust", 2: "Quite a lot of Trust"}
        | {3: "Not very much Trust", 4: "None at all", 7: "Do not understand", 8: "Can't choose"},
        0,
    ),
    ("q160", "q160. How much influence does China have on our country?", INFLUENCE, 0),
    ("se2", "SE2. GENDER", {-1: "Missing", 1: "Male", 2: "Female"}, 0),
    ("se3", "SE3. BIRTH YEAR", {-1: "Missing"}, 0),
    ("se3a", "SE3a.ACTUAL AGE", {-1: "Missing"}, 0),
    ("se5", "SE5. EDUCATION", {-1: "Missing"} | EDUCATION | {98: "Can't choose", 99: "Decline"}, 0),
    (
        "se5a",
        "SE5a. How many years of formal education you have received?",
        {-1: "Missing", 90: "Not applicable", 97: "No answer", 98: "Cannot choose"},
        0,
    ),
    (
        "se9",
        "SE9. Are you currently employed?(respondent)",
        {-1: "Missing", 1: "Employed", 2: "Not employed", 9: "Decline to answer"},
        0,
    ),
    (
        "se13",
        "SE13. HOUSEHOLD INCOME",
        {-1: "Missing", 1: "Lowest level", 2: "Low level", 3: "Middle level", 4: "High level"}
        | {5: "Highest level", 8: "Can't choose", 9: "Decline to answer"},
        0,
    ),
    (
        "se13a",
        "SE13a. Does the total income of your household allow you to satisfactorily cover your "
        "needs?",
        {-1: "Missing", 1: "Our income covers the needs well, we can save.", 9: "Decline"},
        0,
    ),
    ("ir2a", "IR2a. Interviewer's gender", {-1: "Missing", 1: "Male", 2: "Female"}, 0),
    ("ir9", "Date of Interview____(month)____(date)_2010_(year)", None, "DATE11"),
    ("allweight", "individual country weight", None, "F8.2"),
    ("couweight", "cross-country weight", None, "F8.2"),
]

W4_VARIABLES = [
    ("country", "Country code", {-1: "Missing", 4: "China", 14: "Myanmar"}, 0),
    ("idnumber", "case number", None, 0),
    ("year", "Interview year", {-1: "Missing"}, 0),
    ("level", "Rural or urban", {-1: "Missing", 1: "Rural", 2: "Urban"}, 0),
    *trust_battery(
        [
            "7 Trust in the excutive office (president or prime minister)",
            "8 The courts",
            "9 National government in the capital city",
            "10 Political parties",
            "11 Parliament",
            "12 Civil service",
            "13 The military",
            "14 The police",
            "15 Local government",
            "16 Newspaper",
            "17 Television",
            "18 The election commission",
            "19 Non-government organizations or NGOs",
        ],
        W4_TRUST,
    ),
    ("q26", "26. How much do you trust your relatives?", W4_TRUST, 0),
    ("se2", "SE2. Gender", {-1: "Missing", 1: "Male", 2: "Female"}, 0),
    ("se3_1", "SE3_1. Birth year", {-1: "Missing"}, 0),
    ("se3_2", "SE3_2. Age", {-1: "Missing"}, 0),
    (
        "se5",
        "SE5. Education",
        {-1: "Missing"}
        | EDUCATION
        | {11: "Other", 97: "Do not understand the question", 98: "Can't choose", 99: "Decline"},
        0,
    ),
    (
        "se14",
        "SE14. Household income quintile",
        {-1: "Missing", 1: "Lowest quintile", 2: "2nd quintile", 3: "3rd quintile"}
        | {4: "4th quintile", 5: "Highest quintile", 8: "Can't choose", 9: "Decline to answer"},
        0,
    ),
    ("w", "Individual country weight", None, "F8.4"),
    ("w_cross", "Cross-country weight", None, "F8.4"),
]

W5_VARIABLES = [
    ("COUNTRY", "Country code", {1: "Japan", 4: "China", 15: "Australia", 18: "India"}, 0),
    ("Year", "Interview year", None, 0),
    ("Month", "Interview month", {-1: "Missing", 1: "January", 12: "December"}, 0),
    ("IDnumber", "case number", None, 0),
    ("Level", "Rural or urban", {-1: "Missing", 1: "Rural", 2: "Urban"}, 0),
    *trust_battery(
        [
            "7 Trust in the excutive office (president or prime minister)",
            "8 The courts",
            "9 National government in the capital city",
            "10 Political parties[not any specific party]",
            "11 Parliament",
            "12 Civil service",
            "13 The military or armed force",
            "14 The police",
            "15 Local government",
            "16 The election commission",
            "17 Non-government organizations or NGOs",
        ],
        W5_TRUST,
    ),
    ("q18", "18. Name of the organization you belong to. First", ORGANISATIONS, 0),
    ("q19", "19. Name of the organization you belong to. Second", ORGANISATIONS, 0),
    ("q25", "25 Trust in your neighbors", W5_TRUST, 0),
    (
        "q53",
        "53 How much trust do you have in each of the following types of media?Television",
        W5_MEDIA,
        0,
    ),
    (
        "q54",
        "54 How much trust do you have in each of the following types of media?Newspaper",
        W5_MEDIA,
        0,
    ),
    (
        "q55",
        "55 How much trust do you have in each of the following types of media? News on the "
        "internet",
        W5_MEDIA,
        0,
    ),
    ("SE2", "SE2 Gender", {-1: "Missing", 1: "Male", 2: "Female", 3: "Other"}, 0),
    ("SE3", "SE3 Birth year", {-1: "Missing", 999: "Refuse"}, 0),
    ("SE3_1", "SE3_1 Actual age", {-1: "Missing", 999: "Refuse"}, 0),
    (
        "SE5",
        "SE5 EDUCATION",
        {-1: "Missing"}
        | EDUCATION
        | {11: "Other", 97: "Do not understand the question", 98: "Can't choose", 99: "Decline"},
        0,
    ),
    ("SE9", "SE9 Are you currently employed?", {-1: "Missing", 1: "Employed", 2: "No"}, 0),
    (
        "SE14",
        "SE14 Monthly household income",
        {-1: "Missing", 0: "Not applicable", 1: "Lowest quintile", 2: "2nd", 3: "3rd", 4: "4th"}
        | {5: "Highest quintile", 8: "Can't choose", 9: "Decline to answer"},
        0,
    ),
    ("w", "Weight factor", None, "F8.4"),
]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> dict[str, Path]:
    out = tmp_path_factory.mktemp("layouts")
    paths = {
        "W3": write_layout(out / "ABS3 merge.sav", W3_VARIABLES),
        "W4": write_layout(out / "W4_merged.sav", W4_VARIABLES),
        "W5": write_layout(out / "W5_merge.sav", W5_VARIABLES),
    }
    if (LAYOUTS / "abs_w1_layout.json").is_file():
        paths["W1"] = write_real_layout(LAYOUTS / "abs_w1_layout.json", out / "Wave1.sav")
        paths["W6"] = write_real_layout(LAYOUTS / "abs_w6_layout.json", out / "W6_Cambodia.sav")
    return paths


@pytest.fixture(scope="module")
def suggestions(files) -> dict[str, dict]:
    return {
        wave: suggest_crosswalk(path, wave_id=f"{wave}X", crosswalk=CROSSWALK)
        for wave, path in files.items()
    }


def flags_about(suggestion: dict, *words: str) -> list[str]:
    return [f for f in suggestion["flags"] if all(w.lower() in f.lower() for w in words)]


def battery(names: list[str]) -> dict[str, str]:
    return dict(zip(crosswalk_module.INSTITUTIONS, names, strict=False))


# --- institution wording ------------------------------------------------------------------
def test_institution_vocabulary_is_the_crosswalks():
    assert suggest.INSTITUTIONS == crosswalk_module.INSTITUTIONS


@pytest.mark.parametrize(
    ("label", "institution"),
    [
        ("How much trust do you have in local government?", "local_government"),
        ("How much trust do you have in non-governmental organizations?", "ngos"),
        ("How much trust do you have in the national government?", "national_government"),
        ("q15. Local government", "local_government"),
        ("15 Local government", "local_government"),
        ("17 Non-government organizations or NGOs", "ngos"),
        ("q7. ...please tell me how much trust do you have in them? The president", "executive"),
        ("7 Trust in the excutive office (president or prime minister)", "executive"),
        ("q9. The national government [in capital city]", "national_government"),
        ("9 National government in the capital city", "national_government"),
        ("q13. The military(or armed forces)", "military"),
        ("13 The military or armed forces", "military"),
        ("q16. Newspapers", "newspapers"),
        ("q17. Television", "television"),
        (
            "q18. The election commission [specify institution by name] <Optional>",
            "election_commission",
        ),
        ("q11. Parliament", "parliament"),
        ("12 Civil Service", "civil_service"),
        ("q14. The police", "police"),
        ("q8. The courts", "courts"),
        ("10 Political parties [not any specific party]", "political_parties"),
        (
            "53 How much trust do you have in each of the following types of media?Television",
            "television",
        ),
    ],
)
def test_real_item_wordings_name_their_institution(label, institution):
    assert match_institution(label)[0] == [institution]


@pytest.mark.parametrize(
    "label",
    [
        "TRUST POLICE STATION",  # W1 China-only extras: not the standard items
        "TRUST STATE OWNED ENTERPRISES",
        "The Constitution Court(q18_2)",
        "Local MP(q18_1)",
        "25 Trust in your neighbors",
        "141 How much do you trust the Covid-19 related information provided by the government?",
        "19 Name of the organization you belong to. Second",
    ],
)
def test_other_wordings_name_no_institution(label):
    assert match_institution(label)[0] == []


# --- W1: merged release, complete real dictionary ------------------------------------------
def test_w1_layout(suggestions):
    s = suggestions["W1"]
    entry = s["entry"]
    # abs_codebook.md §1a: W1 has no executive item; q007 courts ... q018 NGOs.
    assert entry["trust"]["items"] == {
        "courts": "q007",
        "national_government": "q008",
        "political_parties": "q009",
        "parliament": "q010",
        "civil_service": "q011",
        "military": "q012",
        "police": "q013",
        "local_government": "q014",
        "newspapers": "q015",
        "television": "q016",
        "election_commission": "q017",
        "ngos": "q018",
    }
    assert flags_about(s, "trust.items", "no trust item found for: executive")
    # §1c: 1 = none at all ... 4 = a great deal (ascending); 0 not sure, 98, 99.
    assert entry["trust"]["scale"] == "trust4_ascending" and s["scales"] == {}
    assert entry["trust"]["nonresponse"] == [0, 98, 99]
    # China-only and other country extras are reported, not guessed.
    for extra in ("q018_1", "q018_2", "q018_3", "q018_4", "q018_5", "q018_6", "q018_8"):
        assert flags_about(s, "trust.items", extra, "not mapped"), extra
    assert entry["country"] == {"variable": "country"}
    assert entry["respondent_id"] == {"variable": "idnumber"}
    assert entry["year"] == {"variable": "yrsurvey", "kind": "number"}
    assert entry["weight"] == {"variable": "w_all"}
    assert flags_about(s, "weight", "w_all has no variable label")
    demo = entry["demographics"]
    assert demo["age"] == {
        "variable": "se003a",
        "valid": {"min": 15, "max": 110},
        "nonresponse": [999],
    }
    assert flags_about(s, "demographics.age", "se003", "age group")
    assert demo["female"] == {
        "variable": "se002",
        "recode": {1: 0, 2: 1},
        "nonresponse": [99],
        "labels": {1: "male", 2: "female"},
    }
    assert demo["education"] == {
        "variable": "se005",
        "valid": list(range(1, 11)),
        "nonresponse": [98, 99],
    }
    assert demo["income"] == {
        "variable": "se009",
        "valid": [1, 2, 3, 4, 5],
        "nonresponse": [97, 98, 99],
    }
    # level3: 1 = urban, 2 = rural, 3 = "no registration" (neither: flagged).
    assert demo["urban"]["variable"] == "level3"
    assert demo["urban"]["recode"] == {1: 1, 2: 0}
    assert 3 in demo["urban"]["nonresponse"]
    assert flags_about(s, "demographics.urban", "no registration")


# --- W6: a country release, complete real dictionary, upper-case names ---------------------
def test_w6_layout(suggestions):
    s = suggestions["W6"]
    entry = s["entry"]
    # §1a: no TV or newspaper trust in W6; election commission q16, NGOs q17.
    assert entry["trust"]["items"] == {
        "executive": "q7",
        "courts": "q8",
        "national_government": "q9",
        "political_parties": "q10",
        "parliament": "q11",
        "civil_service": "q12",
        "military": "q13",
        "police": "q14",
        "local_government": "q15",
        "election_commission": "q16",
        "ngos": "q17",
    }
    assert flags_about(s, "no trust item found for: newspapers, television")
    # q18-q21 are group membership (organisation types as value labels): not trust at all.
    assert not any("q19 " in f or "q18 " in f for f in s["flags"])
    assert entry["trust"]["scale"] == "trust4_descending" and s["scales"] == {}
    assert entry["trust"]["nonresponse"] == [-1, 0, 7, 8, 9]
    for interpersonal in ("q24", "q25", "q26", "q27"):
        assert flags_about(s, interpersonal, "matches no institution")
    assert entry["country"] == {"variable": "COUNTRY"}
    assert flags_about(s, "country", "code 4 (china)")
    assert entry["respondent_id"] == {"variable": "IDNUMBER"}
    assert entry["year"] == {"variable": "YEAR", "kind": "number"}
    assert entry["weight"] == {"variable": "W"}
    demo = entry["demographics"]
    assert demo["age"]["variable"] == "SE3_1" and demo["age"]["nonresponse"] == [-1, 0]
    assert demo["female"]["variable"] == "SE2" and demo["female"]["nonresponse"] == [0, 99]
    assert demo["education"] == {
        "variable": "SE5",
        "valid": list(range(1, 11)),
        "nonresponse": [-1, 0, 99],
    }
    assert demo["income"] == {
        "variable": "SE14",
        "valid": [1, 2, 3, 4, 5],
        "nonresponse": [-1, 0, 7, 8, 9],
    }
    assert flags_about(s, "demographics.income", "1501")
    assert demo["urban"] == {
        "variable": "LEVEL",
        "recode": {1: 0, 2: 1},
        "labels": {1: "rural", 2: "urban"},
    }


# --- W3, W4, W5: trust battery and demographics as the codebook gives them ------------------
def test_w3_layout(suggestions):
    s = suggestions["W3"]
    entry = s["entry"]
    assert entry["trust"]["items"] == {
        "executive": "q7",
        "courts": "q8",
        "national_government": "q9",
        "political_parties": "q10",
        "parliament": "q11",
        "civil_service": "q12",
        "military": "q13",
        "police": "q14",
        "local_government": "q15",
        "newspapers": "q16",
        "television": "q17",
        "election_commission": "q18",
        "ngos": "q19",
    }
    assert entry["trust"]["scale"] == "trust4_descending" and s["scales"] == {}
    assert entry["trust"]["nonresponse"] == [-1, 7, 8, 9]
    assert flags_about(s, "q25", "matches no institution")
    assert not flags_about(s, "q160") and not flags_about(s, "q20 ")
    assert entry["country"] == {"variable": "country", "nonresponse": [-1]}
    assert entry["year"] == {"variable": "ir9", "kind": "date"}
    assert entry["weight"] == {"variable": "allweight"}
    demo = entry["demographics"]
    assert demo["age"] == {
        "variable": "se3a",
        "valid": {"min": 15, "max": 110},
        "nonresponse": [-1],
    }
    assert demo["female"]["variable"] == "se2"  # not ir2a, the interviewer's gender
    assert demo["education"] == {
        "variable": "se5",
        "valid": list(range(1, 11)),
        "nonresponse": [-1, 98, 99],
    }
    # §2: W3 income is se13; se9 is employment.
    assert demo["income"] == {
        "variable": "se13",
        "valid": [1, 2, 3, 4, 5],
        "nonresponse": [-1, 8, 9],
    }
    assert flags_about(s, "demographics.income", "not say these are quintiles")
    assert demo["urban"] == {
        "variable": "level3",
        "recode": {1: 1, 2: 0},
        "nonresponse": [-1],
        "labels": {1: "urban", 2: "rural"},
    }


def test_w4_layout(suggestions):
    s = suggestions["W4"]
    entry = s["entry"]
    assert entry["trust"]["items"] == battery(
        ["q7", "q8", "q9", "q10", "q11", "q12", "q13", "q14", "q15", "q16", "q17", "q18", "q19"]
    )
    assert entry["trust"]["scale"] == "trust4_descending"
    assert entry["trust"]["nonresponse"] == [-1, 7, 8, 9]  # -1 is labelled "Mssing"
    assert entry["year"] == {"variable": "year", "kind": "number", "nonresponse": [-1]}
    assert entry["weight"] == {"variable": "w"}
    demo = entry["demographics"]
    assert demo["age"]["variable"] == "se3_2"  # se3_1 is the birth year in W4
    # 11 = "Other" has no place on the 1-10 ladder.
    assert demo["education"] == {
        "variable": "se5",
        "valid": list(range(1, 11)),
        "nonresponse": [-1, 11, 97, 98, 99],
    }
    assert flags_about(s, "demographics.education", "11 'Other'")
    assert demo["income"] == {
        "variable": "se14",
        "valid": [1, 2, 3, 4, 5],
        "nonresponse": [-1, 8, 9],
    }
    # W4 reverses W3's urban coding: level 1 = rural.
    assert demo["urban"] == {
        "variable": "level",
        "recode": {1: 0, 2: 1},
        "nonresponse": [-1],
        "labels": {1: "rural", 2: "urban"},
    }


def test_w5_layout_six_point_scale(suggestions):
    s = suggestions["W5"]
    entry = s["entry"]
    # §1a: W5 election commission q16, NGOs q17; media trust in a separate block, q53/q54.
    assert entry["trust"]["items"] == {
        "executive": "q7",
        "courts": "q8",
        "national_government": "q9",
        "political_parties": "q10",
        "parliament": "q11",
        "civil_service": "q12",
        "military": "q13",
        "police": "q14",
        "local_government": "q15",
        "newspapers": "q54",
        "television": "q53",
        "election_commission": "q16",
        "ngos": "q17",
    }
    assert flags_about(s, "q55", "matches no institution")
    # §1c: 1 = trust fully ... 6 = distrust fully; recode 7 - x; nothing existing fits.
    assert entry["trust"]["scale"] == "trust6_descending"
    scale = s["scales"]["trust6_descending"]
    assert scale["recode"] == {1: 6, 2: 5, 3: 4, 4: 3, 5: 2, 6: 1}
    assert scale["labels"] == {
        1: "trust fully",
        2: "trust a lot",
        3: "trust somewhat",
        4: "distrust somewhat",
        5: "distrust a lot",
        6: "distrust fully",
    }
    assert scale["trusting"] == [1, 2, 3]
    assert (
        scale["level_labels"][0] == "Distrust fully" and scale["level_labels"][-1] == "Trust fully"
    )
    assert flags_about(s, "scales.trust6_descending.trusting", "substantive choice")
    # -1, 97, 98, 99 everywhere; 0 = not applicable only on the media items.
    assert entry["trust"]["nonresponse"] == [-1, 0, 97, 98, 99]
    assert flags_about(s, "trust.nonresponse", "only on q53, q54")
    # Mixed-case names, reported in the file's spelling.
    assert entry["country"] == {"variable": "COUNTRY"}
    assert flags_about(s, "country", "18 'India'")
    assert entry["respondent_id"] == {"variable": "IDnumber"}
    assert entry["year"] == {"variable": "Year", "kind": "number"}
    assert entry["weight"] == {"variable": "w"}
    demo = entry["demographics"]
    assert demo["female"]["variable"] == "SE2" and demo["female"]["nonresponse"] == [-1, 3]
    assert flags_about(s, "demographics.female", "3 'Other'")
    assert demo["age"] == {
        "variable": "SE3_1",
        "valid": {"min": 15, "max": 110},
        "nonresponse": [-1, 999],
    }
    assert demo["income"] == {
        "variable": "SE14",
        "valid": [1, 2, 3, 4, 5],
        "nonresponse": [-1, 0, 8, 9],
    }
    assert demo["urban"]["variable"] == "Level" and demo["urban"]["recode"] == {1: 0, 2: 1}


# --- ambiguity is reported, not guessed ------------------------------------------------------
def test_two_items_for_one_institution_are_both_left_out(tmp_path):
    variables = [
        *W3_VARIABLES[:3],
        ("q8", "q8. The courts", W3_TRUST_LABELS, 0),
        ("q14", "q14. The police", W3_TRUST_LABELS, 0),
        ("q14a", "q14a. The police", W3_TRUST_LABELS, 0),
        ("q15", "q15. Local government", W3_TRUST_LABELS, 0),
        (
            "q16",
            "q16. Newspapers",
            {1: "A great deal", 2: "Some", 3: "Little"} | {4: "Hardly any"} | {5: "None at all"},
            0,
        ),
    ]
    s = suggest_crosswalk(write_layout(tmp_path / "dup.sav", variables), crosswalk=CROSSWALK)
    assert s["entry"]["trust"]["items"] == {"courts": "q8", "local_government": "q15"}
    assert flags_about(s, "trust.items.police", "q14 ", "q14a ", "none is mapped")
    # A five-point item among four-point ones: a wave has one scale.
    assert flags_about(s, "trust.items.newspapers", "different scale")


def test_declared_missing_values_are_nonresponse(tmp_path):
    # A re-saved release that declares its nonresponse codes as SPSS user-missing values; one
    # item also declares an unlabelled code and another a range.
    items = [
        ("q8", "q8. The courts", W3_TRUST_LABELS, 0),
        ("q14", "q14. The police", W3_TRUST_LABELS, 0),
        ("q15", "q15. Local government", W3_TRUST_LABELS, 0),
    ]
    path = write_layout(tmp_path / "resaved.sav", [*W3_VARIABLES[:3], *items])
    data, meta = pyreadstat.read_sav(str(path))
    pyreadstat.write_sav(
        data,
        str(path),
        column_labels=meta.column_names_to_labels,
        variable_value_labels=meta.variable_value_labels,
        missing_ranges={
            "q8": [7, 8, 9],  # SPSS: up to 3 values, or a range and 1 value
            "q14": [8, 9, 97],
            "q15": [{"lo": -9.0, "hi": -1.0}, 7],
        },
    )
    s = suggest_crosswalk(path, crosswalk=CROSSWALK)
    assert s["entry"]["trust"]["scale"] == "trust4_descending"
    assert s["entry"]["trust"]["nonresponse"] == [-1, 7, 8, 9, 97]
    assert flags_about(s, "trust.nonresponse", "97", "only on q14")
    assert flags_about(s, "trust.nonresponse", "declared missing but have no label")
    assert flags_about(s, "trust.nonresponse", "declared missing ranges")


def test_crosswalk_without_the_scale_gets_a_new_one(files):
    raw = copy.deepcopy(RAW)
    del raw["scales"]["trust4_descending"]
    s = suggest_crosswalk(files["W3"], wave_id="W3", crosswalk=raw)
    assert s["entry"]["trust"]["scale"] == "trust4_descending"
    assert s["scales"]["trust4_descending"]["recode"] == {1: 4, 2: 3, 3: 2, 4: 1}
    assert s["scales"]["trust4_descending"]["trusting"] == [1, 2]
    assert flags_about(s, "file", "already has an entry for W3")


# --- the output is a loadable crosswalk entry ------------------------------------------------
@pytest.mark.parametrize("wave", ["W3", "W4", "W5"])
def test_suggested_entry_loads_into_the_real_crosswalk(suggestions, wave):
    s = suggestions[wave]
    raw = copy.deepcopy(RAW)
    raw["scales"].update(s["scales"])
    raw["waves"]["W7"] = s["entry"]
    spec = parse_crosswalk(raw, "crosswalk.yaml + suggestion").wave("W7")
    assert dict(spec.items) == s["entry"]["trust"]["items"]


def test_rendered_yaml_parses_back_and_carries_the_flags(suggestions):
    s = suggestions["W5"]
    text = render_yaml(s)
    parsed = yaml.safe_load(text)
    assert parsed["waves"] == {"W5X": s["entry"]}
    assert parsed["scales"] == s["scales"]
    raw = copy.deepcopy(RAW)
    raw["scales"].update(parsed["scales"])
    raw["waves"].update(parsed["waves"])
    parse_crosswalk(raw, "crosswalk.yaml + rendered suggestion")
    assert text.count("# UNCERTAIN:") == len(s["flags"])
    lines = text.splitlines()
    trusting = next(i for i, line in enumerate(lines) if line.strip().startswith("trusting:"))
    above = "\n".join(lines[trusting - 4 : trusting])
    assert "# UNCERTAIN:" in above and "substantive" in above


def test_w1_weight_flag_sits_next_to_the_weight(suggestions):
    lines = render_yaml(suggestions["W1"]).splitlines()
    weight = lines.index("    weight: {variable: w_all}")
    block = []
    for line in reversed(lines[:weight]):
        if not line.strip().startswith("#"):
            break
        block.append(line)
    assert any("no variable label" in line for line in block)


def test_only_the_dictionary_is_read(files, monkeypatch):
    calls = []
    real = pyreadstat.read_sav

    def spy(path, **kwargs):
        calls.append(kwargs)
        assert kwargs.get("metadataonly") is True, "respondent data must not be read"
        return real(path, **kwargs)

    monkeypatch.setattr(pyreadstat, "read_sav", spy)
    monkeypatch.setattr(pyreadstat, "read_dta", lambda *a, **k: pytest.fail("read_dta called"))
    suggest_crosswalk(files["W3"], encoding="big5", crosswalk=CROSSWALK)
    suggest_crosswalk(files["W4"], crosswalk=CROSSWALK)
    assert len(calls) == 2
    assert calls[0]["encoding"] == "big5"  # passed through (W1 releases are Big5)
    assert "encoding" not in calls[1]  # otherwise pyreadstat detects it from the file


# --- command line ---------------------------------------------------------------------------
def test_main_prints_the_yaml(files, capsys):
    assert suggest.main([str(files["W3"]), "--wave", "W7", "--crosswalk", str(SHIPPED_PATH)]) == 0
    out = capsys.readouterr()
    assert yaml.safe_load(out.out)["waves"]["W7"]["trust"]["items"]["executive"] == "q7"
    assert "uncertain point" in out.err


def test_subcommand_wiring_and_errors(tmp_path, capsys):
    parser = argparse.ArgumentParser(prog="abs-trust")
    sub = parser.add_subparsers(dest="command")
    suggest.add_arguments(sub.add_parser("suggest-crosswalk"))
    args = parser.parse_args(["suggest-crosswalk", str(tmp_path / "absent.sav"), "--wave", "W7"])
    assert (args.wave, args.encoding) == ("W7", None)
    assert suggest.run(args) == 2
    assert "file not found" in capsys.readouterr().err
    assert suggest.main([str(tmp_path / "absent.sav"), "--wave", "7"]) == 2
    assert "wave id" in capsys.readouterr().err
