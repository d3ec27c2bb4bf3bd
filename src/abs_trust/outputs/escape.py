"""Escaping for each output format: every string that comes from a file or the config (paths,
labels, config values) passes through the function of the format it is set into.

A string may hold anything a file name or a YAML value can: newlines, markup, HTML. Control
characters are first made visible (`printable`), so no value can start a new line (in
reStructuredText a new line may start a directive such as ``.. raw::``; in Markdown a table row
or a block); then the format's markup characters are escaped, so the value reads as the text
it is.
"""

from __future__ import annotations

import html
import re

_ASCII_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
# reStructuredText inline markup: *emphasis*, `interpreted`/``literal``, _targets and refs_,
# |substitutions|, [footnotes]_, :roles:, <embedded URIs>, and scheme: of standalone links.
_RST_ACTIVE = re.compile(r"([\\*`_|\[\]:<>])")
# what opens a block at the start of a line: punctuation (bullets, comments, directives,
# section adornments) and list enumerators (1. A) (iv) #.)
_RST_LINE_START = re.compile(r"[!-/:-@\[-`{-~]|(\d+|[A-Za-z]|[ivxlcdmIVXLCDM]+)[.)](\s|$)")
# Markdown (CommonMark/GFM): what could open markup inside a line: emphasis, code, links,
# table cells, strikethrough, and "<" or "&" where they could start an HTML tag, comment,
# autolink or entity ("p < .001" stays as it is). Line-start markers (#, >, -, 1.) cannot
# occur because `printable` leaves no line break in a value.
_MARKDOWN_ACTIVE = re.compile(r"([\\`*_\[\]|~]|<(?=[A-Za-z/!?])|&(?=[#A-Za-z]))")
_TEX = {
    "\\": r"\textbackslash{}", "&": r"\&", "%": r"\%", "_": r"\_", "#": r"\#", "$": r"\$",
    "{": r"\{", "}": r"\}", "~": r"\textasciitilde{}", "^": r"\textasciicircum{}",
    "<": r"\textless{}", ">": r"\textgreater{}", "—": "---", "−": "$-$",
    "†": r"$^{\dagger}$",
}  # fmt: skip


# Unicode's control characters (category Cc: U+0000-U+001F, U+007F-U+009F) and its line and
# paragraph separators (Zl U+2028, Zp U+2029): every character that can end a line somewhere
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")


def _show(match: re.Match) -> str:
    char = match.group()
    return repr(char)[1:-1] if char in "\n\r\t" else f"\\u{ord(char):04x}"


def printable(text: object) -> str:
    """``text`` with every control character (newline, tab, ...) shown as an escape (``\\n``)."""
    # one regular-expression pass: a report table escapes every cell (10^5 at full scale)
    return _CONTROL.sub(_show, str(text))


def rst(text: object) -> str:
    """Text for reStructuredText, inside a line: every character that can start inline markup
    (emphasis, literals, roles, references, substitutions, standalone links such as
    ``javascript:``) backslash-escaped, and a leading punctuation character too (at the start
    of a line it could open a list, a comment or a directive); reads as ``text``."""
    escaped = _RST_ACTIVE.sub(r"\\\1", printable(text))
    if _RST_LINE_START.match(escaped) and not escaped.startswith("\\"):
        escaped = "\\" + escaped
    return escaped


def rst_literal(text: object) -> str:
    """``text`` in monospace (the ``:literal:`` role, whose content honours escapes)."""
    return f":literal:`{rst(text)}`"


def markdown(text: object) -> str:
    """Text for a Markdown paragraph or table cell: markup characters and HTML escaped."""
    return _MARKDOWN_ACTIVE.sub(r"\\\1", printable(text))


def markdown_code(text: object) -> str:
    """``text`` as a Markdown code span (literal: no markup, no HTML), safe in a table cell."""
    body = printable(text).replace("|", "\\|")
    fence = "`" * (max((len(m) for m in re.findall("`+", body)), default=0) + 1)
    pad = " " if body.startswith("`") or body.endswith("`") else ""
    return f"{fence}{pad}{body}{pad}{fence}"


def tex(text: object) -> str:
    """Text for LaTeX (T1/OT1 safe): every special character replaced, in one pass."""
    return "".join(_TEX.get(c, c) for c in printable(text))


def html_text(text: object) -> str:
    """Text for HTML element content or a quoted attribute."""
    return html.escape(printable(text), quote=True)


class Code(str):
    """A part of a note that is an identifier (a variable name): set as code where the format
    has code (Markdown, HTML), as plain text elsewhere. Escaped like any other part."""


def note_markdown(note: str | tuple[str, ...]) -> str:
    parts = (note,) if isinstance(note, str) else note
    return "".join(markdown_code(p) if isinstance(p, Code) else markdown(p) for p in parts)


def note_tex(note: str | tuple[str, ...]) -> str:
    parts = (note,) if isinstance(note, str) else note
    return "".join(tex(p) for p in parts)


def note_html(note: str | tuple[str, ...]) -> str:
    parts = (note,) if isinstance(note, str) else note
    return "".join(
        f"<code>{html_text(p)}</code>" if isinstance(p, Code) else html_text(p) for p in parts
    )


def note_text(note: str | tuple[str, ...]) -> str:
    """The note as plain text (e.g. for a log line or a figure)."""
    return "".join((note,) if isinstance(note, str) else note)
