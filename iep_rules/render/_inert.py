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


# Markdown (CommonMark and GitHub's extensions) syntax that case text could start. Only these
# characters are escaped, so ordinary punctuation reads as written ("300.153(c)", "3.5 hours:"):
# emphasis and strikethrough (* _ ~), code (`), links and images ([ ]: `(` and `!` are inert
# without them), raw HTML and angle autolinks (< >), table cells (|), the escape itself (\),
# bare autolinks (the `:` of `://`, the `.` of `www.`), and block markers at the start of the
# text (list items, headings, setext underlines, ordered lists).
_MD_ANYWHERE = re.compile(r"([\\`*_\[\]<>|~])")
_MD_AUTOLINK = re.compile(r"(?i):(?=//)|(?<=www)\.")
_MD_LINE_START = re.compile(r"^([-+=#])|^(\d+)([.)])")


def _line_start(match: re.Match[str]) -> str:
    if match.group(1):
        return "\\" + match.group(1)
    return match.group(2) + "\\" + match.group(3)


def markdown_text(text: str) -> str:
    """Case text inside Markdown: the characters that could start syntax backslash-escaped
    (CommonMark reads an escaped punctuation character as itself), line breaks folded to
    spaces, controls made visible. No link, image, HTML tag, table cell, list or heading can
    come out of it; the report's own text is not passed through it."""
    flat = " ".join(terminal_text(text).replace("\t", " ").splitlines())
    escaped = _MD_AUTOLINK.sub(lambda m: "\\" + m.group(), _MD_ANYWHERE.sub(r"\\\1", flat))
    return _MD_LINE_START.sub(_line_start, escaped)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: object) -> object:
    """A CSV cell a spreadsheet will not run: text starting with =, +, -, @, tab or CR gets a
    leading apostrophe (OWASP's rule for CSV injection); other values pass through."""
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
