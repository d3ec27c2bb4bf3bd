"""Whether a configured path is a release file that can be read, said precisely.

Checked twice: when the workflow is parsed (every configured file, before any job starts, even
when old results exist) and by the reader itself. "File not found" for a directory, or
"corrupt" for a file this user may not read, sent people looking in the wrong place. Light
imports only: the workflow calls this on every invocation, a dry run included.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterable
from pathlib import Path

from abs_trust.errors import InputFileError

_KINDS = (
    (stat.S_ISCHR, "a character device (such as /dev/null)"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISFIFO, "a named pipe (FIFO)"),
    (stat.S_ISSOCK, "a socket"),
)
#: characters Snakemake reads as wildcards ({x}) or path variables (<x>) in a path
SNAKEMAKE_SPECIAL = "{}<>"


def unreadable_reason(path: str | Path) -> str | None:
    """Why ``path`` is not a readable, non-empty regular file, or None if it is one."""
    path = Path(path)
    try:
        info = path.stat()
    except FileNotFoundError:
        if path.is_symlink():
            return f"file not found (a symbolic link to {os.readlink(path)}, which does not exist)"
        return "file not found"
    except PermissionError:
        return "permission denied: a folder on its path cannot be searched by this user"
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc})"
    if stat.S_ISDIR(info.st_mode):
        return "is a directory, not a release file (name the file inside it)"
    for test, kind in _KINDS:
        if test(info.st_mode):
            return f"is {kind}, not a regular file"
    if info.st_size == 0:
        return "is empty (0 bytes)"
    try:
        with path.open("rb"):
            pass
    except PermissionError:
        return (
            "permission denied: this user may not read the file (a permission problem, not a "
            "damaged file: check its permissions, e.g. `chmod u+r`, or who runs the workflow)"
        )
    except OSError as exc:
        return f"cannot be opened ({exc.strerror or exc})"
    return None


def check_readable(path: str | Path) -> None:
    """Raise `InputFileError` naming ``path`` and what is wrong with it, if anything."""
    reason = unreadable_reason(path)
    if reason:
        raise InputFileError(f"{path}: {reason}")


def check_release_files(files: Iterable[tuple[str, str]]) -> None:
    """Check every ``(wave, path)`` at once; one `InputFileError` lists every bad file."""
    problems = []
    for wave, path in files:
        reason = unreadable_reason(path)
        if reason:
            problems.append(f"  waves/{wave}: {path}: {reason}")
    if problems:
        raise InputFileError(
            "configured release files cannot be read (nothing was run; correct `waves:` in "
            "your config):\n" + "\n".join(problems)
        )


def file_stamp(path: str | Path) -> list[int]:
    """Size and modification time (ns) of a file: a cheap fingerprint of its content.

    A rule's parameter, so that a file replaced by another (even with an older time, as
    ``cp -p`` leaves it) reruns what was computed from it; hashing every release on every
    invocation would cost seconds.
    """
    info = Path(path).stat()
    return [info.st_size, info.st_mtime_ns]


def snakemake_safe(path: str) -> bool:
    """Whether Snakemake can take ``path`` as a rule's input as it is: ``{x}`` would be a
    wildcard and ``<x>`` a path variable, so such a file reaches its job as a parameter."""
    return not any(char in path for char in SNAKEMAKE_SPECIAL)
