"""CSV releases with a sidecar codebook: codes from the CSV, value labels from the codebook.

A ``.csv`` export is accepted as "CSV with a codebook": the codes come from the CSV and the
value labels (which ingest checks against the crosswalk) from a sidecar file next to it,
``W6_Cambodia.codebook.yaml`` (or .yml/.json), or the same with the full file name,
``W6_Cambodia.csv.codebook.yaml``. pandas reports a malformed CSV as an exception, so no
process isolation is needed here (compare `abs_trust.readers.release`).
"""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import yaml

from abs_trust.config import codebook_candidates
from abs_trust.errors import InputFileError
from abs_trust.readers.columns import ReleaseFile, resolve_columns, sha256sum

CODEBOOK_KEYS = {"labels", "label", "type"}


def find_codebook(path: str | Path) -> Path:
    """The one sidecar codebook of ``path``.

    Raises
    ------
    InputFileError
        naming the expected path when there is none, or every candidate when several exist.
    """
    found = [c for c in codebook_candidates(path) if c.is_file()]
    if not found:
        expected = codebook_candidates(path)[0]
        raise InputFileError(
            f"{path}: a CSV release needs its codebook (the value labels ingest checks), "
            f"expected at {expected} (or the same with .yml/.json, or named "
            f"{Path(path).name}.codebook.yaml); format: {{variable: {{labels: {{code: text}}}}}}"
        )
    if len(found) > 1:
        raise InputFileError(
            f"{path}: several codebooks found ({', '.join(map(str, found))}); keep exactly one"
        )
    return found[0]


def read_codebook(path: str | Path) -> dict[str, dict]:
    """Read a CSV release's sidecar codebook (YAML or JSON).

    Format: one entry per variable, ``{variable: {labels: {code: text}}}``, e.g.::

        q7:
          label: Trust in the executive office   # optional, variable label
          labels: {-1: Missing, 1: A great deal of trust, 4: None at all, 9: Decline}
        ir9:
          type: date                              # optional: ISO dates (YYYY-MM-DD)
        IDNUMBER: {}                              # unlabelled variables may be left out

    Codes must be numbers (YAML keys or JSON strings such as ``"-1"``); variable names match
    the CSV header case-insensitively.

    Returns
    -------
    dict
        variable name (as written in the codebook) -> ``{"labels": {float code: text},
        "label": str, "type": str}``.

    Raises
    ------
    InputFileError
        naming the codebook, the variable and the offending key or code.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
        raw = json.loads(text) if path.suffix.lower() == ".json" else yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise InputFileError(f"{path}: codebook cannot be read ({exc})") from exc
    if raw is None:
        raw = {}
    if not isinstance(raw, dict):
        raise InputFileError(
            f"{path}: a codebook maps variable names to {{labels: {{code: text}}}}, got a "
            f"{type(raw).__name__}"
        )
    codebook = {}
    for variable, entry in raw.items():
        entry = {} if entry is None else entry
        if not isinstance(entry, dict):
            raise InputFileError(
                f"{path}: variable {variable!r}: expected a mapping such as "
                f"{{labels: {{1: text}}}}, got {entry!r}"
            )
        unknown = sorted(set(entry) - CODEBOOK_KEYS)
        if unknown:
            raise InputFileError(
                f"{path}: variable {variable!r}: unknown keys {unknown} (allowed: "
                f"{sorted(CODEBOOK_KEYS)})"
            )
        if entry.get("type", "number") not in ("number", "date"):
            raise InputFileError(
                f"{path}: variable {variable!r}: type {entry['type']!r} is not number or date"
            )
        labels = {}
        for code, label in (entry.get("labels") or {}).items():
            try:
                labels[float(code)] = str(label)
            except (TypeError, ValueError):
                raise InputFileError(
                    f"{path}: variable {variable!r}: value-label code {code!r} is not a number"
                ) from None
        codebook[str(variable)] = {
            "labels": labels,
            "label": str(entry.get("label") or ""),
            "type": entry.get("type", "number"),
        }
    return codebook


def read_csv_release(path: Path, variables: list[str], encoding: str | None) -> ReleaseFile:
    codebook_path = find_codebook(path)
    codebook = {name.lower(): entry for name, entry in read_codebook(codebook_path).items()}
    enc = encoding or "utf-8"
    try:
        header = pd.read_csv(path, nrows=0, encoding=enc)
        names = resolve_columns(path, variables, [str(c) for c in header.columns])
        dates = [n for n in variables if codebook.get(n.lower(), {}).get("type") == "date"]
        data = pd.read_csv(
            path,
            usecols=list(names.values()),
            encoding=enc,
            # Codes are parsed as numbers; an empty cell (or NA) is system-missing. A stray
            # text value keeps its column as text, and harmonize refuses it as "not integer
            # codes", naming the variable.
            dtype={names[n]: "object" for n in dates},
        )
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputFileError(
            f"{path}: text cannot be decoded as {enc} ({exc}); set `encoding:` for this wave "
            "in config.yaml"
        ) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, ValueError) as exc:
        raise InputFileError(f"{path}: cannot be read as CSV ({exc})") from exc
    to_crosswalk = {actual: wanted for wanted, actual in names.items()}
    data = data.rename(columns=to_crosswalk)[variables]
    for name in dates:
        parsed = pd.to_datetime(data[name], errors="coerce", format="ISO8601")
        bad = data[name].notna() & parsed.isna()
        if bad.any():
            raise InputFileError(
                f"{path}: variable {name!r} is a date in {codebook_path} but holds "
                f"{data.loc[bad, name].head(3).tolist()} (expected ISO dates, YYYY-MM-DD)"
            )
        data[name] = parsed
    labels = {
        name: codebook[name.lower()]["labels"]
        for name in variables
        if codebook.get(name.lower(), {}).get("labels")
    }
    return ReleaseFile(
        path=str(path),
        data=data,
        value_labels=labels,
        missing_ranges={},
        file_label="",
        encoding=enc,
        n_rows=len(data),
        sha256=sha256sum(path),
    )
