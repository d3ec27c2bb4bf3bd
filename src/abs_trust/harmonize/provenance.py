"""Harmonization provenance: what every source code of every harmonized variable became.

One row per file × country × harmonized variable × source code, built from the crosswalk and
the release file itself (value labels, variable labels, counted codes), never typed by hand.
Aggregates only: counts per code, no respondent rows. A reader can rebuild the harmonized
frame's distribution of each variable from it (tests/test_provenance.py does).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

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


def _keys(codes: pd.Series, concept: Concept) -> pd.Series:
    """The source code of each answer as text; a numeric range's values share one key."""
    keys = codes.astype("string")
    keys = keys.str.removesuffix(".0")
    if concept.recode is None and concept.valid is None:
        lo, hi = concept.valid_range
        keys = keys.mask(codes.between(lo, hi).fillna(False).astype(bool), f"{lo:g}-{hi:g}")
    return keys.fillna(SYSTEM_MISSING)


def _code_meta(concept: Concept, labels: Mapping, seen: set[str]) -> pd.DataFrame:
    """One row per source code seen or labelled: its label, what it becomes, its class."""
    ranged = concept.recode is None and concept.valid is None
    rows = []
    if ranged:
        lo, hi = concept.valid_range
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
    return pd.DataFrame(rows)


def provenance_table(
    releases: Sequence[ReleaseFile],
    spec: WaveSpec,
    crosswalk: Crosswalk,
    countries: Sequence[str] | str,
    variable_labels: Mapping[str, Mapping[str, str]] | None = None,
) -> pd.DataFrame:
    """Every source code of every harmonized variable, per file and country, and what it became.

    Parameters
    ----------
    releases : the wave's release files as read by ingest (codes, value labels).
    spec, crosswalk : the wave's crosswalk entry and the crosswalk.
    countries : configured country slugs, or ``"all"``.
    variable_labels : optional path -> {variable: label} (the file's variable labels).

    Returns
    -------
    pd.DataFrame
        ``COLUMNS``; ``becomes`` is the harmonized value, ``<NA>`` with the
        ``nonresponse_class`` (don't know / refused / not applicable / missing / not asked), or
        ``value (as is)`` for a numeric range; ``n`` respondents with that code. A trust item
        with no substantive answer in a country is ``not asked`` there (as coverage.csv).
    """
    parts = []
    for release in releases:
        data = release.data
        slugs = country_slugs(data[spec.country_variable], spec, crosswalk, release.path)
        keep = slugs.notna() if countries == "all" else slugs.isin(list(countries))
        present = sorted(slugs[keep].unique())
        if not present:
            continue
        labels_of = (variable_labels or {}).get(release.path, {})
        for concept, scale, direction, rule in _concepts(spec):
            codes = as_codes(data.loc[keep, concept.variable], concept.variable, release.path)
            keys = _keys(codes, concept)
            counts = pd.DataFrame({"country": slugs[keep], "source_code": keys}).value_counts()
            meta = _code_meta(concept, release.value_labels.get(concept.variable) or {},
                              set(keys.unique()))  # fmt: skip
            grid = pd.merge(pd.DataFrame({"country": present}), meta, how="cross")
            rows = grid.merge(counts.rename("n").reset_index(), how="left",
                              on=["country", "source_code"])  # fmt: skip
            rows["n"] = rows["n"].fillna(0).astype("int64")
            is_trust = concept.name.startswith("trust_")
            if is_trust:  # an item with no substantive answer in a country was not asked there
                answered = rows[rows["nonresponse_class"].eq("") & rows["becomes"].ne("<NA>")]
                asked = answered.groupby("country")["n"].sum()
                silent = rows["country"].map(asked).fillna(0).eq(0) & rows["becomes"].eq("<NA>")
                rows.loc[silent, "nonresponse_class"] = "not asked"
            parts.append(
                rows.assign(
                    wave=spec.wave,
                    variable=concept.name,
                    source_variable=concept.variable,
                    source_label=labels_of.get(concept.variable, ""),
                    file=Path(release.path).name,
                    scale=scale,
                    scale_points=spec.scale.points if is_trust else pd.NA,
                    direction=direction,
                    rule=rule,
                )
            )
    if not parts:
        return pd.DataFrame(columns=COLUMNS)
    table = pd.concat(parts, ignore_index=True)[COLUMNS]
    table = table.sort_values(["country", "file", "variable"], kind="stable", ignore_index=True)
    return table.astype({"scale_points": "Int64", "n": "int64"})


def variable_labels(paths: Sequence[str], variables: Sequence[str]) -> dict[str, dict[str, str]]:
    """path -> {crosswalk variable: the file's variable label} (SPSS/Stata dictionaries only;
    a CSV release has none). Matched case-insensitively, as ingest matches names."""
    import pyreadstat

    readers = {".sav": pyreadstat.read_sav, ".zsav": pyreadstat.read_sav,
               ".dta": pyreadstat.read_dta}  # fmt: skip
    out = {}
    for path in paths:
        reader = readers.get(Path(path).suffix.lower())
        if reader is None:
            out[path] = {}
            continue
        _, meta = reader(path, metadataonly=True)
        by_lower = {str(k).lower(): v or "" for k, v in meta.column_names_to_labels.items()}
        out[path] = {v: by_lower.get(v.lower(), "") for v in variables}
    return out
