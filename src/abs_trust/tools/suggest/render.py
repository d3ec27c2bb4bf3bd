"""The suggestion as YAML, shaped like config/crosswalk.yaml, with ``# UNCERTAIN:`` comments."""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import yaml


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
