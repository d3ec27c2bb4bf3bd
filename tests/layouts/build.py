"""Build small synthetic release files in each ABS wave's real layout, for the tests.

* W1 and W6: the complete real dictionaries (every variable in file order, variable labels,
  value labels, formats, measure levels) of the W1 merged file and the W6 Cambodia file,
  ``abs_w1_layout.json`` / ``abs_w6_layout.json`` (copied from shared/reference/layouts:
  metadata only, no respondent data). Values are synthetic, drawn from each variable's
  labelled codes.
* W2-W5: the variables the crosswalk reads (ids, year, weight, the trust battery,
  demographics) plus a few neighbours that must NOT be read, with names and value labels as
  abs_codebook.md §1-3 and its source L (label dumps of the release files) give them.

Nothing here knows the crosswalk: the files claim what the codebook claims, and the tests
check the crosswalk and ingest against them.
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml

LAYOUT_DIR = Path(__file__).resolve().parent


# --- complete real dictionaries (W1, W6) -------------------------------------------------------
def load_layout(wave: str) -> dict:
    """The real dictionary of ``W1`` (merged file) or ``W6`` (Cambodia file)."""
    return json.loads((LAYOUT_DIR / f"abs_{wave.lower()}_layout.json").read_text("utf-8"))


def _is_string(layout: dict, name: str) -> bool:
    return layout["formats"][name].startswith("A")


def layout_frame(layout: dict, n: int, seed: int = 0, **overrides) -> pd.DataFrame:
    """``n`` synthetic rows with every variable of ``layout``, in file order.

    Labelled numeric variables draw from their labelled codes (answers and nonresponse
    alike); unlabelled ones get integers 1..99, or positive reals when their format has
    decimals (weights). String variables hold one value as wide as their format (so the
    written file keeps the format) and blanks. ``overrides`` replace whole columns.
    """
    rng = np.random.default_rng(seed)
    unknown = sorted(set(overrides) - set(layout["column_names"]))
    assert not unknown, f"not in the layout: {unknown}"
    columns = {}
    for name in layout["column_names"]:
        fmt, labels = layout["formats"][name], layout["value_labels"].get(name)
        if _is_string(layout, name):
            values = list(rng.choice(list(labels), n)) if labels else [""] * n
            values[0] = ("synthetic " * 400)[: int(fmt[1:])]
            columns[name] = values
        elif labels:
            columns[name] = rng.choice([float(code) for code in labels], n)
        elif "." in fmt and int(fmt.split(".")[1]) > 0:
            columns[name] = rng.uniform(0.2, 3.0, n).round(int(fmt.split(".")[1]))
        else:
            columns[name] = rng.integers(1, 100, n).astype(float)
    for name, values in overrides.items():
        columns[name] = np.asarray(values, dtype=object if _is_string(layout, name) else float)
    return pd.DataFrame(columns)


def layout_value_labels(layout: dict) -> dict[str, dict]:
    """Value labels as pyreadstat writes them: numeric codes for numeric variables."""
    return {
        name: {code if _is_string(layout, name) else float(code): text for code, text in vl.items()}
        for name, vl in layout["value_labels"].items()
    }


def write_layout_sav(layout: dict, path: Path, frame: pd.DataFrame, file_label: str = "") -> Path:
    """Write ``frame`` (from `layout_frame`) as a .sav with the layout's full dictionary."""
    assert list(frame.columns) == layout["column_names"]
    pyreadstat.write_sav(
        frame,
        str(path),
        file_label=file_label,
        column_labels=[layout["labels"].get(name) for name in frame.columns],
        variable_value_labels=layout_value_labels(layout),
        variable_format=dict(layout["formats"]),
        variable_measure=dict(layout["measure"]),
    )
    return Path(path)


def write_layout_csv(layout: dict, path: Path, frame: pd.DataFrame, codebook: str = "yaml"):
    """Write ``frame`` as a CSV plus its sidecar codebook (``<stem>.codebook.yaml|json``).

    The codebook carries the layout's variable and value labels, codes as numbers.
    """
    path = Path(path)
    frame.to_csv(path, index=False)
    entries = {}
    for name in layout["column_names"]:
        entry = {}
        if layout["labels"].get(name):
            entry["label"] = layout["labels"][name]
        if layout["value_labels"].get(name) and not _is_string(layout, name):
            entry["labels"] = {int(float(c)): t for c, t in layout["value_labels"][name].items()}
        entries[name] = entry
    sidecar = path.with_name(f"{path.stem}.codebook.{codebook}")
    if codebook == "json":
        sidecar.write_text(json.dumps(entries, indent=1), encoding="utf-8")
    else:
        sidecar.write_text(yaml.safe_dump(entries, allow_unicode=True), encoding="utf-8")
    return path, sidecar


# --- W2-W5 from the codebook facts ---------------------------------------------------------------
MISSING = {-1: "Missing"}
NONRESPONSE_789 = {7: "Do not understand the question", 8: "Can't choose", 9: "Decline to answer"}
NONRESPONSE_9X = {97: "Do not understand the question", 98: "Can't choose", 99: "Decline to answer"}
COUNTRIES = {
    1: "Japan", 2: "Hong Kong", 3: "Korea", 4: "Mainland China", 5: "Mongolia",
    6: "Philippines", 7: "Taiwan", 8: "Thailand", 9: "Indonesia", 10: "Singapore",
    11: "Vietnam", 12: "Cambodia", 13: "Malaysia", 14: "Myanmar", 15: "Australia",
}  # fmt: skip
EDUCATION = {
    1: "No formal education",
    2: "Incomplete primary/elementary",
    3: "Complete primary/elementary",
    4: "Incomplete secondary/high school: technical/vocational type",
    5: "Complete secondary/high school: technical/vocational type",
    6: "Incomplete secondary/high school",
    7: "Complete secondary/high school",
    8: "Some university education",
    9: "University education completed",
    10: "Post-graduate degree",
}
# W1/W2: 1 = none at all ... 4 = a great deal (W2 capitalisation as in the release).
W2_TRUST = {
    1: "None at all",
    2: "Not Very Much Trust",
    3: "Quite a Lot of Trust",
    4: "A Great Deal of Trust",
    **NONRESPONSE_789,
}
# W3/W4: reversed. W3's code 3 label is garbled in the release; W4's -1 reads "Mssing".
W3_TRUST = {
    **MISSING,
    1: "A great deal of trust",
    2: "Quite a lot of trust",
    3: "not very much trust not very much trust",
    4: "None at all",
    **NONRESPONSE_789,
}
W4_TRUST = {**W3_TRUST, -1: "Mssing", 3: "Not very much trust"}
# W5: six points, reversed; the media block (q53-q55) adds 0 = Not applicable.
W5_TRUST = {
    **MISSING,
    1: "Trust fully",
    2: "Trust a lot",
    3: "Trust somewhat",
    4: "Distrust somewhat",
    5: "Distrust a lot",
    6: "Distrust fully",
    **NONRESPONSE_9X,
}
W5_MEDIA = {**W5_TRUST, 0: "Not applicable"}
W5_GROUPS = {  # q18/q19 in W5 (and W6): organisation membership, not trust
    **MISSING,
    0: "Not applicable",
    1: "Political parties",
    3: "Religious groups",
    90: "Not a member of any organization or group",
    **NONRESPONSE_9X,
}
QUINTILES = {1: "Lowest quintile", 2: "2 nd", 3: "3rd", 4: "4th", 5: "Highest quintile"}

# wave -> [(variable, kind, value labels)]; kind says how synthetic values are drawn.
FACTS: dict[str, list[tuple[str, str, dict | None]]] = {
    "W2": [
        ("country", "country", {k: v for k, v in COUNTRIES.items() if k <= 13}),
        ("idnumber", "id", None),
        ("level3", "codes", {1: "Urban", 2: "Rural", 3: "No registration"}),
        *[(f"q{i}", "codes", W2_TRUST) for i in range(7, 20)],
        ("q20", "codes", {1: "Yes", 2: "No", 8: "Can't choose", 9: "Decline to answer"}),
        ("se2", "codes", {1: "Male", 2: "Female"}),
        ("se3a", "age", {97: "NO ANSWER", 98: "DON'T KNOW", 99: "REFUSED"}),
        ("se5", "codes", {**EDUCATION, 11: "Other", 99: "Decline to answer"}),
        (
            "se9",
            "codes",
            {
                1: "lowest quintile",
                2: "2nd quintile",
                3: "3rd quintile",
                4: "4th quintile",
                5: "top quintile",
                98: "Can't choose",
                99: "Decline to answer",
            },
        ),
        ("ir9_3", "year", None),
        ("w_all", "weight", None),
    ],
    "W3": [
        ("country", "country", {**MISSING, **{k: v for k, v in COUNTRIES.items() if k <= 13}}),
        ("idnumber", "id", None),
        ("level3", "codes", {**MISSING, 1: "urban", 2: "rural"}),
        *[(f"q{i}", "codes", W3_TRUST) for i in range(7, 20)],
        ("se2", "codes", {**MISSING, 1: "Male", 2: "Female"}),
        ("se3a", "age", MISSING),
        ("se5", "codes", {**MISSING, **EDUCATION, 98: "Can't choose", 99: "Decline to answer"}),
        ("se9", "codes", {**MISSING, 1: "Employed", 2: "Not employed"}),  # NOT income in W3
        (
            "se13",
            "codes",
            {
                **MISSING,
                1: "Lowest level",
                2: "Low level",
                3: "Middle level",
                4: "High level",
                5: "Highest level",
                8: "Can't choose",
                9: "Decline to answer",
            },
        ),
        ("ir9", "date", None),
        ("allweight", "weight", None),
    ],
    "W4": [
        ("country", "country", {k: v for k, v in COUNTRIES.items() if k <= 14}),
        ("year", "year", MISSING),
        ("idnumber", "id", None),
        ("level", "codes", {**MISSING, 1: "Rural", 2: "Urban"}),
        *[(f"q{i}", "codes", W4_TRUST) for i in range(7, 20)],
        ("se2", "codes", {**MISSING, 1: "Male", 2: "Female"}),
        ("se3_1", "birthyear", MISSING),  # birth year: must not be read as age
        ("se3_2", "age", MISSING),
        ("se5", "codes", {**MISSING, **EDUCATION, 11: "Other", **NONRESPONSE_9X}),
        ("se14", "codes", {**MISSING, **QUINTILES, 8: "Can't choose", 9: "Decline to answer"}),
        ("w", "weight", None),
    ],
    "W5": [
        ("COUNTRY", "country", {**COUNTRIES, 4: "China", 18: "India"}),
        ("Year", "year", None),
        ("IDnumber", "id", None),
        ("Level", "codes", {**MISSING, 1: "Rural", 2: "Urban"}),
        *[(f"q{i}", "codes", W5_TRUST) for i in range(7, 18)],
        ("q18", "codes", W5_GROUPS),
        ("q19", "codes", W5_GROUPS),
        ("q53", "codes", W5_MEDIA),
        ("q54", "codes", W5_MEDIA),
        ("q55", "codes", W5_MEDIA),
        ("SE2", "codes", {**MISSING, 1: "Male", 2: "Female", 3: "Other"}),
        ("SE3", "birthyear", {**MISSING, 999: "Refuse to answer"}),
        ("SE3_1", "age", {**MISSING, 999: "Refuse to answer"}),
        ("SE5", "codes", {**MISSING, **EDUCATION, 11: "Other", **NONRESPONSE_9X}),
        ("SE9", "codes", {**MISSING, 1: "Employed", 2: "Not employed", 9: "Decline to answer"}),
        (
            "SE14",
            "codes",
            {
                **MISSING,
                0: "Not applicable",
                **QUINTILES,
                8: "Can't choose",
                9: "Decline to answer",
            },
        ),
        ("w", "weight", None),
    ],
}
YEARS = {"W2": [2006, 2007, 2008], "W3": [2010, 2011], "W4": [2014, 2015, 2016], "W5": [2019]}


def facts_frame(wave: str, n: int, countries: list[int], seed: int = 0, **overrides):
    """``n`` synthetic respondents of ``countries`` in ``wave``'s layout (codebook facts)."""
    rng = np.random.default_rng(seed)
    columns = {}
    for name, kind, labels in FACTS[wave]:
        codes = [float(c) for c in labels or {}]
        if kind == "country":
            values = rng.choice(countries, n).astype(float)
        elif kind == "id":
            values = np.arange(1, n + 1, dtype=float)
        elif kind == "year":  # interview year
            values = rng.choice(YEARS[wave], n).astype(float)
        elif kind == "birthyear":
            values = rng.integers(1930, 2002, n).astype(float)
        elif kind == "date":
            start = pd.Timestamp(f"{YEARS[wave][0]}-03-01")
            values = start + pd.to_timedelta(rng.integers(0, 300, n), "D")
        elif kind == "weight":
            values = rng.uniform(0.3, 2.5, n)
        elif kind == "age":  # real ages, and now and then a labelled missing code
            values = rng.integers(18, 97, n).astype(float)
            if codes:
                gaps = rng.random(n) < 0.15
                values[gaps] = rng.choice(codes, int(gaps.sum()))
        else:
            values = rng.choice(codes, n)
        columns[name] = values
    for name, values in overrides.items():
        assert name in columns, f"{name} is not a {wave} variable"
        columns[name] = np.asarray(values, dtype=float)
    return pd.DataFrame(columns)


def write_facts(wave: str, path: Path, frame: pd.DataFrame, file_label: str = "") -> Path:
    """Write a `facts_frame` as .sav or Stata .dta (by suffix) with the wave's value labels."""
    path = Path(path)
    labels = {name: vl for name, _, vl in FACTS[wave] if vl and name in frame}
    if path.suffix == ".dta":
        pyreadstat.write_dta(
            frame,
            str(path),
            file_label=file_label,
            variable_value_labels={k: {int(c): t for c, t in v.items()} for k, v in labels.items()},
        )
    else:
        pyreadstat.write_sav(
            frame,
            str(path),
            file_label=file_label,
            variable_value_labels={
                k: {float(c): t for c, t in v.items()} for k, v in labels.items()
            },
        )
    return path
