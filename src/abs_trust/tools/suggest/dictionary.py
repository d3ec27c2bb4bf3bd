"""The release file's dictionary, read without respondent data, and the notes kept about it.

Also the small helpers every concept's suggester shares: picking among candidate variables,
finding variables by name, describing labelled codes, and collecting uncertainty flags.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyreadstat

from abs_trust.errors import InputFileError
from abs_trust.tools.suggest.labels import NONRESPONSE, _norm

PLACEHOLDER = "UNKNOWN"  # a required variable that could not be found: fails loudly at ingest


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
        if re.search(r"encoding|character set", str(exc), re.I):
            advice = _decoding_advice(path, reader, encoding, exc)
            raise InputFileError(f"{path}: {advice}") from exc
        raise InputFileError(f"{path}: cannot be read as {path.suffix} ({exc})") from exc
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputFileError(f"{path}: {_decoding_advice(path, reader, encoding, exc)}") from exc
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


def _decoding_advice(path: Path, reader, encoding: str | None, exc: Exception) -> str:
    """What to do about text that cannot be decoded. With ``--encoding`` given, the fault is
    that option, not the file: say which encoding the file itself declares."""
    if not encoding:
        return (
            f"text cannot be decoded in the character set the file declares ({exc}); pass "
            "--encoding with the file's real encoding (the W1 merged release is big5)"
        )
    try:
        declared = reader(str(path), metadataonly=True)[1].file_encoding or "none"
    except Exception:  # the file's own declaration does not decode either
        declared = "unknown"
    return (
        f"text cannot be decoded as {encoding} (the --encoding given) ({exc}); the file "
        f"declares its encoding as {declared}: drop --encoding, or pass the file's real one"
    )


def _codes_text(codes: Mapping[int, str]) -> str:
    return ", ".join(f"{c} {t!r}" for c, t in codes.items())


class _Flags:
    """Uncertainty notes, each tied to the key of the entry it concerns (``path: text``)."""

    def __init__(self) -> None:
        self.items: list[str] = []

    def add(self, path: str, text: str) -> None:
        self.items.append(f"{path}: {text}")


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
