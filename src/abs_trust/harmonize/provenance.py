"""Harmonization provenance: what every source code of every harmonized variable became.

One row per file × country × harmonized variable × source code, built from the crosswalk and
the release file itself (value labels, variable labels, counted codes), never typed by hand.
Aggregates only: counts per code, no respondent rows. A reader can rebuild the harmonized
frame's distribution of each variable from it (tests/test_provenance.py does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from abs_trust.harmonize.crosswalk import Concept, Crosswalk, WaveSpec
from abs_trust.harmonize.recode import as_codes, country_slugs
from abs_trust.readers.columns import ReleaseFile

COLUMNS = ["country", "wave", "variable", "source_variable", "source_label", "file", "scale",
           "scale_points", "direction", "rule", "source_code", "code_label", "becomes",
           "nonresponse_class", "n"]  # fmt: skip

# Label words -> nonresponse class (design.md §4 lists the codes; the class is read from the
# file's own label, so a relabelled code is classed by what the file says it is).
CLASSES = (
    ("not applicable", "not applicable"),
    ("not asked", "not asked"),
    ("don't know", "don't know"),
    ("dont know", "don't know"),
    ("do not know", "don't know"),
    ("can't choose", "don't know"),
    ("cannot choose", "don't know"),
    ("not sure", "don't know"),
    ("do not understand", "don't know"),
    ("decline", "refused"),
    ("refuse", "refused"),
    ("no answer", "refused"),
    ("missing", "missing"),
    ("mssing", "missing"),  # sic: the W4 release's label
)


def nonresponse_class(label: str | None) -> str:
    """Class of a nonresponse code from its value label: don't know / refused / not
    applicable / missing (unlabelled codes and system-missing are 'missing')."""
    text = (label or "").lower().replace("’", "'")
    for words, name in CLASSES:
        if words in text:
            return name
    return "missing"


def _trust_rule(spec: WaveSpec) -> str:
    scale = spec.scale
    k = scale.points
    top = sorted(scale.trusting_levels)
    direction = "descending" if scale.recode[1] == k else "ascending"
    how = f"x -> {k + 1} - x (reversed)" if direction == "descending" else "kept as is"
    share = f"top {len(top)} of {k}" if top == list(range(k - len(top) + 1, k + 1)) else str(top)
    return f"{k}-point {direction}, {how}; trusting = {share} (harmonized {top})"


def _concepts(spec: WaveSpec) -> list[tuple[Concept, str, str, str]]:
    """(concept, scale name, direction, rule) for every trust item and demographic."""
    scale = spec.scale
    direction = "descending" if scale.recode[1] == scale.points else "ascending"
    out = [(spec.trust_concept(i), scale.name, direction, _trust_rule(spec)) for i in spec.items]
    for name, concept in spec.demographics.items():
        if concept.recode is not None:
            rule = "recode " + ", ".join(f"{k} -> {v}" for k, v in concept.recode.items())
        elif concept.valid is not None:
            rule = "valid codes kept as they are"
        else:
            rule = f"values {concept.valid_range[0]:g}-{concept.valid_range[1]:g} kept as they are"
        out.append((concept, "", "", f"{name}: {rule}"))
    return out


SYSTEM_MISSING = "(system missing)"


def _range(concept: Concept) -> tuple[float, float] | None:
    """The valid range of a numeric concept kept as it is (age), or None for coded ones."""
    return concept.valid_range if concept.recode is None and concept.valid is None else None


def _key(code: float, valid_range: tuple[float, float] | None) -> str:
    """The source code of an answer as text; a numeric range's values share one key."""
    if np.isnan(code):
        return SYSTEM_MISSING
    if valid_range is not None and valid_range[0] <= code <= valid_range[1]:
        return f"{valid_range[0]:g}-{valid_range[1]:g}"
    return str(int(code))


def _counts(country: np.ndarray, codes: pd.Series, concept: Concept) -> dict:
    """(country index, source code key) -> respondents, counted once per distinct code.

    numpy on small integers: per file and variable a pandas value_counts and merge cost
    ~15 ms, which a 12-file wave pays 240 times.
    """
    values = codes.to_numpy(dtype="float64", na_value=np.nan)
    code_index, distinct = pd.factorize(values, use_na_sentinel=True)
    pair = country * (len(distinct) + 1) + (code_index + 1)  # NaN: code index -1 -> 0
    found, n = np.unique(pair, return_counts=True)
    valid_range = _range(concept)
    keys = [SYSTEM_MISSING, *(_key(v, valid_range) for v in distinct)]
    counts: dict = {}
    for value, count in zip(found.tolist(), n.tolist(), strict=True):
        where, which = divmod(value, len(distinct) + 1)
        key = (where, keys[which])
        counts[key] = counts.get(key, 0) + count
    return counts


def _code_meta(concept: Concept, labels: Mapping, seen: set[str]) -> list[dict]:
    """One row per source code seen or labelled: its label, what it becomes, its class."""
    ranged = _range(concept)
    rows = []
    if ranged:
        lo, hi = ranged
        rows.append({"source_code": f"{lo:g}-{hi:g}", "code_label": "",
                     "becomes": "value (as is)", "nonresponse_class": ""})  # fmt: skip
    codes = {int(float(c)) for c in seen if c not in (SYSTEM_MISSING,) and "-" not in c[1:]}
    codes |= {int(c) for c in labels}
    if ranged:
        codes = {c for c in codes if not lo <= c <= hi}
    for code in sorted(codes):
        label = str(labels.get(code, labels.get(float(code), "")))
        if concept.recode is not None and code in concept.recode:
            becomes, klass = str(concept.recode[code]), ""
        elif concept.valid is not None and code in concept.valid:
            becomes, klass = str(code), ""
        elif code in concept.nonresponse:
            becomes, klass = "<NA>", nonresponse_class(label)
        else:  # labelled but neither valid nor nonresponse: never in the data (ingest checks)
            becomes, klass = "(not in the crosswalk)", ""
        rows.append({"source_code": str(code), "code_label": label, "becomes": becomes,
                     "nonresponse_class": klass})  # fmt: skip
    if SYSTEM_MISSING in seen:
        rows.append({"source_code": SYSTEM_MISSING, "code_label": "", "becomes": "<NA>",
                     "nonresponse_class": "missing"})  # fmt: skip
    return rows


def _classes(meta: list[dict], n: list[int], is_trust: bool) -> list[str]:
    """Each code's nonresponse class in one country: a trust item with no substantive answer
    there was not asked there (as coverage.csv says), so its nonresponse is 'not asked'."""
    classes = [m["nonresponse_class"] for m in meta]
    if not is_trust:
        return classes
    answered = sum(k for m, k in zip(meta, n, strict=True)
                   if m["nonresponse_class"] == "" and m["becomes"] != "<NA>")  # fmt: skip
    if answered:
        return classes
    pairs = zip(meta, classes, strict=True)
    return ["not asked" if m["becomes"] == "<NA>" else c for m, c in pairs]


def provenance_table(
    releases: Sequence[ReleaseFile],
    spec: WaveSpec,
    crosswalk: Crosswalk,
    countries: Sequence[str] | str,
) -> pd.DataFrame:
    """Every source code of every harmonized variable, per file and country, and what it became.

    Parameters
    ----------
    releases : the wave's release files as read by ingest (codes, value and variable labels).
    spec, crosswalk : the wave's crosswalk entry and the crosswalk.
    countries : configured country slugs, or ``"all"``.

    Returns
    -------
    pd.DataFrame
        ``COLUMNS``; ``becomes`` is the harmonized value, ``<NA>`` with the
        ``nonresponse_class`` (don't know / refused / not applicable / missing / not asked), or
        ``value (as is)`` for a numeric range; ``n`` respondents with that code. A trust item
        with no substantive answer in a country is ``not asked`` there (as coverage.csv).
    """
    rows = []
    for release in releases:
        data = release.data
        slugs = country_slugs(data[spec.country_variable], spec, crosswalk, release.path)
        keep = slugs.notna() if countries == "all" else slugs.isin(list(countries))
        present = sorted(slugs[keep].unique())
        if not present:
            continue
        country = pd.Categorical(slugs[keep], categories=present).codes.astype("int64")
        file = Path(release.path).name
        for concept, scale, direction, rule in _concepts(spec):
            codes = as_codes(data.loc[keep, concept.variable], concept.variable, release.path)
            counts = _counts(country, codes, concept)
            meta = _code_meta(concept, release.value_labels.get(concept.variable) or {},
                              {key for _, key in counts})  # fmt: skip
            is_trust = concept.name.startswith("trust_")
            fixed = (spec.wave, concept.name, concept.variable,
                     release.variable_labels.get(concept.variable, ""), file, scale,
                     spec.scale.points if is_trust else None, direction, rule)  # fmt: skip
            for index, name in enumerate(present):
                n = [counts.get((index, m["source_code"]), 0) for m in meta]
                for m, k, klass in zip(meta, n, _classes(meta, n, is_trust), strict=True):
                    rows.append((name, *fixed, m["source_code"], m["code_label"], m["becomes"],
                                 klass, k))  # fmt: skip
    table = pd.DataFrame(rows, columns=COLUMNS)
    table = table.sort_values(["country", "file", "variable"], kind="stable", ignore_index=True)
    return table.astype({"scale_points": "Int64", "n": "int64"})
