from __future__ import annotations

import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner

from iep_rules.cli import cli

LAX = """\
jurisdiction: US-ZZ
parameters:
  - name: annual_review_interval_months
    values: [{from: "2006-10-13", value: 18}]
    cite: [{authority: "34 CFR 300.324(b)(1)(i)", verified: true}]
"""


def test_lint_warns_when_a_state_makes_a_federal_deadline_laxer(tmp_path):
    (tmp_path / "lax.yaml").write_text(LAX)
    result = CliRunner().invoke(cli, ["lint", str(tmp_path)])
    assert result.exit_code == 0
    assert "US-ZZ sets annual_review_interval_months = 18, laxer than 12 in US" in result.output


def test_lint_of_the_bundled_rules_is_clean_and_does_not_double_load():
    result = CliRunner().invoke(cli, ["lint", "rules"])
    assert result.exit_code == 0 and ": 0 warnings" in result.output


def test_lint_reports_located_problems(tmp_path):
    (tmp_path / "bad.yaml").write_text("jurisdiction: US\nrules:\n  - {id: x}\n")
    result = CliRunner().invoke(cli, ["lint", str(tmp_path)])
    assert result.exit_code == 2 and "bad.yaml:3:5" in result.stderr


def test_test_command_passes_and_fails(tmp_path, rulebook):
    result = CliRunner().invoke(cli, ["test", "rules/us-ny"])
    # every example of the New York layer's rule files runs, and passes
    examples = sum(len(rule.examples) for rule in rulebook.resolve("US-NY").rules
                   if str(rule.source).startswith("rules/us-ny/"))
    assert examples >= 7
    assert result.exit_code == 0
    assert f"\n{examples} passed, 0 failed\n" in result.output
    text = Path("rules/us-ny/eligibility.yaml").read_text().replace("expect: silent", "expect: fires")
    # the flipped copy overrides the same rule id again: give it a district layer of its own
    (tmp_path / "flipped.yaml").write_text(text.replace("jurisdiction: US-NY", "jurisdiction: US-NY-ABC"))
    result = CliRunner().invoke(cli, ["test", str(tmp_path / "flipped.yaml")])
    assert result.exit_code == 1 and "FAIL idea.eligibility.tbi-cause" in result.output


def test_case_schema_accepts_every_bundled_example_and_rejects_junk():
    result = CliRunner().invoke(cli, ["schema", "case"])
    schema = json.loads(result.output)
    for path in Path("examples").glob("*.json"):
        jsonschema.validate(json.loads(path.read_text()), schema)
    errors = list(jsonschema.Draft202012Validator(schema).iter_errors({"id": 3}))
    assert errors
    rules = json.loads(CliRunner().invoke(cli, ["schema", "rules"]).output)
    assert rules["title"] == "iep-rules rule file"


def test_explain_shows_parameters_after_overlays():
    result = CliRunner().invoke(cli, ["rules", "explain", "idea.iep.transition-services",
                                      "--jurisdiction", "US-NY"])
    assert result.exit_code == 0
    assert "parameter transition_age = 15 years (from rules/us-ny/parameters.yaml" in result.output
    missing = CliRunner().invoke(cli, ["rules", "explain", "no.such.rule"])
    assert missing.exit_code == 2


def test_every_command_has_help_with_an_example_and_version_works():
    for args in (["check"], ["audit"], ["ledger"], ["rules", "list"], ["rules", "explain"],
                 ["test"], ["lint"], ["schema"]):
        result = CliRunner().invoke(cli, [*args, "--help"])
        assert result.exit_code == 0 and "Example: iep-rules" in result.output, args
    version = CliRunner().invoke(cli, ["--version"])
    assert version.exit_code == 0 and "iep-rules, version 0.1.0" in version.output
