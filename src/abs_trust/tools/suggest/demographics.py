"""The demographic controls of the partial correlation: age, gender, education, income, urban."""

from __future__ import annotations

import re
from typing import Any

from abs_trust.tools.suggest.dictionary import Variable, _by_name, _codes_text, _Flags, _pick
from abs_trust.tools.suggest.labels import _norm

AGE_RANGE = {"min": 15, "max": 110}


def _nonresponse_and_extra(
    var: Variable, valid: set[int], concept: str, flags: _Flags, why: str
) -> list[int]:
    """Nonresponse codes, plus (flagged) labelled codes that are neither valid nor nonresponse."""
    nonresponse = dict(var.nonresponse_codes())
    extra = {c: t for c, t in var.substantive_codes().items() if c not in valid}
    if extra:
        nonresponse.update(extra)
        flags.add(
            concept,
            f"{var.name}: {_codes_text(extra)} {why}: listed as nonresponse (a substantive "
            "choice; check)",
        )
    return sorted(c for c in nonresponse if c not in valid)


def _suggest_female(variables: list[Variable], flags: _Flags) -> dict | None:
    def codes(v: Variable) -> tuple[list[int], list[int]]:
        labels = {c: _norm(t) for c, t in v.value_labels.items()}
        males = [c for c, t in labels.items() if re.fullmatch(r"males?|man|men", t)]
        females = [c for c, t in labels.items() if re.fullmatch(r"females?|woman|women", t)]
        return males, females

    def candidate(v: Variable) -> bool:
        males, females = codes(v)
        label = _norm(v.label)
        return (
            len(males) == 1
            and len(females) == 1
            and "interviewer" not in label
            and not v.name.lower().startswith("ir")
        )

    cands = [v for v in variables if candidate(v)]
    preferred = [v for v in cands if re.fullmatch(r"se0*2", v.name.lower())]
    labelled = [v for v in cands if re.search(r"\b(?:gender|sex)\b", _norm(v.label))]
    ordered = list(dict.fromkeys([*preferred, *labelled, *cands]))
    var = _pick(ordered, "demographics.female", flags, "gender")
    if var is None:
        return None
    (male,), (female,) = codes(var)
    nonresponse = _nonresponse_and_extra(
        var, {male, female}, "demographics.female", flags, "neither male nor female"
    )
    spec: dict[str, Any] = {"variable": var.name, "recode": {male: 0, female: 1}}
    if nonresponse:
        spec["nonresponse"] = nonresponse
    spec["labels"] = {male: "male", female: "female"}
    return spec


def _suggest_age(variables: list[Variable], flags: _Flags) -> dict | None:
    def candidate(v: Variable) -> bool:
        label = _norm(v.label)
        return (
            bool(re.search(r"\bage\b", label))
            and not re.search(r"group|interviewer|birth|marri|categor|range|weight", label)
            and not v.name.lower().startswith("ir")
        )

    cands = [v for v in variables if candidate(v)]
    preferred = [v for v in cands if re.search(r"actual age|^(?:\S+ )?age$", _norm(v.label))]
    by_name = [v for v in cands if v in _by_name(variables, ("se003a", "se3a", "se3_2", "se3_1"))]
    ordered = list(dict.fromkeys([*preferred, *by_name, *cands]))
    var = _pick(ordered, "demographics.age", flags, "age in years")
    groups = [v for v in variables if re.search(r"\bage group", _norm(v.label))]
    if groups:
        flags.add(
            "demographics.age",
            f"not used: {'; '.join(g.describe() for g in groups)} (age groups, not age)",
        )
    if var is None:
        return None
    nonresponse = var.nonresponse_codes()
    spec: dict[str, Any] = {"variable": var.name, "valid": dict(AGE_RANGE)}
    if nonresponse:
        spec["nonresponse"] = sorted(nonresponse)
    inside = {c: t for c, t in nonresponse.items() if AGE_RANGE["min"] <= c <= AGE_RANGE["max"]}
    if inside:
        flags.add(
            "demographics.age",
            f"{var.name}: nonresponse codes inside the valid age range {AGE_RANGE}: "
            f"{_codes_text(inside)}; real ages with these values cannot be told apart",
        )
    return spec


def _suggest_education(variables: list[Variable], flags: _Flags) -> dict | None:
    def candidate(v: Variable) -> bool:
        label = _norm(v.label)
        return (
            "education" in label
            and not re.search(r"years?\b|categor|father|mother|spouse|parent|partner", label)
            and len(v.substantive_codes()) >= 5
        )

    cands = [v for v in variables if candidate(v)]
    preferred = [v for v in cands if re.fullmatch(r"se0*5", v.name.lower())]
    ordered = list(dict.fromkeys([*preferred, *cands]))
    var = _pick(ordered, "demographics.education", flags, "the education level")
    if var is None:
        return None
    substantive = var.substantive_codes()
    other = {c for c, t in substantive.items() if re.fullmatch(r"others?|other \S+", _norm(t))}
    valid = sorted(c for c in substantive if c not in other)
    if valid != list(range(1, 11)):
        flags.add(
            "demographics.education",
            f"{var.name}: levels {valid} are not the 1-10 ladder of the other waves",
        )
    nonresponse = _nonresponse_and_extra(
        var, set(valid), "demographics.education", flags, "has no place on the ladder"
    )
    spec: dict[str, Any] = {"variable": var.name, "valid": valid}
    if nonresponse:
        spec["nonresponse"] = nonresponse
    return spec


def _suggest_income(variables: list[Variable], flags: _Flags) -> dict | None:
    def ladder(v: Variable) -> dict[int, str]:
        return {c: t for c, t in v.substantive_codes().items() if 1 <= c <= 5}

    def candidate(v: Variable) -> bool:
        label = _norm(v.label)
        words = " ".join(_norm(t) for t in ladder(v).values())
        return (
            "income" in label
            and not re.search(r"cover|fair|source|distribut|worr|lose|satisf", label)
            and len(ladder(v)) == 5
            and bool(re.search(r"quintile|lowest|highest", words))
        )

    cands = [v for v in variables if candidate(v)]
    preferred = [v for v in cands if re.fullmatch(r"se0*(?:9|13|14)", v.name.lower())]
    ordered = list(dict.fromkeys([*preferred, *cands]))
    var = _pick(ordered, "demographics.income", flags, "household income")
    if var is None:
        return None
    valid = sorted(ladder(var))
    words = " ".join(_norm(t) for t in ladder(var).values())
    if "quintile" not in words:
        flags.add(
            "demographics.income",
            f"{var.name} runs {var.value_labels[valid[0]]!r} ... {var.value_labels[valid[-1]]!r}"
            ": the labels do not say these are quintiles",
        )
    extra = {c: t for c, t in var.substantive_codes().items() if c not in valid}
    if extra:
        flags.add(
            "demographics.income",
            f"{var.name}: codes {_codes_text(extra)} are not on the 1-5 scale: left out of "
            "`valid` (ingest stops if they occur; decide how to map them)",
        )
    spec: dict[str, Any] = {"variable": var.name, "valid": valid}
    nonresponse = sorted(var.nonresponse_codes())
    if nonresponse:
        spec["nonresponse"] = nonresponse
    return spec


def _suggest_urban(variables: list[Variable], flags: _Flags) -> dict | None:
    def codes(v: Variable) -> tuple[list[int], list[int]]:
        labels = {c: _norm(t) for c, t in v.substantive_codes().items()}
        urban = [c for c, t in labels.items() if "urban" in t and "rural" not in t]
        rural = [c for c, t in labels.items() if "rural" in t and "urban" not in t]
        return urban, rural

    cands = [v for v in variables if [len(x) for x in codes(v)] == [1, 1]]
    preferred = [v for v in cands if v in _by_name(variables, ("level3", "level"))]
    ordered = list(dict.fromkeys([*preferred, *cands]))
    var = _pick(ordered, "demographics.urban", flags, "urban/rural")
    if var is None:
        return None
    (urban,), (rural,) = codes(var)
    recode = dict(sorted({urban: 1, rural: 0}.items()))
    nonresponse = _nonresponse_and_extra(
        var, {urban, rural}, "demographics.urban", flags, "neither urban nor rural"
    )
    spec: dict[str, Any] = {"variable": var.name, "recode": recode}
    if nonresponse:
        spec["nonresponse"] = nonresponse
    spec["labels"] = dict(sorted({urban: "urban", rural: "rural"}.items()))
    return spec
