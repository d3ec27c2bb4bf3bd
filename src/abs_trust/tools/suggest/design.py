"""The survey-design variables every wave entry needs: country, respondent id, year, weight."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from abs_trust.tools.suggest.dictionary import (
    PLACEHOLDER,
    Variable,
    _by_name,
    _codes_text,
    _Flags,
    _pick,
)
from abs_trust.tools.suggest.labels import DATE_FORMAT, _norm


def _suggest_country(
    variables: list[Variable], crosswalk_countries: Mapping, flags: _Flags
) -> dict:
    cands = _by_name(variables, ("country",)) or [
        v for v in variables if re.fullmatch(r"country(?: code)?", _norm(v.label))
    ]
    var = _pick(cands, "country", flags, "the country")
    if var is None:
        return {"variable": PLACEHOLDER}
    spec: dict[str, Any] = {"variable": var.name}
    nonresponse = sorted(var.nonresponse_codes())
    if nonresponse:
        spec["nonresponse"] = nonresponse
    if crosswalk_countries:
        unknown = {
            c: t
            for c, t in var.substantive_codes().items()
            if c not in crosswalk_countries and c not in nonresponse
        }
        if unknown:
            flags.add(
                "country",
                f"{var.name} codes not in the crosswalk's `countries:` list: "
                f"{_codes_text(unknown)}",
            )
        china = [c for c, slug in crosswalk_countries.items() if slug == "china"]
        if china and var.value_labels and china[0] not in var.value_labels:
            flags.add(
                "country",
                f"{var.name} has no value label for code {china[0]} (china): the file may "
                "have no mainland-China respondents",
            )
    return spec


def _suggest_id(variables: list[Variable], flags: _Flags) -> dict:
    cands = _by_name(variables, ("idnumber", "id", "respid", "caseid")) or [
        v
        for v in variables
        if re.search(r"case (?:number|id)|idnumber|respondent(?:'s)? id", _norm(v.label))
    ]
    var = _pick(cands, "respondent_id", flags, "the respondent id")
    return {"variable": var.name if var else PLACEHOLDER}


def _suggest_year(variables: list[Variable], flags: _Flags) -> dict:
    named = _by_name(variables, ("year", "yrsurvey"))
    labelled = [
        v
        for v in variables
        if re.search(
            r"\b(?:interview|survey) year\b|year of (?:the )?(?:interview|survey)|"
            r"date of interview:? year",
            _norm(v.label),
        )
        and not DATE_FORMAT.match(v.format)
    ]
    dated = [
        v
        for v in variables
        if DATE_FORMAT.match(v.format) and re.search(r"interview|date|survey", _norm(v.label))
    ]
    tiers = [t for t in (named, [v for v in labelled if v not in named], dated) if t]
    if not tiers:
        flags.add("year", "no interview year or date variable found; fill in by hand")
        return {"variable": PLACEHOLDER}
    also = [v for tier in tiers[1:] for v in tier]
    var = _pick(tiers[0], "year", flags, "the interview year", also)
    kind = "date" if DATE_FORMAT.match(var.format) else "number"
    spec: dict[str, Any] = {"variable": var.name, "kind": kind}
    nonresponse = sorted(var.nonresponse_codes())
    if nonresponse:
        spec["nonresponse"] = nonresponse
    return spec


WEIGHT_NAMES = ("allweight", "w_all", "w", "weight", "w_final")


def _suggest_weight(variables: list[Variable], flags: _Flags) -> dict | None:
    def weightlike(v: Variable) -> bool:
        return not v.value_labels and (
            "weight" in _norm(v.label)
            or re.fullmatch(r"w_[a-z]{2,5}|w\d*|weight\w*", v.name.lower())
        )

    def cross(v: Variable) -> bool:
        return bool(re.search(r"cross", _norm(v.label) + " " + v.name.lower()))

    named = [v for v in _by_name(variables, WEIGHT_NAMES) if not cross(v)]
    labelled = [v for v in variables if weightlike(v) and not cross(v) and v not in named]
    cands = named or labelled
    if not cands:
        flags.add("weight", "no weight variable found: the entry has `weight: null` (unweighted)")
        return None
    var = cands[0]
    others = [v for v in variables if weightlike(v) and v.name != var.name]
    if not var.label:
        flags.add(
            "weight",
            f"{var.name} has no variable label: chosen by its name only; check that it is "
            "the within-country weight and that it varies (W1/W2 weights are disputed)",
        )
    if others:
        flags.add(
            "weight",
            f"{var.name} chosen; other weight variables in the file: "
            f"{'; '.join(v.describe() for v in others)}",
        )
    return {"variable": var.name}
