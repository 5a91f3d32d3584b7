from __future__ import annotations

import json
from html.parser import HTMLParser
from pathlib import Path

from click.testing import CliRunner

from iep_rules.cli import cli


class _Outline(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: list[str] = []
        self.tags: list[str] = []
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        self.ids += [v for k, v in attrs if k == "id" and v]
        self.scripts += tag == "script"


def _html(path, as_of="2024-11-29"):
    result = CliRunner().invoke(cli, ["check", str(path), "--as-of", as_of, "--format", "html"])
    parser = _Outline()
    parser.feed(result.output)
    return result, parser


def test_html_report_has_the_sections_and_an_inline_chart():
    result, outline = _html("examples/ledger-speech.json")
    assert result.exit_code == 1
    assert outline.ids == ["summary", "findings", "ledger"]
    assert "svg" in outline.tags and outline.scripts == 0
    assert "http://" not in result.output.replace('xmlns="http://www.w3.org/2000/svg"', "")
    assert "What to ask for:" in result.output and "34 CFR 300.17(d)" in result.output


def test_case_data_is_escaped(tmp_path):
    doc = json.loads(Path("examples/ledger-speech.json").read_text())
    doc["student"]["school"] = "<script>alert('x')</script>"
    doc["ieps"][0]["services"][0]["name"] = "<img src=x onerror=alert(1)>"
    hostile = tmp_path / "hostile.json"
    hostile.write_text(json.dumps(doc))
    result, outline = _html(hostile)
    assert outline.scripts == 0 and "img" not in outline.tags
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in result.output


def test_markdown_report():
    result = CliRunner().invoke(cli, ["check", "examples/ledger-speech.json", "--as-of", "2024-11-29",
                                      "--format", "markdown"])
    assert result.output.startswith("# IEP review for student-51e0")
    assert "## Services delivered" in result.output and "| speech_language_therapy (iep-2024) | 16 (480) | 9 (270) |" in result.output
