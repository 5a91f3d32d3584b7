"""The published rule-file schema: current with the fact declarations, and the same verdict as
the loader on the condition grammar an editor checks."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import jsonschema
import pytest

from iep_rules.lang._rulefile import rulefile_schema
from iep_rules.lang._schema_gen import generated_schema, schema_text
from iep_rules.lang._yaml import load_yaml

SCHEMA_FILE = Path("iep_rules/schemas/rulefile.schema.json")


def test_schema_file_is_current_with_the_fact_declarations():
    assert SCHEMA_FILE.read_text(encoding="utf-8") == schema_text(generated_schema()), (
        "the rule-file schema is stale: run "
        "`python -m iep_rules.lang._schema_gen > iep_rules/schemas/rulefile.schema.json`")


def _validator():
    schema = rulefile_schema()
    return jsonschema.validators.validator_for(schema)(schema)


@pytest.mark.parametrize("path", sorted(Path("rules").rglob("*.yaml")), ids=str)
def test_every_bundled_rule_file_passes_the_editor_schema(path):
    doc, problems = load_yaml(path.read_bytes(), str(path))
    assert not problems
    errors = [f"{list(e.absolute_path)}: {e.message[:120]}"
              for e in _validator().iter_errors(doc.data)]
    assert errors == []


RULE = {"id": "mine.x", "title": "t", "topic": "iep-contents", "severity": "notice",
        "scope": "iep", "message": "m", "cite": [{"authority": "34 CFR 300.320", "verified": True}]}


def _errors(when, scope="iep"):
    doc = {"jurisdiction": "US", "rules": [{**copy.deepcopy(RULE), "scope": scope, "when": when}]}
    return [list(e.absolute_path) for e in _validator().iter_errors(doc)]


def test_the_schema_knows_each_scopes_facts_operators_and_functions():
    assert _errors({"fact": "end", "before": {"date": "2025-01-01"}}) == []
    assert _errors({"all": [{"exists": "student.date_of_birth"},
                            {"value": {"age_on": {"fact": "start"}}, "at_least": 3}]}) == []
    # an element field is known inside `where:` of a list quantifier
    assert _errors({"some": {"of": "goals", "where": {"fact": "measurable", "is": False}}}) == []
    assert _errors({"fact": "strat", "before": {"date": "2025-01-01"}}) == [
        ["rules", 0, "when", "fact"]]
    assert _errors({"fact": "end", "befor": {"date": "2025-01-01"}}) == [["rules", 0, "when"]]
    assert _errors({"value": {"age_onn": {"fact": "start"}}, "is": 3}) != []
    # a fact of another scope is not a fact of this one
    assert _errors({"exists": "ledger.owed_minutes"}) != []
    assert _errors({"exists": "ledger.owed_minutes"}, scope="service") == []


def test_facts_carry_kinds_and_meanings_for_completion():
    defs = rulefile_schema()["$defs"]
    service = defs["facts.service"]
    meaning = dict(zip(service["enum"], service["enumDescriptions"], strict=True))
    assert meaning["ledger.owed_minutes"].startswith("number: minutes still owed")
    shared = defs["facts.shared"]
    meaning = dict(zip(shared["enum"], shared["enumDescriptions"], strict=True))
    assert meaning["student.date_of_birth"] == "date: recorded in the case file"
    assert meaning["case.last_iep_meeting"].startswith("date: ") and "(derived)" in meaning["case.last_iep_meeting"]


def test_cli_prints_the_published_schema():
    from click.testing import CliRunner

    from iep_rules.cli import cli

    out = CliRunner().invoke(cli, ["schema", "rules"]).output
    assert json.loads(out)["$defs"]["when.iep"]["properties"]["before"]
