"""Output formats sit behind one signature and a registry: the CLI offers what is registered,
and a new format is one module plus its registration (issue 9)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from importlib.metadata import version

from click.testing import CliRunner

import iep_rules
from iep_rules import evaluate, load_case
from iep_rules.cli import cli
from iep_rules.render import (
    AUDIT_FORMATS,
    REPORT_FORMATS,
    FormatError,
    ReportInput,
    render_report,
    report_format,
)

EXAMPLE = "examples/ny-grade9.json"


def test_every_format_is_registered():
    assert set(REPORT_FORMATS) == {"text", "json", "markdown", "html", "sarif", "csv"}
    assert set(AUDIT_FORMATS) == {"jsonl", "json", "csv", "text", "sarif"}


def test_a_registered_format_is_offered_by_check(rulebook, monkeypatch):
    monkeypatch.setitem(REPORT_FORMATS, "ids", REPORT_FORMATS["text"])

    @report_format("ids")
    def ids(data: ReportInput) -> str:
        return "".join(f"{f.rule_id}\n" for f in data.report.findings)

    result = CliRunner().invoke(cli, ["check", EXAMPLE, "--as-of", "2026-11-23", "--format", "ids"])
    report = evaluate(rulebook, load_case(EXAMPLE), as_of=dt.date(2026, 11, 23))
    assert result.exit_code == 1
    assert result.output.splitlines() == [f.rule_id for f in report.findings]


def test_check_as_csv_has_one_row_per_finding(rulebook):
    result = CliRunner().invoke(cli, ["check", EXAMPLE, "--as-of", "2026-11-23", "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    report = evaluate(rulebook, load_case(EXAMPLE), as_of=dt.date(2026, 11, 23))
    assert result.exit_code == 1
    assert [(r["rule_id"], r["subject"]) for r in rows] == [(f.rule_id, f.subject) for f in report.findings]
    assert {r["source"] for r in rows} == {EXAMPLE} and {r["case_id"] for r in rows} == {report.case_id}


def test_render_report_matches_the_json_report(rulebook):
    case = load_case(EXAMPLE)
    report = evaluate(rulebook, case, as_of=dt.date(2026, 11, 23))
    data = ReportInput(report, case, EXAMPLE, rulebook.resolve(report.jurisdiction).rules)
    assert json.loads(render_report("json", data)) == iep_rules.report_to_json(report)


def test_an_unknown_format_is_the_librarys_error(rulebook):
    case = load_case(EXAMPLE)
    report = evaluate(rulebook, case, as_of=dt.date(2026, 11, 23))
    try:
        render_report("docx", ReportInput(report, case, EXAMPLE, ()))
    except FormatError as exc:
        assert "docx" in str(exc) and "markdown" in str(exc) and isinstance(exc, ValueError)
    else:
        raise AssertionError("no error for an unknown format")


def test_one_version_source():
    assert iep_rules.__version__ == version("iep-rules")
    result = CliRunner().invoke(cli, ["--version"])
    assert version("iep-rules") in result.output
    sarif = CliRunner().invoke(cli, ["check", EXAMPLE, "--as-of", "2026-11-23", "--format", "sarif"])
    assert json.loads(sarif.output)["runs"][0]["tool"]["driver"]["version"] == version("iep-rules")
