"""Unknown jurisdiction codes are errors naming the known ones; a state without its own layer
runs the federal rules and the report says so (issue 9)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iep_rules import IEPRulesError, JurisdictionError, case_from_mapping, evaluate
from iep_rules.cli import cli

EXAMPLE = "examples/ny-grade9.json"
AS_OF = ["--as-of", "2026-11-23"]


@pytest.mark.parametrize("code", ["NY", "us-ny", "FOO", "US-ZZ", "US-NY-XYZ"])
def test_unknown_jurisdiction_option_exits_2_naming_the_known_codes(code):
    result = CliRunner().invoke(cli, ["check", EXAMPLE, *AS_OF, "--jurisdiction", code])
    assert result.exit_code == 2, result.output
    assert repr(code) in result.stderr
    for known in ("US", "US-NY", "US-NY-NYC"):
        assert known in result.stderr
    assert "No findings" not in result.output


@pytest.mark.parametrize("code", ["NY", "us-ny", "FOO", "US-ZZ"])
def test_unknown_jurisdiction_from_evaluate_is_the_librarys_error(rulebook, code):
    case = case_from_mapping({"id": "c", "jurisdiction": "US", "student": {"id": "s"}})
    with pytest.raises(JurisdictionError) as info:
        evaluate(rulebook, case, as_of=dt.date(2025, 1, 1), jurisdiction=code)
    assert isinstance(info.value, IEPRulesError) and isinstance(info.value, ValueError)
    assert "US-NY-NYC" in str(info.value)


def test_case_file_with_an_unknown_jurisdiction_exits_2(tmp_path):
    doc = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    doc["jurisdiction"] = "US-ZZ"
    path = tmp_path / "zz.json"
    path.write_text(json.dumps(doc))
    result = CliRunner().invoke(cli, ["check", str(path), *AS_OF])
    assert result.exit_code == 2, result.output
    assert "'US-ZZ'" in result.stderr and "US-NY" in result.stderr


@pytest.mark.parametrize("code", ["NY", "us-ny", "FOO"])
def test_case_file_with_a_malformed_jurisdiction_exits_2_saying_what_a_code_looks_like(tmp_path, code):
    doc = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    path = tmp_path / "bad.json"
    path.write_text(json.dumps({**doc, "jurisdiction": code}))
    result = CliRunner().invoke(cli, ["check", str(path), *AS_OF])
    assert result.exit_code == 2, result.output
    assert repr(code) in result.stderr and "US-NY-NYC" in result.stderr
    assert "Attribute(" not in result.stderr  # no attrs internals in a user-facing message


def test_a_state_without_a_layer_runs_the_federal_rules_and_says_so(rulebook):
    doc = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    case = case_from_mapping({**doc, "jurisdiction": "US-CA"})
    day = dt.date(2026, 11, 23)
    ca = evaluate(rulebook, case, as_of=day)
    us = evaluate(rulebook, case, as_of=day, jurisdiction="US")
    assert ca.jurisdiction == "US-CA"
    assert [f.rule_id for f in ca.findings] == [f.rule_id for f in us.findings]
    assert ca.notes == ("no US-CA layer: federal rules only",)
    assert us.notes == ()


def test_the_note_is_in_text_and_json_reports():
    args = ["check", EXAMPLE, *AS_OF, "--jurisdiction", "US-CA"]
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 1
    assert "no US-CA layer: federal rules only" in text.output
    report = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    assert report["notes"] == ["no US-CA layer: federal rules only"]
    plain = json.loads(CliRunner().invoke(cli, ["check", EXAMPLE, *AS_OF, "--format", "json"]).output)
    assert "notes" not in plain  # reports with a layer of their own keep their shape


def test_rules_list_and_ledger_refuse_unknown_codes_too():
    listed = CliRunner().invoke(cli, ["rules", "list", "--jurisdiction", "NY"])
    assert listed.exit_code == 2 and "US-NY" in listed.stderr
    ledger = CliRunner().invoke(cli, ["ledger", "examples/ledger-speech.json", "--jurisdiction", "FOO"])
    assert ledger.exit_code == 2 and "'FOO'" in ledger.stderr


def test_an_audit_record_with_an_unknown_jurisdiction_is_a_bad_record(tmp_path):
    good = json.loads(Path(EXAMPLE).read_text(encoding="utf-8"))
    bad = {**good, "id": "zz", "jurisdiction": "US-ZZ"}
    path = tmp_path / "two.jsonl"
    path.write_text(json.dumps(good) + "\n" + json.dumps(bad) + "\n")
    result = CliRunner().invoke(cli, ["audit", str(path), *AS_OF, "--quiet"])
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert result.exit_code == 2
    assert [r["type"] for r in rows] == ["result", "error", "summary"]
    assert "$.jurisdiction" in rows[1]["problems"][0] and rows[-1]["reconciled"] is True
