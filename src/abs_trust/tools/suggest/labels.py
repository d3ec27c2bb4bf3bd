"""What a label is taken to mean: institution wording and the value-label vocabulary.

Pure text rules (no file access), so the matching can be read and tested on its own.
"""

from __future__ import annotations

import re

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
