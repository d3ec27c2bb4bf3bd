"""Read ABS release files: only the needed columns, as codes, with their metadata.

Releases come as SPSS ``.sav`` (every wave) and Stata ``.dta`` (W4, W5). Variable-name case
differs between waves (W5 ``SE2``, W6 ``IDNUMBER``), so names are matched case-insensitively
against the file's own dictionary before anything is read. Files are opened read-only by
pyreadstat; nothing here writes to ``data/raw``.
"""

from __future__ import annotations

import hashlib
import multiprocessing
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyreadstat

from .errors import CrosswalkMismatchError, InputFileError

READERS = {".sav": pyreadstat.read_sav, ".zsav": pyreadstat.read_sav, ".dta": pyreadstat.read_dta}


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
            f"{', '.join(sorted(READERS))} (SPSS or Stata release files)"
        ) from None


def _read(path: Path, **kwargs):
    reader = _reader(path)
    if reader is pyreadstat.read_sav:
        kwargs["user_missing"] = True  # keep declared nonresponse codes: the crosswalk decides
    try:
        return reader(str(path), **kwargs)
    except pyreadstat.ReadstatError as exc:
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

    The dictionary is read first (``metadataonly``), so a missing variable fails fast without
    loading respondent data, and only the needed columns are then read (``usecols``).

    ReadStat is C code: a corrupt file can crash it with a segmentation fault instead of an
    error (found by fuzzing). With ``isolate`` (the default) the file is read in a forked
    child process, so a crash becomes an `InputFileError` naming the file rather than a
    dead job with no message.
    """
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: file not found (is it listed correctly in config.yaml?)")
    if not isolate:
        return _read_release(path, variables, encoding)
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        try:
            return pool.submit(_read_release, path, variables, encoding).result()
        except BrokenProcessPool:
            raise InputFileError(
                f"{path}: the SPSS/Stata reader crashed on this file; it is corrupt or "
                "truncated (re-export it from the original release)"
            ) from None


def _read_release(path: Path, variables: list[str], encoding: str | None) -> ReleaseFile:
    enc = {"encoding": encoding} if encoding else {}
    _, meta = _read(path, metadataonly=True, **enc)
    names = resolve_columns(path, variables, list(meta.column_names))
    data, meta = _read(
        path,
        usecols=list(names.values()),
        apply_value_formats=False,
        dates_as_pandas_datetime=True,
        **enc,
    )
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
