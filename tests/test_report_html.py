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
    assert [i for i in outline.ids if not i.startswith("cap-")] == [
        "summary", "findings", "services", "about"]
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
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;" in result.output


def test_markdown_report():
    result = CliRunner().invoke(cli, ["check", "examples/ledger-speech.json", "--as-of", "2024-11-29",
                                      "--format", "markdown"])
    out = result.output.replace("\\", "")  # Markdown escapes of punctuation in case text
    assert out.startswith("# IEP review for student-51e0")
    assert "## Services: required and delivered" in out and "| Speech therapy (iep-2024) | " in out
    assert "| 16 (480) | 9 (270) | 0 | 5 (150) | 0 (0) | 5 (150) | 2025-10-14 |" in out


class _Cells(HTMLParser):
    """Every table row of the document, as lists of cell texts."""

    def __init__(self) -> None:
        super().__init__()
        self.rows: list[list[str]] = []
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self.rows.append([])
        elif tag in ("td", "th"):
            self._cell = []

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None:
            self.rows[-1].append("".join(self._cell))
            self._cell = None


def test_the_chart_by_month_shows_the_ledger_figures():
    """The monthly table under the chart adds up to the ledger table's minutes (16 sessions,
    480 minutes expected, 270 delivered; 150 missed when due plus 30 for the child's own
    absence and 30 the parent cancelled: all missed minutes are charted, by reason; none
    made up)."""
    result = CliRunner().invoke(cli, ["check", "examples/ledger-speech.json", "--as-of", "2024-11-29",
                                      "--format", "html"])
    cells = _Cells()
    cells.feed(result.output)
    [ledger_row] = [r for r in cells.rows if r and r[0].startswith("Speech therapy")]
    assert ledger_row[2:] == ["16 (480)", "9 (270)", "0", "5 (150)", "0 (0)", "5 (150)",
                              "2025-10-14"]
    assert "provider absent 1" in ledger_row[1] and "no record kept 1" in ledger_row[1]
    months = [r for r in cells.rows if r and r[0][-4:] == "2024"]
    assert [m[0] for m in months] == ["Oct 2024", "Nov 2024"]
    totals = [sum(int(m[i]) for m in months) for i in range(1, 5)]
    assert totals == [480, 270, 210, 0]
