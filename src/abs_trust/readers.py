"""Read ABS release files: only the needed columns, as codes, with their metadata.

Releases come as SPSS ``.sav`` (every wave) and Stata ``.dta`` (W4, W5). A ``.csv`` export
is accepted too, as "CSV with a codebook": the codes come from the CSV and the value labels
(which ingest checks against the crosswalk) from a sidecar codebook next to it, see
`read_codebook`. Variable-name case differs between waves (W5 ``SE2``, W6 ``IDNUMBER``), so
names are matched case-insensitively against the file's own dictionary (or CSV header)
before anything is read. Files are opened read-only; nothing here writes to ``data/raw``.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import re
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyreadstat
import yaml

from .config import codebook_candidates
from .errors import CrosswalkMismatchError, InputFileError

READERS = {".sav": pyreadstat.read_sav, ".zsav": pyreadstat.read_sav, ".dta": pyreadstat.read_dta}
CSV_SUFFIX = ".csv"
# Sidecar codebook of ``W6_Cambodia.csv``: ``W6_Cambodia.codebook.yaml`` (or .yml/.json), or
# the same with the full file name, ``W6_Cambodia.csv.codebook.yaml``.
CODEBOOK_KEYS = {"labels", "label", "type"}


@dataclass
class ReleaseFile:
    """Columns read from one release file, renamed to the crosswalk's spelling."""

    path: str
    data: pd.DataFrame
    value_labels: dict[str, dict] = field(default_factory=dict)
    missing_ranges: dict[str, list] = field(default_factory=dict)
    file_label: str = ""
    encoding: str = ""
    n_rows: int = 0
    sha256: str = ""


def sha256sum(path: str | Path) -> str:
    """Checksum of a file, recorded so a result can be traced to the exact release read."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _reader(path: Path):
    try:
        return READERS[path.suffix.lower()]
    except KeyError:
        raise InputFileError(
            f"{path}: unsupported file type {path.suffix!r}; expected one of "
            f"{', '.join(sorted([*READERS, CSV_SUFFIX]))} (SPSS or Stata release files, or a "
            "CSV with a sidecar codebook)"
        ) from None


def _read(path: Path, **kwargs):
    reader = _reader(path)
    if reader is pyreadstat.read_sav:
        kwargs["user_missing"] = True  # keep declared nonresponse codes: the crosswalk decides
    try:
        return reader(str(path), **kwargs)
    except pyreadstat.ReadstatError as exc:
        if re.search(r"encoding|character set", str(exc), re.IGNORECASE):
            raise InputFileError(
                f"{path}: text cannot be decoded as {kwargs.get('encoding') or 'declared'} "
                f"({exc}); check `encoding:` for this wave in config.yaml (the W1 release is "
                "big5)"
            ) from exc
        raise InputFileError(
            f"{path}: cannot be read as {path.suffix} ({exc}); is it truncated, corrupt, or "
            "another format renamed?"
        ) from exc
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputFileError(
            f"{path}: text cannot be decoded ({exc}); set `encoding:` for this wave in "
            "config.yaml (the W1 release is big5)"
        ) from exc
    except Exception as exc:  # the C reader's other failures on a bad file
        # Fuzzing showed corrupt bytes surfacing as OverflowError (dates), ValueError, ...:
        # whatever the reader raises, the file is the problem, and the user must hear which.
        raise InputFileError(
            f"{path}: cannot be read ({type(exc).__name__}: {exc}); the file looks corrupt"
        ) from exc


def resolve_columns(path: str | Path, wanted: list[str], available: list[str]) -> dict[str, str]:
    """Map each wanted name to the file's spelling, ignoring case.

    Raises
    ------
    CrosswalkMismatchError
        listing every wanted variable the file lacks.
    """
    by_lower: dict[str, str] = {}
    for name in available:
        if isinstance(name, str):  # a corrupt dictionary can yield unnamed columns
            by_lower.setdefault(name.lower(), name)
    missing = [name for name in wanted if name.lower() not in by_lower]
    if missing:
        raise CrosswalkMismatchError(
            f"{path}: variables {missing} named in the crosswalk are not in the file "
            f"({len(available)} variables; names compared case-insensitively)"
        )
    return {name: by_lower[name.lower()] for name in wanted}


def read_release(
    path: str | Path, variables: list[str], encoding: str | None = None, isolate: bool = True
) -> ReleaseFile:
    """Read ``variables`` from one release file, as numeric codes, with value labels.

    The dictionary is read first (``metadataonly``; for a CSV its header), so a missing
    variable fails fast without loading respondent data, and only the needed columns are then
    read (``usecols``).

    ``encoding`` is passed on as it is: to pyreadstat for ``.sav``/``.dta`` and to pandas
    for ``.csv`` (default UTF-8). None lets pyreadstat use the character set the file
    declares; the W1 merged release is Big5, so its wave sets ``encoding: big5`` in
    config.yaml (ingest passes it here) so as not to depend on that declaration. A wrong or
    unknown encoding is an `InputFileError` naming the file.

    ReadStat is C code: a corrupt file can crash it with a segmentation fault instead of an
    error (found by fuzzing). With ``isolate`` (the default) a ``.sav``/``.dta`` file is read
    in a forked child process, so a crash becomes an `InputFileError` naming the file rather
    than a dead job with no message. A ``.csv`` needs no such isolation: pandas reports a
    malformed CSV as an exception. It is read in this process, with its value labels from the
    sidecar codebook (`read_codebook`).
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: file not found (is it listed correctly in config.yaml?)")
    if path.suffix.lower() == CSV_SUFFIX:
        return _read_csv_release(path, variables, encoding)
    _reader(path)  # an unsupported file type fails here, before a process is forked
    if not isolate:
        return _read_release(path, variables, encoding)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(_read_each, [path], variables, encoding).result()[0]
        except BrokenProcessPool:
            raise InputFileError(
                f"{path}: the SPSS/Stata reader crashed on this file; it is corrupt or "
                "truncated (re-export it from the original release)"
            ) from None


def read_releases(
    paths: list[str | Path], variables: list[str], encoding: str | None = None
) -> list[ReleaseFile]:
    """`read_release` for every file of a wave, the SPSS/Stata ones in ONE forked child.

    A wave can come as a dozen country files (W6); a child per file cost ~50 ms each. If the
    reader crashes in the shared child, the files are read again one child each, so the
    error names the file that crashed, exactly as `read_release` does.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        if not path.is_file():
            raise InputFileError(f"{path}: file not found (is it listed correctly in config.yaml?)")
        if path.suffix.lower() != CSV_SUFFIX:
            _reader(path)  # an unsupported file type fails here, before a process is forked
    binary = [p for p in paths if p.suffix.lower() != CSV_SUFFIX]
    read: dict[Path, ReleaseFile] = {}
    if len(binary) > 1:
        context = multiprocessing.get_context("fork")
        try:
            with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
                releases = pool.submit(_read_each, binary, variables, encoding).result()
            read = dict(zip(binary, releases, strict=True))
        except BrokenProcessPool:
            pass  # found below: read_release isolates each file and names the one that crashes
    return [read.get(p) or read_release(p, variables, encoding=encoding) for p in paths]


def _read_each(paths: list[Path], variables: list[str], encoding: str | None):
    return [_read_release(p, variables, encoding) for p in paths]


def _read_release(path: Path, variables: list[str], encoding: str | None) -> ReleaseFile:
    enc = {"encoding": encoding} if encoding else {}
    options = {"apply_value_formats": False, "dates_as_pandas_datetime": True, **enc}
    # Try the crosswalk's spelling first: the whole dictionary of a 300-variable release takes
    # longer to read (~0.2 s, every value label) than the needed columns do (~0.1 s).
    # pyreadstat drops unknown names from ``usecols`` silently, so a name the file spells
    # differently (case) shows up as a missing column: then look the names up properly.
    data, meta = _read(path, usecols=list(variables), **options)
    names = {name: name for name in variables}
    if set(data.columns) != set(variables):
        _, dictionary = _read(path, metadataonly=True, **enc)
        names = resolve_columns(path, variables, list(dictionary.column_names))
        data, meta = _read(path, usecols=list(names.values()), **options)
    to_crosswalk = {actual: wanted for wanted, actual in names.items()}
    data = data.rename(columns=to_crosswalk)[variables]
    labels = meta.variable_value_labels or {}
    missing = getattr(meta, "missing_ranges", None) or {}
    return ReleaseFile(
        path=str(path),
        data=data,
        value_labels={to_crosswalk[k]: v for k, v in labels.items() if k in to_crosswalk},
        missing_ranges={to_crosswalk[k]: v for k, v in missing.items() if k in to_crosswalk},
        file_label=meta.file_label or "",
        encoding=meta.file_encoding or "",
        n_rows=len(data),
        sha256=sha256sum(path),
    )


# --- CSV with a codebook --------------------------------------------------------------------
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


def _read_csv_release(path: Path, variables: list[str], encoding: str | None) -> ReleaseFile:
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
