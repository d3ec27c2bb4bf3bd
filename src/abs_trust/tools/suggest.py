"""Suggest the crosswalk entry for a new ABS release file from its dictionary alone.

``abs-trust suggest-crosswalk FILE`` reads the file's metadata (variable names, variable
labels, value labels, formats, declared missing values: pyreadstat ``metadataonly=True``, no
respondent data) and proposes the YAML block to paste under ``waves:`` in
``config/crosswalk.yaml``, plus a new response scale under ``scales:`` when no existing one
fits.

It is a drafting aid, not an oracle. Trust items are recognised by their value labels (a
scale running from "a great deal"/"trust fully" to "none at all"/"distrust fully") and mapped
to an institution only when the variable label reads as that institution's standard wording;
two candidates for one institution, a label that names no known institution, scales that
differ between items, codes that are neither answers nor nonresponse: all are reported as
flags (``# UNCERTAIN:`` comments in the YAML) and never guessed. The crosswalk's own checks
(value labels at ingest) remain the safety net for whatever is accepted from here.
"""

from __future__ import annotations

import argparse
import re
import sys
import textwrap
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import as_file, files
from pathlib import Path
from typing import Any

import pyreadstat
import yaml

from abs_trust.config import read_yaml
from abs_trust.errors import AbsTrustError, InputFileError

# The crosswalk shipped with the package (a link to config/crosswalk.yaml in a checkout, a
# copy in an installed wheel): the fallback when no config/crosswalk.yaml is in the cwd.
DEFAULT_CROSSWALK = files("abs_trust") / "defaults" / "crosswalk.yaml"
PLACEHOLDER = "UNKNOWN"  # a required variable that could not be found: fails loudly at ingest
AGE_RANGE = {"min": 15, "max": 110}

# --- institutions -------------------------------------------------------------------------
# A trust item's label is reduced to its core phrase ("How much trust do you have in the
# courts?" -> "courts", "q13. The military(or armed forces)" -> "military") and must match one
# of these in full. Looser mentions ("TRUST POLICE STATION", "The Constitution Court") are
# reported, not mapped: they are different items that share a keyword.
INSTITUTION_PATTERNS: dict[str, str] = {
    "executive": r"(?:office of (?:the )?)?(?:president|prime minister|premier|chief executive"
    r"|exe?cutive(?: office| branch)?)(?: or (?:the )?(?:president|prime minister))?",
    "courts": r"(?:law )?courts?|judiciary|courts? of law|judicial system",
    "national_government": r"(?:national|central) government(?: in (?:the )?capital(?: city)?)?",
    "political_parties": r"(?:political )?parties",
    "parliament": r"parliament|(?:national )?(?:legislature|congress|national assembly"
    r"|legislative yuan|legislative council)",
    "civil_service": r"civil service|civil servants",
    "military": r"(?:military|army|armed forces?)"
    r"(?: ?or (?:the )?(?:military|army|armed forces?))?",
    "police": r"police(?: force)?",
    "local_government": r"local governments?",
    "newspapers": r"newspapers?|press|print media",
    "television": r"television|tv",
    "election_commission": r"(?:national |central )?election commission",
    "ngos": r"non[- ]?government(?:al)? organi[sz]ations?(?: ?or ngos?)?|ngos?",
}
INSTITUTION_MENTIONS: dict[str, str] = {
    "executive": r"president|prime minister|exe?cutive",
    "courts": r"\bcourts?\b|judicia",
    "national_government": r"national government|central government",
    "political_parties": r"\bpart(?:y|ies)\b",
    "parliament": r"parliament|legislat|congress|\bmps?\b",
    "civil_service": r"civil serv",
    "military": r"military|armed force|\barmy\b",
    "police": r"police",
    "local_government": r"local government",
    "newspapers": r"newspaper|\bpress\b",
    "television": r"television|\btv\b",
    "election_commission": r"election",
    "ngos": r"\bngos?\b|non[- ]?government",
}
INSTITUTIONS = tuple(INSTITUTION_PATTERNS)

# --- value-label vocabulary ----------------------------------------------------------------
TRUST_TOP = re.compile(  # "distrust fully" contains "trust fully"
    r"great deal|(?<!dis)trust fully|fully trust|complete trust|(?<!dis)trust completely"
)
TRUST_BOTTOM = re.compile(
    r"none at all|distrust fully|fully distrust|no trust at all|not trust at all|"
    r"distrust completely"
)
NONRESPONSE = re.compile(
    r"don'?t know|do not know|\bdk\b|can'?t choose|cannot choose|can not choose|"
    r"can'?t determine|decline|refuse|do not understand|don'?t understand|^du$|not sure|"
    r"no answer|\bmi?s+ing\b|not applicable|^n/?a$|not stated|^unknown$"
)
DATE_FORMAT = re.compile(r"^(?:s?date|adate|edate|jdate|datetime|ymdhms|moyr|%-?t[dc])", re.I)

_NUMBER_PREFIX = re.compile(r"^\s*q?\d+[a-z]?(?:_\d+)?(?:[.:)]\s*|\s+)")
_BRACKETS = re.compile(r"\([^)]*\)|\[[^\]]*\]|<[^>]*>|\{[^}]*\}")
_LEADINS = (
    re.compile(r"^how much (?:do you )?trust (?:do you have )?(?:in )?"),
    re.compile(r"^how much confidence (?:do you have )?(?:in )?"),
    re.compile(r"^(?:trust|confidence) (?:in )?"),
    re.compile(r"^(?:the|a|an) "),
)


def _norm(text: str | None) -> str:
    """Lower case, straight apostrophes, single spaces."""
    text = (text or "").replace("\u2019", "'").replace("\u2018", "'").replace("`", "'")
    return " ".join(text.lower().split())


def _core_phrase(label: str) -> str:
    """The institution a trust item's label names, stripped of numbering and lead-in text."""
    text = _NUMBER_PREFIX.sub("", _norm(label), count=1)
    text = _BRACKETS.sub(" ", text)
    parts = [p.strip() for p in text.split("?") if re.search(r"[a-z]", p)]
    text = parts[-1] if parts else ""
    for pattern in _LEADINS:
        text = pattern.sub("", text.strip())
    return " ".join(re.sub(r"[\s.,;:!*_-]+$", "", text).split())


def match_institution(label: str) -> tuple[list[str], list[str]]:
    """Institutions a trust item's label names: (full matches, looser mentions)."""
    core = _core_phrase(label)
    full = [name for name, pat in INSTITUTION_PATTERNS.items() if re.fullmatch(pat, core)]
    mentions = [name for name, pat in INSTITUTION_MENTIONS.items() if re.search(pat, core)]
    return full, mentions


# --- the file's dictionary ------------------------------------------------------------------
@dataclass(frozen=True, eq=False)
class Variable:
    """One variable of the release file, as its dictionary describes it."""

    name: str
    label: str
    value_labels: Mapping[int, str]
    format: str
    declared_missing: tuple[tuple[float, float], ...] = ()

    def is_declared_missing(self, code: float) -> bool:
        return any(lo <= code <= hi for lo, hi in self.declared_missing)

    def nonresponse_codes(self) -> dict[int, str]:
        """Labelled codes that mean "no substantive answer" (by label or by declaration)."""
        out = {
            code: text
            for code, text in self.value_labels.items()
            if NONRESPONSE.search(_norm(text)) or self.is_declared_missing(code)
        }
        for lo, hi in self.declared_missing:  # declared discrete values without a label
            if lo == hi and float(lo).is_integer() and int(lo) not in out:
                out[int(lo)] = "(declared missing)"
        return dict(sorted(out.items()))

    def substantive_codes(self) -> dict[int, str]:
        nonresponse = self.nonresponse_codes()
        return {c: t for c, t in sorted(self.value_labels.items()) if c not in nonresponse}

    def describe(self) -> str:
        return f"{self.name} ({self.label!r})" if self.label else f"{self.name} (no label)"


def _integral_labels(labels: Mapping | None) -> dict[int, str]:
    out = {}
    for key, text in (labels or {}).items():
        try:
            number = float(key)
        except (TypeError, ValueError):
            return {}  # a string variable's labels: not codes
        if number.is_integer():
            out[int(number)] = str(text)
    return out


def _declared_missing(meta, name: str) -> tuple[tuple[float, float], ...]:
    ranges = (getattr(meta, "missing_ranges", None) or {}).get(name) or []
    out = []
    for item in ranges:
        try:
            out.append((float(item["lo"]), float(item["hi"])))
        except (KeyError, TypeError, ValueError):
            continue  # string missing values: not codes
    return tuple(out)


def read_dictionary(path: str | Path, encoding: str | None = None) -> tuple[list[Variable], dict]:
    """Read a release file's dictionary only (``metadataonly=True``): no respondent data.

    Returns the variables in file order and a description of the file (rows, encoding).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: file not found")
    suffix = path.suffix.lower()
    kwargs: dict[str, Any] = {"metadataonly": True}
    if encoding:
        kwargs["encoding"] = encoding
    if suffix in (".sav", ".zsav"):
        reader = pyreadstat.read_sav
        kwargs["user_missing"] = True  # report declared missing values in the metadata
    elif suffix == ".dta":
        reader = pyreadstat.read_dta
    else:
        raise InputFileError(
            f"{path}: unsupported file type {path.suffix!r}; expected .sav, .zsav or .dta"
        )
    try:
        _, meta = reader(str(path), **kwargs)
    except pyreadstat.ReadstatError as exc:
        hint = ""
        if re.search(r"encoding|character set", str(exc), re.I):
            hint = "; check --encoding (W1 releases are big5)"
        raise InputFileError(f"{path}: cannot be read as {path.suffix} ({exc}){hint}") from exc
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputFileError(
            f"{path}: text cannot be decoded ({exc}); pass --encoding (W1 releases are big5)"
        ) from exc
    labels = meta.column_names_to_labels or {}
    value_labels = meta.variable_value_labels or {}
    formats = getattr(meta, "original_variable_types", None) or {}
    variables = [
        Variable(
            name=name,
            label=" ".join(str(labels.get(name) or "").split()),
            value_labels=_integral_labels(value_labels.get(name)),
            format=str(formats.get(name) or ""),
            declared_missing=_declared_missing(meta, name),
        )
        for name in meta.column_names
    ]
    info = {
        "path": str(path),
        "variables": len(variables),
        "rows": getattr(meta, "number_rows", None),
        "encoding": getattr(meta, "file_encoding", None) or encoding or "",
    }
    return variables, info


# --- trust items ----------------------------------------------------------------------------
@dataclass(frozen=True)
class TrustItem:
    var: Variable
    substantive: Mapping[int, str]
    nonresponse: Mapping[int, str]
    top: int | None
    bottom: int | None

    @property
    def direction(self) -> str | None:
        """``descending`` (lowest code = most trust) or ``ascending``; None if unclear."""
        codes = sorted(self.substantive)
        if self.top is None or self.bottom is None or len(codes) < 3:
            return None
        if codes != list(range(codes[0], codes[-1] + 1)):
            return None  # gaps: some labelled code is neither an answer nor nonresponse
        if (self.top, self.bottom) == (codes[0], codes[-1]):
            return "descending"
        if (self.top, self.bottom) == (codes[-1], codes[0]):
            return "ascending"
        return None

    @property
    def signature(self) -> tuple:
        return (tuple(sorted(self.substantive)), self.direction)


def _trust_item(var: Variable) -> TrustItem | None:
    """The variable as a trust item, if its value labels are a trust scale."""
    substantive = var.substantive_codes()
    tops = [c for c, t in substantive.items() if TRUST_TOP.search(_norm(t))]
    bottoms = [c for c, t in substantive.items() if TRUST_BOTTOM.search(_norm(t))]
    if not tops or not bottoms:
        return None
    return TrustItem(
        var=var,
        substantive=substantive,
        nonresponse=var.nonresponse_codes(),
        top=tops[0] if len(tops) == 1 else None,
        bottom=bottoms[0] if len(bottoms) == 1 else None,
    )


def _codes_text(codes: Mapping[int, str]) -> str:
    return ", ".join(f"{c} {t!r}" for c, t in codes.items())


class _Flags:
    """Uncertainty notes, each tied to the key of the entry it concerns (``path: text``)."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, text: str) -> None:
        self.items.append(f"{path}: {text}")


def _scale_from_items(
    items: list[TrustItem], existing: Mapping[str, Any], wave_id: str, flags: _Flags
) -> tuple[str, dict | None]:
    """Name an existing scale that fits every item exactly, or propose a new one."""
    codes = sorted(items[0].substantive)
    direction = items[0].direction
    k = len(codes)
    # harmonized level: 1 = least trust ... K = most trust
    order = codes if direction == "ascending" else codes[::-1]
    recode = dict(sorted((code, level) for level, code in enumerate(order, start=1)))
    top_half = [c for c, level in recode.items() if level > k / 2 + (0.5 if k % 2 else 0)]
    trusting = sorted(top_half)

    def fits(spec: Mapping) -> bool:
        try:
            want = {int(c): str(t).lower() for c, t in spec["labels"].items()}
            spec_recode = {int(c): int(v) for c, v in spec["recode"].items()}
            spec_trusting = sorted(int(c) for c in spec["trusting"])
        except (KeyError, TypeError, ValueError, AttributeError):
            return False
        if spec_recode != recode or set(want) != set(codes) or spec_trusting != trusting:
            return False
        return all(want[c] in _norm(item.substantive[c]) for item in items for c in codes)

    for name, spec in existing.items():
        if isinstance(spec, Mapping) and fits(spec):
            return name, None

    # New scale: for each code the shortest label text, which every item must contain.
    labels, level_words = {}, {}
    for code in codes:
        texts = [item.substantive[code] for item in items]
        shortest = min(texts, key=lambda t: len(_norm(t)))
        labels[code] = _norm(shortest)
        level_words[recode[code]] = " ".join(shortest.split())
        if not all(labels[code] in _norm(t) for t in texts):
            flags.add(
                "trust.scale",
                f"code {code} is labelled differently across items "
                f"({sorted({' '.join(t.split()) for t in texts})}); check the proposed labels",
            )
    name = f"trust{k}_{direction}"
    if name in existing:
        name = f"{name}_{wave_id.lower()}"
        flags.add(
            "trust.scale",
            f"the existing scale trust{k}_{direction} does not match this file's value "
            f"labels, so a new scale {name} is proposed",
        )
    scale = {
        "labels": labels,
        "recode": recode,
        "trusting": trusting,
        "level_labels": [level_words[level] for level in range(1, k + 1)],
    }
    trusting_words = ", ".join(repr(" ".join(items[0].substantive[c].split())) for c in trusting)
    if k != 4:
        scale["comparable"] = (
            f"{k}-point scale: levels and trusting shares are not comparable with the 4-point waves"
        )
        flags.add(
            f"scales.{name}.trusting",
            f"counting the top half of a {k}-point scale (codes {trusting}: {trusting_words}) "
            "as trusting is a substantive choice, not a fact of the file; the 4-point waves "
            "count the top 2 of 4",
        )
    if k % 2:
        flags.add(
            f"scales.{name}.trusting",
            f"a {k}-point scale has a middle code ({order[k // 2]}); it is not counted as trusting",
        )
    flags.add(
        "trust.scale",
        f"no scale in the crosswalk fits these value labels; new scale {name} proposed "
        f"({k} points, {direction}): paste it under `scales:`",
    )
    return name, scale


def _suggest_trust(
    variables: list[Variable], existing_scales: Mapping, wave_id: str, flags: _Flags
) -> tuple[dict, dict]:
    trust_vars = [item for v in variables if (item := _trust_item(v)) is not None]
    by_institution: dict[str, list[TrustItem]] = {}
    for item in trust_vars:
        full, mentions = match_institution(item.var.label)
        if len(full) == 1:
            by_institution.setdefault(full[0], []).append(item)
        elif len(full) > 1:
            flags.add(
                "trust.items",
                f"{item.var.describe()} reads as several institutions ({', '.join(full)}); "
                "not mapped",
            )
        elif mentions:
            flags.add(
                "trust.items",
                f"{item.var.describe()} is a trust item that mentions "
                f"{' / '.join(mentions)} but does not read as the standard item; not mapped "
                "(check by hand)",
            )
        else:
            flags.add(
                "trust.items",
                f"{item.var.describe()} is a trust item that matches no institution; not mapped",
            )

    chosen: dict[str, TrustItem] = {}
    for institution in INSTITUTIONS:
        candidates = by_institution.get(institution, [])
        if len(candidates) > 1:
            flags.add(
                f"trust.items.{institution}",
                f"several variables read as {institution}: "
                f"{'; '.join(c.var.describe() for c in candidates)}; the labels cannot tell "
                "them apart, so none is mapped (choose one by hand)",
            )
        elif candidates:
            chosen[institution] = candidates[0]
    missing = [i for i in INSTITUTIONS if i not in by_institution]
    if missing:
        flags.add("trust.items", f"no trust item found for: {', '.join(missing)}")

    unclear = {i: it for i, it in chosen.items() if it.direction is None}
    for institution, item in unclear.items():
        flags.add(
            f"trust.items.{institution}",
            f"{item.var.describe()}: cannot tell the scale's direction from its value labels "
            f"({_codes_text(item.substantive)}); not mapped",
        )
        del chosen[institution]
    if chosen:
        ranked = Counter(it.signature for it in chosen.values()).most_common()
        common = ranked[0][0]
        if len(ranked) > 1 and ranked[1][1] == ranked[0][1]:
            flags.add(
                "trust.scale",
                "the items use different scales and none is in the majority; the scale of "
                "the first item was kept (check)",
            )
        for institution, item in list(chosen.items()):
            if item.signature != common:
                flags.add(
                    f"trust.items.{institution}",
                    f"{item.var.describe()} uses a different scale "
                    f"({_codes_text(item.substantive)}) from the other items; not mapped "
                    "(a wave has one trust scale)",
                )
                del chosen[institution]

    trust: dict[str, Any] = {"scale": PLACEHOLDER, "nonresponse": [], "items": {}}
    scales: dict[str, dict] = {}
    if not chosen:
        flags.add("trust", "no trust battery recognised in this file")
        return trust, scales
    position = {v.name: i for i, v in enumerate(variables)}
    items = sorted(chosen.values(), key=lambda it: position[it.var.name])  # file order
    name, new_scale = _scale_from_items(items, existing_scales, wave_id, flags)
    trust["scale"] = name
    if new_scale is not None:
        scales[name] = new_scale

    union: dict[int, str] = {}
    for item in items:
        for code, text in item.nonresponse.items():
            union.setdefault(code, text)
    trust["nonresponse"] = sorted(union)
    partial = {
        code: [it.var.name for it in items if code in it.nonresponse]
        for code in union
        if not all(code in it.nonresponse for it in items)
    }
    if partial:
        detail = "; ".join(
            f"{code} ({union[code]!r}) only on {', '.join(names)}"
            for code, names in partial.items()
        )
        flags.add(
            "trust.nonresponse", f"the items' nonresponse codes differ (union listed): {detail}"
        )
    flags_codes = [(c, t) for c, t in union.items() if t == "(declared missing)"]
    if flags_codes:
        flags.add(
            "trust.nonresponse",
            f"codes {[c for c, _ in flags_codes]} are declared missing but have no label",
        )
    ranges = {r for it in items for r in it.var.declared_missing if r[0] != r[1]}
    if ranges:
        flags.add(
            "trust.nonresponse",
            f"declared missing ranges {sorted(ranges)}: codes inside them are not listed",
        )
    trust["items"] = {i: chosen[i].var.name for i in INSTITUTIONS if i in chosen}
    return trust, scales


# --- other concepts -------------------------------------------------------------------------
def _pick(
    candidates: list[Variable],
    concept: str,
    flags: _Flags,
    what: str,
    also: Sequence[Variable] = (),
) -> Variable | None:
    """First candidate; flag the others (same tier) and weaker alternatives (``also``)."""
    if not candidates:
        flags.add(concept, f"no variable found for {what}; fill in by hand")
        return None
    chosen = candidates[0]
    others = [v for v in [*candidates[1:], *also] if v.name != chosen.name]
    if others:
        flags.add(
            concept,
            f"{chosen.name} chosen for {what}; also possible: "
            f"{'; '.join(v.describe() for v in others)}",
        )
    return chosen


def _by_name(variables: list[Variable], names: tuple[str, ...]) -> list[Variable]:
    """Variables named (case-insensitively) in ``names``, in the order of ``names``."""
    lower = {v.name.lower(): v for v in variables}
    return [lower[n] for n in names if n in lower]


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


# --- the suggestion -------------------------------------------------------------------------
def _load_crosswalk(crosswalk: str | Path | Mapping | None) -> tuple[dict, str]:
    if isinstance(crosswalk, Mapping):
        return dict(crosswalk), "(given mapping)"
    if crosswalk is None:
        local = Path("config/crosswalk.yaml")
        if local.is_file():
            crosswalk = local
        elif DEFAULT_CROSSWALK.is_file():
            with as_file(DEFAULT_CROSSWALK) as shipped:
                raw = read_yaml(shipped)
            return (raw if isinstance(raw, dict) else {}), "the crosswalk shipped with abs-trust"
        else:
            return {}, ""
    raw = read_yaml(crosswalk)
    return (raw if isinstance(raw, dict) else {}), str(crosswalk)


def suggest_crosswalk(
    path: str | Path,
    wave_id: str = "WNEW",
    encoding: str | None = None,
    crosswalk: str | Path | Mapping | None = None,
) -> dict:
    """Propose the crosswalk entry for one release file from its dictionary alone.

    Parameters
    ----------
    path
        the release file (.sav, .zsav or .dta); only its metadata is read.
    wave_id
        the key for the new entry under ``waves:`` (``W`` followed by letters or digits).
    encoding
        passed to pyreadstat as ``encoding`` (W1 releases are big5); None lets it detect.
    crosswalk
        the crosswalk whose scales (and country list) the file is compared with: a path or an
        already parsed mapping; None means ``config/crosswalk.yaml``.

    Returns
    -------
    dict
        ``entry`` (the wave entry, in the crosswalk's format), ``scales`` (new scales to add
        under ``scales:``; empty when an existing scale fits), ``flags`` (uncertainty notes,
        each ``"<key path>: <text>"``) and ``source`` (file, variables, rows, encoding).
    """
    if not re.fullmatch(r"W[0-9A-Za-z_]+", wave_id):
        raise ValueError(f"wave id {wave_id!r} must look like W7 (W, then letters or digits)")
    raw, crosswalk_source = _load_crosswalk(crosswalk)
    variables, info = read_dictionary(path, encoding)
    flags = _Flags()
    existing_scales = raw.get("scales") or {}
    countries = {}
    for code, slug in (raw.get("countries") or {}).items():
        try:
            countries[int(code)] = slug
        except (TypeError, ValueError):
            continue
    if not raw:
        flags.add("file", "no crosswalk given or found: every scale is proposed as new")
    if wave_id in (raw.get("waves") or {}):
        flags.add("file", f"{crosswalk_source} already has an entry for {wave_id}; compare first")

    trust, scales = _suggest_trust(variables, existing_scales, wave_id, flags)
    entry: dict[str, Any] = {
        "description": f"suggested for {wave_id} from {Path(path).name} by abs-trust "
        "suggest-crosswalk (review before use)",
        "country": _suggest_country(variables, countries, flags),
        "respondent_id": _suggest_id(variables, flags),
        "year": _suggest_year(variables, flags),
        "weight": _suggest_weight(variables, flags),
        "trust": trust,
    }
    demographics = {
        "age": _suggest_age(variables, flags),
        "female": _suggest_female(variables, flags),
        "education": _suggest_education(variables, flags),
        "income": _suggest_income(variables, flags),
        "urban": _suggest_urban(variables, flags),
    }
    entry["demographics"] = {k: v for k, v in demographics.items() if v is not None}
    return {
        "entry": entry,
        "scales": scales,
        "flags": list(flags.items),
        "source": {**info, "wave": wave_id, "crosswalk": crosswalk_source},
    }


# --- YAML -----------------------------------------------------------------------------------
def _flow(value: Any) -> str:
    """One value in YAML flow style (``{variable: se2, recode: {1: 0, 2: 1}}``)."""
    text = yaml.safe_dump(
        {"k": value}, default_flow_style=True, sort_keys=False, width=10**6, allow_unicode=True
    )
    return text.strip()[len("{k: ") : -1]


def _comment(text: str, indent: str) -> list[str]:
    lines = textwrap.wrap(
        text,
        width=max(40, 98 - len(indent)),
        initial_indent=f"{indent}# UNCERTAIN: ",
        subsequent_indent=f"{indent}#   ",
        break_long_words=False,
        break_on_hyphens=False,
    )
    return lines or [f"{indent}# UNCERTAIN:"]


def render_yaml(suggestion: Mapping) -> str:
    """The suggestion as YAML with ``# UNCERTAIN:`` comments next to the keys they concern.

    The text parses to ``{"scales": {...}, "waves": {<wave>: <entry>}}`` (``scales`` only when
    a new scale is proposed), mirroring ``config/crosswalk.yaml``: paste the inner blocks under
    the crosswalk's own ``scales:`` and ``waves:``.
    """
    source = suggestion.get("source") or {}
    wave = source.get("wave") or "WNEW"
    by_path: dict[str, list[str]] = {}
    for flag in suggestion.get("flags", []):
        key, _, text = flag.partition(": ")
        by_path.setdefault(key, []).append(text or flag)
    scales = suggestion.get("scales") or {}
    entry = suggestion["entry"]
    # Flags name paths relative to the wave entry ("trust.items.police") or to the scales.
    by_path = {
        (p if p.startswith("scales.") or p == "file" else f"waves.{wave}.{p}"): notes
        for p, notes in by_path.items()
    }
    blocks = {"scales", "waves", f"waves.{wave}", f"waves.{wave}.trust.items"}
    blocks |= {f"scales.{name}" for name in scales}
    blocks |= {f"waves.{wave}.{k}" for k in ("trust", "demographics")}
    used: set[str] = set()
    body: list[str] = []

    def emit(key: str, value: Any, path: str, depth: int) -> None:
        indent = "  " * depth
        for note in by_path.get(path, []):
            body.extend(_comment(note, indent))
        if path in by_path:
            used.add(path)
        if path in blocks and isinstance(value, Mapping) and value:
            body.append(f"{indent}{key}:")
            for child_key, child in value.items():
                emit(str(child_key), child, f"{path}.{child_key}", depth + 1)
        else:
            body.append(f"{indent}{key}: {_flow(value)}")

    if scales:
        body.append("# New response scale(s): paste under `scales:` in config/crosswalk.yaml.")
        emit("scales", scales, "scales", 0)
        body.append("")
    body.append(f"# Paste under `waves:` in config/crosswalk.yaml (wave {wave}).")
    emit("waves", {wave: entry}, "waves", 0)

    n_flags = len(suggestion.get("flags", []))
    intro = (
        f"Crosswalk suggestion for {source.get('path', '?')} ({source.get('variables', '?')} "
        f"variables, {source.get('rows', '?')} rows, encoding {source.get('encoding') or '?'}), "
        "made from the file's dictionary only: no respondent data was read."
    )
    if source.get("crosswalk"):
        intro += f" Scales compared with {source['crosswalk']}."
    intro += (
        f" {n_flags} point(s) marked UNCERTAIN need a decision before the entry is used;"
        " ingest still checks every value label against the file."
    )
    header = textwrap.wrap(intro, width=98, initial_indent="# ", subsequent_indent="# ")
    leftovers = [note for p, notes in by_path.items() if p not in used for note in notes]
    for note in leftovers:
        header.extend(_comment(note, ""))
    return "\n".join([*header, "", *body]) + "\n"


# --- command line ---------------------------------------------------------------------------
def add_arguments(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Arguments of ``abs-trust suggest-crosswalk`` (for an argparse subparser)."""
    parser.add_argument(
        "file", help="release file (.sav, .zsav, .dta); only its dictionary is read"
    )
    parser.add_argument("--wave", default="WNEW", help="key of the new entry, e.g. W7")
    parser.add_argument(
        "--encoding", default=None, help="text encoding for pyreadstat (W1 releases: big5)"
    )
    parser.add_argument(
        "--crosswalk",
        default=None,
        help="crosswalk whose scales are reused when they fit (default: config/crosswalk.yaml)",
    )
    return parser


def run(args: argparse.Namespace) -> int:
    """Print the suggestion as YAML on stdout; 0 on success, 2 if the file cannot be read."""
    try:
        suggestion = suggest_crosswalk(
            args.file, wave_id=args.wave, encoding=args.encoding, crosswalk=args.crosswalk
        )
    except (AbsTrustError, ValueError) as exc:
        print(f"abs-trust suggest-crosswalk: {exc}", file=sys.stderr)
        return 2
    sys.stdout.write(render_yaml(suggestion))
    print(
        f"abs-trust suggest-crosswalk: {len(suggestion['flags'])} uncertain point(s) flagged",
        file=sys.stderr,
    )
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="abs-trust suggest-crosswalk",
        description="Propose a crosswalk entry for a release file from its dictionary alone.",
    )
    add_arguments(parser)
    return run(parser.parse_args(argv))


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
