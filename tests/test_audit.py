from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from iep_rules.cli import cli

SAMPLE = "examples/district-sample.jsonl"  # 6 lines: 4 good cases, 2 broken (lines 3 and 5)
ARGS = ["--as-of", "2025-03-01"]


def _jsonl(result):
    return [json.loads(line) for line in result.output.splitlines()]


def test_broken_lines_are_counted_and_good_records_evaluated():
    result = CliRunner().invoke(cli, ["audit", SAMPLE, *ARGS, "--quiet"])
    assert result.exit_code == 2  # a bad record outranks violations
    rows = _jsonl(result)
    summary = rows[-1]
    assert summary["type"] == "summary" and summary["reconciled"] is True
    assert (summary["records_in"], summary["results"], summary["errors"]) == (6, 4, 2)
    errors = [r for r in rows if r["type"] == "error"]
    assert [e["line"] for e in errors] == [3, 5]
    assert "$.ieps[0].start" in errors[1]["problems"][0]
    assert [r["case_id"] for r in rows if r["type"] == "result"] == [
        "example-ny-0001", "example-ny-compliant", "example-us-compliant", "example-ledger-speech"]


@pytest.mark.slow  # starts worker processes
def test_two_workers_give_byte_identical_output():
    one = CliRunner().invoke(cli, ["audit", SAMPLE, *ARGS, "--workers", "1"])
    two = CliRunner().invoke(cli, ["audit", SAMPLE, *ARGS, "--workers", "2"])
    assert one.output == two.output and one.exit_code == two.exit_code == 2


def test_stdin_and_folder_inputs(tmp_path):
    good = Path(SAMPLE).read_text(encoding="utf-8").splitlines()[1]  # the compliant NY case
    result = CliRunner().invoke(cli, ["audit", "-", *ARGS], input=good + "\n")
    assert result.exit_code == 0 and _jsonl(result)[-1]["results"] == 1
    for name in ("compliant-us", "ny-grade9"):
        shutil.copy(f"examples/{name}.json", tmp_path / f"{name}.json")
    result = CliRunner().invoke(cli, ["audit", str(tmp_path), "--as-of", "2026-11-23"])
    assert result.exit_code == 1  # ny-grade9 has violations, nothing is broken
    assert _jsonl(result)[-1]["results"] == 2


def test_csv_has_one_row_per_finding_and_one_per_bad_record():
    result = CliRunner().invoke(cli, ["audit", SAMPLE, *ARGS, "--format", "csv"])
    rows = list(csv.DictReader(io.StringIO(result.output)))
    findings = sum(len(r["findings"]) for r in _jsonl(CliRunner().invoke(cli, ["audit", SAMPLE, *ARGS]))
                   if r["type"] == "result")
    assert len(rows) == findings + 2
    assert sum(r["severity"] == "bad-record" for r in rows) == 2


def test_text_summary_and_bad_rule_file(tmp_path):
    result = CliRunner().invoke(cli, ["audit", SAMPLE, *ARGS, "--format", "text"])
    assert "Records in: 6  evaluated: 4  bad records: 2  (reconciled)" in result.output
    assert "Findings by rule" in result.output
    bad = tmp_path / "bad.yaml"
    bad.write_text("jurisdiction: US\nrules: [1]\n")
    result = CliRunner().invoke(cli, ["audit", SAMPLE, "--rules", str(bad)])
    assert result.exit_code == 2 and result.stdout == "" and "bad.yaml:2:" in result.stderr


def test_sarif_for_check_and_audit():
    check = CliRunner().invoke(cli, ["check", "examples/ny-grade9.json", "--as-of", "2026-11-23",
                                     "--format", "sarif"])
    log = json.loads(check.output)
    assert log["version"] == "2.1.0" and check.exit_code == 1
    run = log["runs"][0]
    rule_ids = {r["id"] for r in run["tool"]["driver"]["rules"]}
    assert all(res["ruleId"] in rule_ids for res in run["results"])
    transition = next(r for r in run["tool"]["driver"]["rules"] if r["id"] == "idea.iep.transition-services")
    assert "34 CFR 300.320(b)(1)" in transition["help"]["text"]
    assert {res["level"] for res in run["results"]} <= {"error", "warning", "note"}
    audit = json.loads(CliRunner().invoke(cli, ["audit", SAMPLE, *ARGS, "--format", "sarif"]).output)
    lines = {res["locations"][0]["physicalLocation"]["region"]["startLine"]
             for res in audit["runs"][0]["results"]}
    assert lines <= {1, 2, 4, 6} and 1 in lines  # the good records' lines, never the broken 3 and 5
