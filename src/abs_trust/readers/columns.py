"""What a reader returns, and the helpers every reader shares: checksums and name matching."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from abs_trust.errors import CrosswalkMismatchError


@dataclass
class ReleaseFile:
    """Columns read from one release file, renamed to the crosswalk's spelling."""

    path: str
    data: pd.DataFrame
    value_labels: dict[str, dict] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)
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
