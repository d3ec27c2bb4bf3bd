"""Generate a FULL-SCALE synthetic ABS release set (W1-W6) for benchmarking the workflow.

``python benchmarks/fullscale.py [--out DIR] [--scale F] [--check]``

**SYNTHETIC: not Asian Barometer Survey data.** Every respondent is simulated; the files
only have the size and shape of the real releases, so the workflow's cost at full scale
can be measured without the licensed data. Each file's SPSS label says so.

What is written (deterministic for a given ``--seed``; only the SPSS creation timestamp
differs between runs):

* **W1**: one merged file with the complete real W1 dictionary (217 variables, in file
  order, with their variable labels, value labels, formats and measure levels;
  ``tests/layouts/abs_w1_layout.json``), 8 countries, 12,217 respondents (China 3,183).
* **W2-W5**: one merged file each, 13 / 13 / 14 / 15 countries and 19,798 / 19,436 /
  20,667 / 26,951 respondents (China code 4 in every one). The variables ingest reads
  (country, id, year, weight, the trust battery, demographics) carry the names and value
  labels of ``abs_codebook.md`` §1-3 as the crosswalk expects them (W1/W2 ascending,
  W3/W4 descending, W5 six-point "Trust fully" ... "Distrust fully"; taken from
  ``tests/layouts/build.py``). Filler variables ``q1..qN``, ``se*``, ``ir*`` (W5: ``SE*``,
  ``IR*``) with labelled small-integer codes bring each file to 250-330 variables. As in
  the real W5 release (abs_codebook.md §2), two W5 Hong Kong rows repeat an id; the
  crosswalk declares them (``respondent_id.known_duplicates``).
* **W6**: twelve per-country files (no China: code 4 is not in any W6 file), each with the
  complete real W6 dictionary (346 variables, upper-case names), COUNTRY varying by file.
  Australia's income ``SE14`` holds quintile codes 1-5 by default; the real file has AUD
  bands 1501-1505 there (missing for the quintile concept, so Australia's W6 income is all
  missing). ``--australia-income-bands`` writes the bands, as the real file does.

Values: per-country Ns of about 1,000-5,000 (totals as the real releases); trust items
correlated through a common factor, with country-item levels; nonresponse at 1-6 % per item
(4-12 % for NGOs and the election commission), using only codes the file labels and the
crosswalk lists; items the codebooks mark "not asked" (W1 election commission in
China/HK/Korea, W2 executive in China, ...) all nonresponse there; non-constant weights
(log-normal, mean 1 per country). Every code is in the crosswalk's valid or nonresponse
set; ``--check`` runs the real ingest (`abs_trust.ingest.ingest_wave`) on a small sample of
every wave to prove it. The W1 file is UTF-8 (pyreadstat cannot write Big5), so the config
leaves out ``encoding: big5``. Files are written bytecode-compressed, as SPSS saves them by
default (``--uncompressed`` for raw rows: W6 files are then ~8x larger, because of wide
string variables such as ``q97other`` A3072).

Also written: ``<out>/fullscale.yaml``, a config override for
``snakemake --configfile config/config.yaml <out>/fullscale.yaml`` (all waves, W6 as
``files:``, ``countries: all``, ``published: null``, ``strict: false``, Table 4 for China
over W1-W5, Figure 1 over the four-point waves W1-W4: its script refuses W5's six levels).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pyreadstat
import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))
sys.path.insert(0, str(ROOT / "src"))  # abs_trust, when not installed (it is, in .venv)

from layouts.build import FACTS, load_layout  # noqa: E402

from abs_trust.harmonize.crosswalk import Concept, Crosswalk, WaveSpec, load_crosswalk  # noqa: E402

CROSSWALK = ROOT / "config" / "crosswalk.yaml"
FILE_LABEL = "SYNTHETIC FULL-SCALE BENCHMARK: not ABS data"
DEFAULT_SEED = 20240601
CHINA = 4

# Respondents per country code (totals as the real merged releases, abs_codebook.md §4;
# China, and Hong Kong W1-W4, as counted there; the rest spread plausibly).
NS: dict[str, dict[int, int]] = {
    "W1": {1: 1418, 2: 811, 3: 1500, 4: 3183, 5: 1144, 6: 1200, 7: 1415, 8: 1546},
    "W2": {
        1: 1067, 2: 849, 3: 1212, 4: 5098, 5: 1211, 6: 1200, 7: 1587, 8: 1546, 9: 1598,
        10: 1012, 11: 1200, 12: 1000, 13: 1218,
    },
    "W3": {
        1: 1880, 2: 1207, 3: 1207, 4: 3473, 5: 1210, 6: 1200, 7: 1592, 8: 1512, 9: 1550,
        10: 1000, 11: 1191, 12: 1200, 13: 1214,
    },
    "W4": {
        1: 1081, 2: 1217, 3: 1206, 4: 4068, 5: 1228, 6: 1200, 7: 1657, 8: 1200, 9: 1550,
        10: 1039, 11: 1200, 12: 1200, 13: 1207, 14: 1614,
    },
    "W5": {
        1: 1436, 2: 1249, 3: 1204, 4: 4943, 5: 1608, 6: 1200, 7: 1259, 8: 1200, 9: 1200,
        10: 1002, 11: 1200, 12: 1242, 13: 1237, 15: 1725, 18: 5246,
    },
    "W6": {
        1: 1100, 2: 1200, 3: 1200, 5: 1200, 6: 1200, 7: 1259, 8: 1200, 9: 1200, 11: 1200,
        12: 1242, 13: 1200, 15: 1675,
    },
}  # fmt: skip
TOTALS = {"W1": 12217, "W2": 19798, "W3": 19436, "W4": 20667, "W5": 26951}
WIDTH = {"W2": 250, "W3": 280, "W4": 300, "W5": 330}  # variables per merged W2-W5 file
W6_NAMES = {
    1: "1_Japan", 2: "2_HongKong", 3: "3_Korea", 5: "5_Mongolia", 6: "6_Philippines",
    7: "7_Taiwan", 8: "8_Thailand", 9: "9_Indonesia", 11: "11_Vietnam", 12: "12_Cambodia",
    13: "13_Malaysia", 15: "15_Australia",
}  # fmt: skip
# Fieldwork years per wave: (years, probabilities); China's as in the codebook.
YEARS = {
    "W1": ([2001, 2002, 2003], [0.3, 0.5, 0.2]),
    "W2": ([2005, 2006, 2007, 2008], [0.2, 0.35, 0.3, 0.15]),
    "W3": ([2010, 2011, 2012], [0.35, 0.5, 0.15]),
    "W4": ([2014, 2015, 2016], [0.25, 0.5, 0.25]),
    "W5": ([2018, 2019, 2020, 2021], [0.2, 0.45, 0.2, 0.15]),
    "W6": ([2021, 2022, 2023], [0.3, 0.45, 0.25]),
}
CHINA_YEARS = {"W1": 2002, "W2": 2008, "W3": 2011, "W4": 2015, "W5": 2019}
# Items the codebooks mark "not asked" (abs_codebook.md §1a-1b): all nonresponse there.
NOT_ASKED = {
    "W1": {"election_commission": {2, 3, 4}, "ngos": {2}},
    "W2": {"executive": {4}, "election_commission": {2, 3, 4}, "ngos": {2, 3, 7}},
}
# Harmonized trust levels (1 = least trust): cut points of a latent N(mu, 1 + 0.8^2).
CUTS = {4: [-1.2, -0.1, 1.4], 6: [-1.6, -0.8, 0.0, 0.8, 1.6]}
# Nonresponse rate per demographic concept.
DEMO_NR = {"age": 0.01, "female": 0.002, "education": 0.012, "income": 0.08, "urban": 0.01}

# Filler variables of the W2-W5 merged files: small-integer codes, labelled.
FILLER_SETS = [
    {1: "Strongly agree", 2: "Somewhat agree", 3: "Somewhat disagree", 4: "Strongly disagree"},
    {1: "Very satisfied", 2: "Fairly satisfied", 3: "Not very satisfied", 4: "Not at all"},
    {1: "Yes", 2: "No"},
    {1: "Very interested", 2: "Somewhat", 3: "Not very", 4: "Not at all interested"},
    {1: "Always", 2: "Often", 3: "Occasionally", 4: "Rarely", 5: "Never"},
    {k: str(k) for k in range(0, 11)},  # a 0-10 ladder
]
FILLER_NR = {
    "W2": {0: "Not applicable", 7: "Do not understand", 8: "Can't choose", 9: "Decline"},
    "W3": {-1: "Missing", 7: "Do not understand", 8: "Can't choose", 9: "Decline"},
    "W4": {-1: "Missing", 7: "Do not understand", 8: "Can't choose", 9: "Decline"},
    "W5": {-1: "Missing", 97: "Do not understand", 98: "Can't choose", 99: "Decline"},
}


# --- shared pieces ------------------------------------------------------------------------------
def country_column(ns: dict[int, int]) -> np.ndarray:
    return np.repeat(np.array(list(ns), dtype=np.int64), list(ns.values()))


def survey_weights(rng: np.random.Generator, country: np.ndarray, decimals: int) -> np.ndarray:
    """Log-normal weights, mean 1 within each country (non-constant, as W3-W6 weights)."""
    w = np.exp(rng.normal(0.0, 0.35, len(country)))
    codes, inverse = np.unique(country, return_inverse=True)
    means = np.bincount(inverse, weights=w) / np.bincount(inverse)
    return np.round(w / means[inverse], decimals)


def interview_years(rng, wave: str, country: np.ndarray) -> np.ndarray:
    """One or two fieldwork years per country (China's as documented), per respondent."""
    years, p = YEARS[wave]
    out = np.empty(len(country), dtype=np.int64)
    for code in np.unique(country):
        rows = country == code
        if code == CHINA and wave in CHINA_YEARS:
            main = CHINA_YEARS[wave]
        else:
            main = years[rng.choice(len(years), p=p)]
        spill = min(main + 1, years[-1])
        out[rows] = np.where(rng.random(rows.sum()) < 0.9, main, spill)
    return out


def labelled_codes(value_labels: dict | None) -> set[int]:
    return {int(float(c)) for c in (value_labels or {})}


def nonresponse_codes(concept_nr: tuple[int, ...], labels: dict | None) -> list[int]:
    """Nonresponse codes to draw: those the crosswalk lists AND the file labels (if labelled)."""
    if labels:
        return sorted(set(concept_nr) & labelled_codes(labels))
    return sorted(concept_nr)


def with_nonresponse(rng, values: np.ndarray, rate: float | np.ndarray, codes: list[int]):
    """Replace a ``rate`` share of ``values`` by nonresponse ``codes`` ("can't choose" x3)."""
    if not codes:
        return values
    hit = rng.random(len(values)) < rate
    p = np.array([3.0 if code in (8, 98) else 1.0 for code in codes])
    values = values.copy()
    values[hit] = rng.choice(codes, int(hit.sum()), p=p / p.sum())
    return values


def trust_battery(
    rng, wave: str, spec: WaveSpec, country: np.ndarray, labels_of
) -> dict[str, np.ndarray]:
    """Raw trust codes of every crosswalk item: correlated, country-specific, with nonresponse.

    ``labels_of(variable)`` gives the file's value labels of a variable (nonresponse codes
    are drawn from those the file labels and the crosswalk lists).
    """
    items = list(spec.items)
    codes, cidx = np.unique(country, return_inverse=True)
    n, m, k = len(country), len(items), spec.scale.points
    base = rng.normal(0.0, 0.5, len(codes)) + np.where(codes == CHINA, 1.0, 0.0)
    mu = base[:, None] + rng.normal(0.0, 0.45, (len(codes), m))
    latent = mu[cidx] + 0.8 * rng.standard_normal(n)[:, None] + rng.standard_normal((n, m))
    level = 1 + (latent[..., None] > np.array(CUTS[k])).sum(axis=-1)  # 1..k
    to_code = np.zeros(k + 1, dtype=np.int64)
    for code, harmonized in spec.scale.recode.items():
        to_code[harmonized] = code
    raw = to_code[level]
    out = {}
    for j, institution in enumerate(items):
        variable = spec.items[institution]
        nr = nonresponse_codes(spec.trust_nonresponse, labels_of(variable))
        hard = institution in ("ngos", "election_commission")
        rate = rng.uniform(0.04, 0.12, len(codes)) if hard else rng.uniform(0.01, 0.06, len(codes))
        values = with_nonresponse(rng, raw[:, j], rate[cidx], nr)
        missing_code = -1 if -1 in nr else max(nr)
        for code in NOT_ASKED.get(wave, {}).get(institution, ()):
            values[country == code] = missing_code
        out[variable] = values
    return out


def demographic(rng, name: str, concept: Concept, n: int, labels: dict | None) -> np.ndarray:
    """Raw codes of one demographic concept: valid answers, then nonresponse codes."""
    if concept.valid_range is not None:  # age in years
        hi = min(concept.valid_range[1], 95)
        values = np.minimum(18 + rng.gamma(2.2, 12.0, n).astype(np.int64), hi).astype(np.int64)
    else:
        codes = sorted(concept.recode) if concept.recode is not None else list(concept.valid)
        if name == "education":
            p = np.array([0.06, 0.08, 0.12, 0.06, 0.08, 0.1, 0.2, 0.1, 0.15, 0.05])[: len(codes)]
        elif name == "urban":
            p = np.array([0.45, 0.55])
        else:
            p = np.ones(len(codes))
        values = rng.choice(np.array(codes, dtype=np.int64), n, p=p / p.sum())
    return with_nonresponse(
        rng, values, DEMO_NR[name], nonresponse_codes(concept.nonresponse, labels)
    )


def core_columns(rng, wave: str, spec: WaveSpec, country: np.ndarray, labels_of) -> dict:
    """Every variable ingest reads (crosswalk spelling), as raw codes."""
    n = len(country)
    cols = {spec.country_variable: country}
    cols.update(trust_battery(rng, wave, spec, country, labels_of))
    for name, concept in spec.demographics.items():
        cols[concept.variable] = demographic(rng, name, concept, n, labels_of(concept.variable))
    years = interview_years(rng, wave, country)
    if spec.year_kind == "date":
        day = rng.integers(0, 330, n)
        cols[spec.year_variable] = pd.to_datetime(years.astype(str)) + pd.to_timedelta(day, "D")
    else:
        if spec.year_nonresponse and -1 in spec.year_nonresponse:
            years = np.where(rng.random(n) < 0.002, -1, years)
        cols[spec.year_variable] = years
    return cols


def write(frame: pd.DataFrame, path: Path, compress: bool, **meta) -> Path:
    pyreadstat.write_sav(frame, str(path), file_label=FILE_LABEL, row_compress=compress, **meta)
    return path


# --- W1 and W6: the complete real dictionaries --------------------------------------------------
def layout_columns(rng, layout: dict, n: int) -> dict[str, np.ndarray]:
    """Every variable of a real dictionary: labelled codes, ages, weights, mostly blank text."""
    cols = {}
    for name in layout["column_names"]:
        fmt, labels = layout["formats"][name], layout["value_labels"].get(name)
        if fmt.startswith("A"):
            values = np.full(n, "", dtype=object)
            values[0] = ("synthetic " * 400)[: int(fmt[1:])]  # keeps the declared width
            cols[name] = values
        elif labels:
            codes = np.array(sorted(float(c) for c in labels))
            cols[name] = codes[rng.integers(0, len(codes), n)]
        elif "." in fmt and int(fmt.split(".")[1]) > 0:
            cols[name] = rng.uniform(0.2, 3.0, n).round(min(int(fmt.split(".")[1]), 6))
        else:
            cols[name] = rng.integers(1, 100, n).astype(float)
    return cols


def layout_meta(layout: dict) -> dict:
    numeric = {n for n in layout["column_names"] if not layout["formats"][n].startswith("A")}
    return {
        "column_labels": [layout["labels"].get(n) for n in layout["column_names"]],
        "variable_value_labels": {
            name: {(float(c) if name in numeric else c): t for c, t in vl.items()}
            for name, vl in layout["value_labels"].items()
        },
        "variable_format": dict(layout["formats"]),
        "variable_measure": dict(layout["measure"]),
    }


def layout_frame(rng, wave, spec, layout, country, ids) -> pd.DataFrame:
    by_lower = {name.lower(): name for name in layout["column_names"]}

    def labels_of(variable):
        return layout["value_labels"].get(by_lower[variable.lower()])

    cols = layout_columns(rng, layout, len(country))
    core = core_columns(rng, wave, spec, country, labels_of)
    core[spec.id_variable] = ids
    core[spec.weight_variable] = survey_weights(rng, country, 2 if wave == "W1" else 6)
    for variable, values in core.items():
        cols[by_lower[variable.lower()]] = np.asarray(values, dtype=float)
    return pd.DataFrame(cols, columns=layout["column_names"])


def build_w1(rng, spec, out: Path, ns, compress) -> list[Path]:
    layout = load_layout("W1")
    country = country_column(ns)
    ids = np.arange(1, len(country) + 1)
    frame = layout_frame(rng, "W1", spec, layout, country, ids)
    return [write(frame, out / "W1_merged_synthetic.sav", compress, **layout_meta(layout))]


def build_w6(rng, spec, out: Path, ns, compress, bands: bool = False) -> list[Path]:
    layout = load_layout("W6")
    meta = layout_meta(layout)
    paths = []
    for code, n in ns.items():
        country = np.full(n, code, dtype=np.int64)
        frame = layout_frame(rng, "W6", spec, layout, country, np.arange(1, n + 1))
        if code == 15 and bands:  # Australia: SE14 holds AUD income bands 1501-1505
            frame["SE14"] = with_nonresponse(
                rng, rng.choice([1501.0, 1502.0, 1503.0, 1504.0, 1505.0], n), 0.08, [-1, 8, 9]
            )
        frame["MONTH"] = rng.integers(1, 13, n).astype(float)
        path = out / f"W6_{W6_NAMES[code]}_synthetic.sav"
        paths.append(write(frame, path, compress, **meta))
    return paths


# --- W2-W5: codebook facts plus filler ----------------------------------------------------------
def merged_frame(rng, wave: str, spec: WaveSpec, ns: dict[int, int]):
    """A merged W2-W5 file: the codebook's variables (build.FACTS) plus labelled filler."""
    facts = {name: (kind, labels) for name, kind, labels in FACTS[wave]}
    by_lower = {name.lower(): name for name in facts}

    def labels_of(variable):
        return facts[by_lower[variable.lower()]][1]

    country = country_column(ns)
    n = len(country)
    core = core_columns(rng, wave, spec, country, labels_of)
    ids = country * 10000 + np.concatenate([np.arange(1, k + 1) for k in ns.values()])
    hong_kong = np.flatnonzero(country == 2)
    if wave == "W5" and len(hong_kong) >= 4:  # the release repeats 2 HK ids (codebook §2)
        ids[hong_kong[-2:]] = ids[hong_kong[:2]]
    core[spec.id_variable] = ids
    core[spec.weight_variable] = survey_weights(rng, country, 6)
    cols, value_labels, formats = {}, {}, {}
    for name, (kind, labels) in facts.items():
        if name in core:
            cols[name] = core[name]
        elif kind == "birthyear":
            cols[name] = rng.integers(1925, 2003, n)
        else:  # neighbours ingest must not read (W3 se9 employment, W5 q18/q19 membership ...)
            codes = np.array(sorted(labelled_codes(labels)))
            cols[name] = codes[rng.integers(0, len(codes), n)]
        if labels:
            value_labels[name] = {float(c): t for c, t in labels.items()}
    formats[spec.weight_variable] = "F10.6"
    if spec.year_kind == "date":
        formats[spec.year_variable] = "DATE11"
    # filler to the real width: q1..qN, se*, ir* (W5: SE*, IR*), skipping names in use
    used = {name.lower() for name in cols}
    se, ir = ("SE", "IR") if wave == "W5" else ("se", "ir")
    pool = [f"q{i}" for i in range(1, 400)] + [f"{se}{i}" for i in range(1, 30)]
    pool += [f"{ir}{i}" for i in range(1, 30)]
    pool = [name for name in pool if name.lower() not in used]
    n_q = WIDTH[wave] - len(cols) - 40  # leave 20 se* and 20 ir*
    filler = [p for p in pool if p.startswith("q")][:n_q]
    filler += [p for p in pool if p.startswith(se)][:20] + [p for p in pool if p.startswith(ir)][
        :20
    ]
    nr = FILLER_NR[wave]
    for i, name in enumerate(filler):
        labels = {**FILLER_SETS[i % len(FILLER_SETS)], **nr}
        codes = np.array(sorted(labels), dtype=np.int64)
        p = np.where(np.isin(codes, list(nr)), 0.02, 1.0)
        cols[name] = rng.choice(codes, n, p=p / p.sum())
        value_labels[name] = {float(c): t for c, t in labels.items()}
    order = sorted(cols, key=lambda name: _position(name, spec))
    frame = pd.DataFrame({name: cols[name] for name in order})
    for name in frame.columns:
        if name not in formats and frame[name].dtype.kind in "iu":
            formats[name] = "F8.0"
    return frame, {"variable_value_labels": value_labels, "variable_format": formats}


def _position(name: str, spec: WaveSpec) -> tuple:
    """File order: identifiers first, then q1..qN, se*, ir*, weights last."""
    low = name.lower()
    head = [spec.country_variable.lower(), (spec.year_variable or "").lower(), "idnumber"]
    if low in head:
        return (0, head.index(low), "")
    if low in ("level", "level3"):
        return (0, 9, "")
    if spec.weight_variable and low == spec.weight_variable.lower():
        return (9, 0, "")
    for rank, prefix in ((1, "q"), (2, "se"), (3, "ir")):
        if low.startswith(prefix) and low[len(prefix)].isdigit():
            digits = "".join(ch for ch in low[len(prefix) :] if ch.isdigit() or ch == "_")
            number = int(digits.split("_")[0])
            return (rank, number, low)
    return (4, 0, low)


def build_merged(rng, wave, spec, out: Path, ns, compress) -> list[Path]:
    frame, meta = merged_frame(rng, wave, spec, ns)
    return [write(frame, out / f"{wave}_merged_synthetic.sav", compress, **meta)]


# --- driver -------------------------------------------------------------------------------------
def scaled(ns: dict[int, int], scale: float) -> dict[int, int]:
    return {code: max(20, round(n * scale)) for code, n in ns.items()}


def generate(
    out: Path,
    seed: int = DEFAULT_SEED,
    scale: float = 1.0,
    compress: bool = True,
    australia_bands: bool = False,
) -> dict:
    """Write every wave's file(s) and ``fullscale.yaml`` into ``out``; return a summary."""
    assert all(sum(NS[w].values()) == total for w, total in TOTALS.items())
    out.mkdir(parents=True, exist_ok=True)
    crosswalk = load_crosswalk(CROSSWALK)
    summary = {}
    for wave in ("W1", "W2", "W3", "W4", "W5", "W6"):
        start = time.perf_counter()
        rng = np.random.default_rng(np.random.SeedSequence([seed, int(wave[1:])]))
        spec, ns = crosswalk.wave(wave), scaled(NS[wave], scale)
        if wave == "W1":
            paths = build_w1(rng, spec, out, ns, compress)
        elif wave == "W6":
            paths = build_w6(rng, spec, out, ns, compress, australia_bands)
        else:
            paths = build_merged(rng, wave, spec, out, ns, compress)
        summary[wave] = {
            "files": [str(p.resolve()) for p in paths],
            "rows": sum(ns.values()),
            "countries": len(ns),
            "china": ns.get(CHINA, 0),
            "mb": sum(p.stat().st_size for p in paths) / 1e6,
            "seconds": time.perf_counter() - start,
        }
    write_config(out, summary)
    return summary


def write_config(out: Path, summary: dict) -> Path:
    waves = {}
    for wave, info in summary.items():
        waves[wave] = {"files": info["files"]} if wave == "W6" else {"file": info["files"][0]}
    with_china = [w for w, info in summary.items() if info["china"]]
    # Figure 1 plots four-point trust levels: W5's six-point scale is refused there.
    crosswalk = load_crosswalk(CROSSWALK)
    four_point = [w for w in with_china if crosswalk.wave(w).scale.points == 4]
    config = {
        "waves": waves,
        "countries": "all",
        "published": None,
        "strict": False,
        "table4": {"country": "china", "waves": with_china},
        "figure1": {"country": "china", "waves": four_point},
    }
    path = out / "fullscale.yaml"
    header = (
        "# SYNTHETIC full-scale ABS set (benchmarks/fullscale.py): not ABS data.\n"
        "# snakemake --cores 2 --configfile config/config.yaml " + str(path) + "\n"
    )
    path.write_text(header + yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def check(seed: int = DEFAULT_SEED) -> None:
    """Generate a 2 % sample of every wave and run the real ingest on it."""
    from abs_trust.harmonize.ingest import ingest_wave

    crosswalk: Crosswalk = load_crosswalk(CROSSWALK)
    with tempfile.TemporaryDirectory(prefix="abs-fullscale-check-") as tmp:
        summary = generate(Path(tmp), seed=seed, scale=0.02)
        for wave, info in summary.items():
            frame, meta = ingest_wave(info["files"], crosswalk.wave(wave), crosswalk, "all")
            asked = {i: int(frame[f"trust_{i}"].notna().sum()) for i in meta["items"]}
            print(
                f"check {wave}: ingest OK, {len(frame):,} respondents, "
                f"{len(meta['countries'])} countries, synthetic={meta['synthetic']}, "
                f"valid answers per item {min(asked.values())}..{max(asked.values())}"
            )
            if len(frame) != info["rows"]:
                sys.exit(f"check {wave}: {len(frame)} rows ingested, {info['rows']} written")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="directory (default: a new temporary one)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--scale", type=float, default=1.0, help="multiply every country's N")
    parser.add_argument("--uncompressed", action="store_true", help="write raw (uncompressed) rows")
    parser.add_argument(
        "--australia-income-bands",
        action="store_true",
        help="W6 Australia's SE14 in AUD bands 1501-1505, as the real file (income all missing)",
    )
    parser.add_argument(
        "--check", action="store_true", help="run the real ingest on a 2 %% sample and stop"
    )
    args = parser.parse_args(argv)
    if args.check:
        check(args.seed)
        return 0
    out = args.out or Path(tempfile.mkdtemp(prefix="abs-fullscale-"))
    start = time.perf_counter()
    summary = generate(
        out,
        seed=args.seed,
        scale=args.scale,
        compress=not args.uncompressed,
        australia_bands=args.australia_income_bands,
    )
    print(f"{'wave':<6}{'files':>6}{'countries':>10}{'rows':>9}{'China':>7}{'MB':>8}{'s':>6}")
    for wave, info in summary.items():
        print(
            f"{wave:<6}{len(info['files']):>6}{info['countries']:>10}{info['rows']:>9,}"
            f"{info['china']:>7,}{info['mb']:>8.1f}{info['seconds']:>6.1f}"
        )
    print(f"wrote {out}/fullscale.yaml in {time.perf_counter() - start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
