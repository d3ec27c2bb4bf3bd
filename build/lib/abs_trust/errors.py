"""One exception family, so scripts can turn any expected failure into a clear message.

Every message names the file, the variable, the offending values and what was expected: an
analyst reading a failed job's log should know what to fix without opening the code.
"""

from __future__ import annotations


class AbsTrustError(Exception):
    """Base class: an input, config or check problem the user can fix (not a bug)."""


class ConfigError(AbsTrustError):
    """config.yaml, crosswalk.yaml or published.yaml is invalid."""


class InputFileError(AbsTrustError):
    """A release file is missing, unreadable, or not what its name says."""


class CrosswalkMismatchError(AbsTrustError):
    """A file contradicts its crosswalk entry (variable absent, labels reversed, stray codes)."""


class DataError(AbsTrustError):
    """Harmonized data break an invariant (duplicate ids, no respondents, ...)."""


class ReproductionError(AbsTrustError):
    """A published number is not reproduced and the run is strict."""


def format_counts(counts: dict) -> str:
    """Render ``{code: count}`` as ``5 (12 rows), 6 (3 rows)`` for error messages."""

    def plain(code):
        # numpy scalars print as np.int64(5); show the code as the analyst would type it
        return code.item() if hasattr(code, "item") else code

    items = sorted(((plain(c), int(n)) for c, n in counts.items()), key=lambda kv: str(kv[0]))
    return ", ".join(f"{code!r} ({n} rows)" for code, n in items)
