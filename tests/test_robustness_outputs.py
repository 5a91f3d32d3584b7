"""Outputs are inert: case text never acts as Markdown or HTML markup, a spreadsheet formula, or
a terminal control sequence, whatever the output format."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from iep_rules.cli import cli
from iep_rules.render._inert import csv_cell, markdown_text, terminal_text

REPRO = Path(__file__).parent / "repro"
HOSTILE = ["case-markup-injection.json", "case-ansi-text.json"]
CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def check(name, fmt):
    result = CliRunner().invoke(cli, ["check", str(REPRO / name), "--as-of", "2025-01-01",
                                      "--format", fmt])
    assert result.exit_code in (0, 1), result.output
    return result.output


@pytest.mark.parametrize("name", HOSTILE)
def test_text_output_shows_control_sequences_instead_of_sending_them(name):
    out = check(name, "text")
    assert not CONTROL.search(out)


@pytest.mark.parametrize("name", HOSTILE)
def test_markdown_output_escapes_case_text(name):
    out = check(name, "markdown")
    assert not CONTROL.search(out)
    assert not re.search(r"(?<!\\)<(?:script|img|/h1)", out)
    assert not re.search(r"(?<!\\)\]\(", out)  # no link or image syntax from case text


@pytest.mark.parametrize("name", HOSTILE)
def test_html_output_escapes_case_text(name):
    out = check(name, "html")
    assert "<script" not in out and "<img" not in out and "\x1b" not in out


@pytest.mark.parametrize("name", HOSTILE)
def test_json_and_sarif_keep_the_data_but_escape_controls(name):
    for fmt in ("json", "sarif"):
        out = check(name, fmt)
        json.loads(out)
        assert "\x1b" not in out


def test_audit_csv_cells_never_start_a_formula(tmp_path):
    doc = json.loads((REPRO / "case-markup-injection.json").read_text(encoding="utf-8"))
    path = tmp_path / "in.jsonl"
    path.write_text(json.dumps(doc) + "\n" + "=cmd|' /C calc'!A0\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["audit", str(path), "--as-of", "2025-01-01", "--format",
                                      "csv"])
    rows = list(csv.reader(io.StringIO(result.output)))
    assert len(rows) > 2
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows
               for cell in row)


@pytest.mark.parametrize(("raw", "safe"), [("=1+1", "'=1+1"), ("-2", "'-2"), ("@x", "'@x"),
                                           ("\tx", "'\tx"), ("\rx", "'\rx"), ("x=1", "x=1"),
                                           (5, 5)])
def test_csv_cell(raw, safe):
    assert csv_cell(raw) == safe


def test_markdown_text_leaves_no_syntax():
    assert markdown_text("- [a](http://x) | *b*\n# c") == (
        r"\- \[a\](http\://x) \| \*b\* # c")


def test_terminal_text_keeps_tabs_and_newlines():
    assert terminal_text("a\tb\nc\x1b[31m\u202e") == "a\tb\nc\\x1b[31m\\u202e"
