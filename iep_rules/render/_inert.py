"""Making case text inert in each output: case files come from outside (an export, a parent, an
importer) and their text must never act as markup, a spreadsheet formula or a terminal command
where a report is read. HTML escaping lives with the HTML renderer (html.escape on every value).
"""

from __future__ import annotations

import re

# C0 and C1 controls (ESC starts terminal sequences), DEL, and the bidirectional overrides and
# isolates that can make text read differently from what it holds. Tab and newline are kept
# where the format itself uses them (see each function).
_CONTROLS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]")


def _visible(match: re.Match[str]) -> str:
    return ascii(match.group())[1:-1]  # ESC -> \x1b: shown, not obeyed


def terminal_text(text: str) -> str:
    """Text for a terminal or a plain text file: every control character (except tab and
    newline) shown as an escape, so no sequence in case data reaches the terminal."""
    return _CONTROLS.sub(_visible, text)


# Punctuation that starts Markdown (or GitHub Markdown) syntax anywhere in a line: emphasis,
# code, links and images, HTML tags, table cells, strikethrough, autolinks (`://`, `www.`).
_MD_ANYWHERE = re.compile(r"([\\`*_{}\[\]()#!|<>~:.])")
_MD_LINE_START = re.compile(r"^([-+=])")  # list items, setext headings


def markdown_text(text: str) -> str:
    """Case text inside Markdown: syntax characters backslash-escaped (CommonMark defines an
    escaped punctuation character as literal), line breaks folded to spaces, controls made
    visible. No link, image, HTML tag, table cell, list or heading can come out of it."""
    flat = " ".join(terminal_text(text).replace("\t", " ").splitlines())
    return _MD_LINE_START.sub(r"\\\1", _MD_ANYWHERE.sub(r"\\\1", flat))


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with =, +, -, @, tab or CR gets a
    leading apostrophe (OWASP's rule for CSV injection); other values pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
