from __future__ import annotations

import json

import pytest
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
    assert transition["subject"] == "$.ieps[1]"  # the 2025 IEP; the 2020 one ended before age 15
    assert report["summary"]["violation"] == sum(f["severity"] == "violation" for f in report["findings"])


def test_compliant_case_exits_0():
    result = CliRunner().invoke(cli, ["check", "examples/compliant-us.json", "--as-of", "2025-03-01"])
    assert result.exit_code == 0, result.output
    assert "0 violation" in result.output


@pytest.mark.durable
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


def test_ledger_json_has_an_owed_figure_per_mandate():
    result = CliRunner().invoke(cli, ["ledger", "examples/ledger-speech.json", "--as-of", "2024-11-29",
                                      "--format", "json"])
    assert result.exit_code == 0
    [mandate] = json.loads(result.output)
    # 2 x 30 min a week; two closed provider days in weeks with other school days are owed
    # (docs/ledger.md; tests/test_ledger.py computes this case by hand)
    assert mandate["owed"] == 5 and mandate["owed_minutes"] == 150
    assert [i["source"] for i in mandate["owed_items"]] == [
        "2024-10-14", "2024-10-21", "2024-11-04", "2024-W47", "2024-11-28"]
    assert (mandate["expected"], mandate["delivered"], mandate["short_minutes"]) == (16, 9, 0)
    assert mandate["missed_by_reason"]["student_absence"] == 1
    assert (mandate["made_up"], mandate["complaint_window_ends"]) == (0, "2025-10-14")
    assert mandate["owed_by_complaint_deadline"]["2025-11-22"] == ["2024-W47"]
    months = mandate["by_month"]
    assert sum(m["owed_minutes"] for m in months) == mandate["owed_minutes"]
    assert sum(m["expected_minutes"] for m in months) == mandate["expected_minutes"]


def test_ledger_text_shows_each_figure_and_the_complaint_window():
    result = CliRunner().invoke(cli, ["ledger", "examples/ledger-speech.json", "--as-of", "2024-11-29"])
    assert result.exit_code == 0
    header, _, row = result.output.splitlines()[1:4]
    assert header.split() == ["service", "expected", "delivered", "short", "missed", "made",
                              "up", "owed", "complain", "by"]
    assert row.split()[2:] == ["16", "(480)", "9", "(270)", "0", "5", "(150)", "0", "(0)", "5",
                               "(150)", "2025-10-14"]
    assert ("    2025-11-22: the week of 2024-11-18 to 2024-11-22 (undocumented, 30 min)"
            in result.output)


def test_ledger_policy_follows_rule_file_parameters(tmp_path):
    policy = tmp_path / "district.yaml"
    policy.write_text("""jurisdiction: US-NY
parameters:
  - name: makeup_undocumented_owed
    values: [{from: "2006-10-13", value: false}]
    cite: [{authority: "34 CFR 300.17(d)", verified: true}]
""")
    result = CliRunner().invoke(cli, ["ledger", "examples/ledger-speech.json", "--as-of", "2024-11-29",
                                      "--format", "json", "--rules", str(policy)])
    assert json.loads(result.output)[0]["owed"] == 4  # the undocumented W47 is no longer owed


def test_check_text_includes_the_ledger_and_owed_finding():
    result = CliRunner().invoke(cli, ["check", "examples/ledger-speech.json", "--as-of", "2024-11-29"])
    assert "Service-delivery ledger" in result.output
    assert "idea.makeup.not-provided-when-due-material" in result.output and result.exit_code == 1
