"""Read ABS release files: only the needed columns, as codes, with their metadata.

Releases come as SPSS ``.sav`` (every wave) and Stata ``.dta`` (W4, W5). A ``.csv`` export
is accepted too, as "CSV with a codebook": the codes come from the CSV and the value labels
(which ingest checks against the crosswalk) from a sidecar codebook next to it, see
`read_codebook`. Variable-name case differs between waves (W5 ``SE2``, W6 ``IDNUMBER``), so
names are matched case-insensitively against the file's own dictionary (or CSV header)
before anything is read. Files are opened read-only; nothing here writes to ``data/raw``.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import re
import signal
import sys
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path

import pyreadstat

from abs_trust.errors import InputFileError
from abs_trust.readers.codebook import read_csv_release
from abs_trust.readers.columns import ReleaseFile, resolve_columns, sha256sum
from abs_trust.readers.files import check_readable

READERS = {".sav": pyreadstat.read_sav, ".zsav": pyreadstat.read_sav, ".dta": pyreadstat.read_dta}
CSV_SUFFIX = ".csv"


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
                f"{path}: {encoding_advice(path, reader, kwargs.get('encoding'), exc)}"
            ) from exc
        check_readable(path)  # a file that went away or became unreadable: say so
        raise InputFileError(
            f"{path}: cannot be read as {path.suffix} ({exc}); is it truncated, corrupt, or "
            "another format renamed?"
        ) from exc
    except (UnicodeDecodeError, LookupError) as exc:
        raise InputFileError(
            f"{path}: {encoding_advice(path, reader, kwargs.get('encoding'), exc)}"
        ) from exc
    except PermissionError as exc:
        raise InputFileError(f"{path}: permission denied: this user may not read it") from exc
    except Exception as exc:  # the C reader's other failures on a bad file
        # Fuzzing showed corrupt bytes surfacing as OverflowError (dates), ValueError, ...:
        # whatever the reader raises, the file is the problem, and the user must hear which.
        raise InputFileError(
            f"{path}: cannot be read ({type(exc).__name__}: {exc}); the file looks corrupt"
        ) from exc


def encoding_advice(path: Path, reader, encoding: str | None, exc: Exception) -> str:
    """What to do about text that cannot be decoded, given the encoding that was asked for.

    With an explicit ``encoding`` the fault is that setting, not the file: say which encoding
    the file itself declares (read from its header, without the setting).
    """
    if not encoding:
        return (
            f"text cannot be decoded in the character set the file declares ({exc}); set "
            "`encoding:` for this wave in your config (the W1 merged release is big5)"
        )
    try:
        _, meta = reader(str(path), metadataonly=True)
        declared = meta.file_encoding or "none"
    except Exception:  # the file's own declaration does not decode either
        declared = "unknown"
    return (
        f"text cannot be decoded as {encoding} (the `encoding:` configured for this wave) "
        f"({exc}); the file declares its encoding as {declared}: remove `encoding:` for this "
        "wave or set the file's real encoding"
    )


PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


def _die_with_parent(parent: int) -> None:
    """In the forked reader: end when the job that forked it ends, however it ends.

    A wave job killed by a cluster's time limit (SIGTERM) or by SIGKILL gets no chance to
    end its reader, which would read on for minutes holding hundreds of MB. Linux sends the
    reader SIGKILL when its parent dies (``PR_SET_PDEATHSIG``); the parent may have died
    before that was set, hence the check after it.
    """
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
        except (OSError, AttributeError):  # no prctl: the reader still ends after reading
            pass
    if os.getppid() != parent:
        os._exit(1)


def _reader_pool() -> ProcessPoolExecutor:
    """One forked reader process that dies with this process (see `_die_with_parent`)."""
    return ProcessPoolExecutor(
        max_workers=1,
        mp_context=multiprocessing.get_context("fork"),
        initializer=_die_with_parent,
        initargs=(os.getpid(),),
    )


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
    check_readable(path)
    if path.suffix.lower() == CSV_SUFFIX:
        return read_csv_release(path, variables, encoding)
    _reader(path)  # an unsupported file type fails here, before a process is forked
    if not isolate:
        return _read_release(path, variables, encoding)
    with _reader_pool() as pool:
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

    A wave can come as a dozen country files (W6): one child for all of them, not one each. If
    the reader crashes in the shared child, the files are read again one child each, so the
    error names the file that crashed, exactly as `read_release` does.
    """
    paths = [Path(p) for p in paths]
    for path in paths:
        check_readable(path)
        if path.suffix.lower() != CSV_SUFFIX:
            _reader(path)  # an unsupported file type fails here, before a process is forked
    binary = [p for p in paths if p.suffix.lower() != CSV_SUFFIX]
    read: dict[Path, ReleaseFile] = {}
    if len(binary) > 1:
        try:
            with _reader_pool() as pool:
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
    # longer to read (every value label) than the needed columns do.
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
        variable_labels={
            to_crosswalk[k]: v or ""
            for k, v in (meta.column_names_to_labels or {}).items()
            if k in to_crosswalk
        },
        missing_ranges={to_crosswalk[k]: v for k, v in missing.items() if k in to_crosswalk},
        file_label=meta.file_label or "",
        encoding=meta.file_encoding or "",
        n_rows=len(data),
        sha256=sha256sum(path),
    )
