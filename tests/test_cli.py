from __future__ import annotations

import json

from click.testing import CliRunner

from iep_rules.cli import cli

EXAMPLE = "examples/ny-grade9.json"


def test_check_json_reports_cited_findings_and_exits_1():
    result = CliRunner().invoke(cli, ["check", EXAMPLE, "--as-of", "2026-11-23", "--format", "json"])
    assert result.exit_code == 1
    report = json.loads(result.output)
    assert report["case_id"] == "example-ny-0001" and report["as_of"] == "2026-11-23"
    ids = {f["rule_id"] for f in report["findings"]}
    assert "idea.iep.transition-services" in ids
    transition = next(f for f in report["findings"] if f["rule_id"] == "idea.iep.transition-services")
    assert {"authority": "8 NYCRR 200.4(d)(2)(ix)", "verified": True, "kind": "regulation"} in transition["citations"]
    assert transition["subject"] == "$.ieps[0]"
    assert report["summary"]["violation"] == sum(f["severity"] == "violation" for f in report["findings"])


def test_compliant_case_exits_0():
    result = CliRunner().invoke(cli, ["check", "examples/compliant-us.json", "--as-of", "2025-03-01"])
    assert result.exit_code == 0, result.output
    assert "0 violation" in result.output


def test_backends_print_the_same_findings():
    args = ["check", EXAMPLE, "--as-of", "2026-11-23", "--format", "json"]
    a = json.loads(CliRunner().invoke(cli, args).output)
    b = json.loads(CliRunner().invoke(cli, [*args, "--backend", "durable"]).output)
    assert a["findings"] == b["findings"]


def test_malformed_case_exits_2_naming_file_and_path(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({"id": "c", "jurisdiction": "US", "student": {"id": "s"},
                               "ieps": [{"id": "i", "start": "someday"}]}))
    result = CliRunner().invoke(cli, ["check", str(bad)])
    assert result.exit_code == 2
    assert str(bad) in result.stderr and "$.ieps[0].start" in result.stderr


def test_bad_rule_file_exits_2(tmp_path):
    rules = tmp_path / "mine.yaml"
    rules.write_text("jurisdiction: US\nrules:\n  - id: Bad ID\n")
    result = CliRunner().invoke(cli, ["check", EXAMPLE, "--rules", str(rules)])
    assert result.exit_code == 2
    assert f"{rules}:3:" in result.stderr
