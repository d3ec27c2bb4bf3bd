"""Escaping per output format (abs_trust.outputs.escape), checked by each format's own
renderer where one is at hand: a hostile string must come out as exactly its text."""

from __future__ import annotations

import html
import os
import re

import pytest
from docutils.core import publish_parts

from abs_trust.outputs import escape
from conftest import ROOT

HOSTILE = [
    "data/raw/x\n\n.. raw:: html\n\n   <script>alert(1)</script>\n",
    "`click <javascript:alert(1)>`_ and javascript:alert(2) and |sub| and [1]_ and ref_",
    ":raw-html:`<b>x</b>` **strong** *em* ``lit`` <img src=x onerror=alert(3)>",
    "- a list? 1. or a comment .. x",
    "trailing backslash \\",
    "mixed\ttabs\rand\u2028separators",
]


def render(rst: str) -> str:
    return publish_parts(rst, writer="html", settings_overrides={"report_level": 5})["body"]


@pytest.mark.parametrize("text", HOSTILE)
def test_rst_renders_as_exactly_the_text(text):
    body = render(f"Before {escape.rst(text)} after.\n")
    assert re.fullmatch(r"<p>Before .* after\.</p>\n", body, re.S), body
    inner = body[len("<p>Before ") : -len(" after.</p>\n")]
    assert html.unescape(inner).replace("\n", " ") == escape.printable(text).replace("\n", " ")
    literal = render(f"Path {escape.rst_literal(text)}.\n")
    assert "<a " not in literal and "<script" not in literal and "<img" not in literal
    assert escape.rst(text).count("\n") == 0  # no value can start a line of its own


def test_rst_at_the_start_of_a_line_opens_no_block():
    for text in ("- item", "1. item", ".. comment", "#. item", "==="):
        assert render(escape.rst(text) + "\n") == f"<p>{html.escape(text, quote=False)}</p>\n"


def test_the_reports_docutils_settings_disable_raw_html(monkeypatch):
    raw = ".. raw:: html\n\n   <script>alert(1)</script>\n"
    assert "<script>" in render(raw)  # docutils' default: raw passes through
    monkeypatch.setenv("DOCUTILSCONFIG", str(ROOT / "workflow/report/docutils.conf"))
    assert "<script>" not in render(raw)
    assert "raw" in publish_parts(raw, writer="html")["body"]  # a warning says so


@pytest.mark.parametrize("text", HOSTILE)
def test_html_and_markdown_and_tex_escape(text):
    assert "<" not in escape.html_text(text) and "\n" not in escape.html_text(text)
    md = escape.markdown(text)
    assert "\n" not in md and not re.search(r"(?<!\\)<[A-Za-z/!?]", md)
    assert not re.search(r"(?<!\\)[`*_\[\]|]", md)
    code = escape.markdown_code(text)
    assert "\n" not in code and not re.search(r"(?<!\\)\|", code)
    tex = escape.tex(text)
    commands = re.sub(r"\\(text[a-z]+\{\}|[&%#_{}$])", "", tex)  # what the escapes write
    assert "\n" not in tex and not re.search(r"[&%#_{}$\\]", commands), tex


def test_report_docutils_settings_come_last_and_once(monkeypatch):
    from abs_trust.outputs.report import report_docutils_settings

    ours = str(ROOT / "workflow/report/docutils.conf")
    monkeypatch.delenv("DOCUTILSCONFIG", raising=False)
    report_docutils_settings(ours)
    report_docutils_settings(ours)
    files = os.environ["DOCUTILSCONFIG"].split(os.pathsep)
    assert files[-1] == ours and files.count(ours) == 1
    assert "./docutils.conf" in files  # the user's own settings are still read, before ours
    raw = ".. raw:: html\n\n   <script>alert(1)</script>\n"
    assert "<script>" not in render(raw)


def test_printable_shows_exactly_the_characters_that_can_end_a_line():
    """Against Unicode's own categories (unicodedata), every code point: control characters
    (Cc) and the line and paragraph separators (Zl, Zp) are shown as escapes, nothing else."""
    import unicodedata

    for code in range(0x110000):
        if 0xD800 <= code <= 0xDFFF:  # surrogates: no character of a str from a file
            continue
        char = chr(code)
        shown = escape.printable(char)
        if unicodedata.category(char) in ("Cc", "Zl", "Zp"):
            assert shown == (repr(char)[1:-1] if char in "\n\r\t" else f"\\u{code:04x}"), code
        else:
            assert shown == char, code
    assert escape.printable("a\nb\u2028c") == "a\\nb\\u2028c"
