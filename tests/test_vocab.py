"""The closed vocabularies are defined once (iep_rules/_vocab.py) and agree with the rule-file
schema and the fact scopes, so a word added in one place and not the other fails here."""

from __future__ import annotations

import json
from importlib import resources

from iep_rules._vocab import RULE_SEVERITIES, Expectation, Scope, Severity, Truth
from iep_rules.facts._namespace import SCOPES
from iep_rules.lang import _conditions as c


def _rule_schema():
    schema = json.loads(resources.files("iep_rules").joinpath("schemas/rulefile.schema.json").read_text())
    return {"top": schema, **schema["$defs"]}


def _enum(defs, prop):
    found = [d["properties"][prop]["enum"] for d in defs.values()
             if isinstance(d, dict) and prop in d.get("properties", {}) and "enum" in d["properties"][prop]]
    assert found, prop
    return found[0]


def test_vocabularies_match_the_rule_file_schema():
    defs = _rule_schema()
    assert _enum(defs, "severity") == [str(s) for s in RULE_SEVERITIES]
    assert _enum(defs, "scope") == [str(s) for s in Scope]
    assert _enum(defs, "expect") == [str(e) for e in Expectation]


def test_every_scope_has_its_records_and_back():
    assert set(SCOPES) == set(Scope)


def test_severity_order_and_truth_values():
    assert sorted(Severity, key=lambda s: s.rank)[0] is Severity.VIOLATION
    assert Severity.NEEDS_DATA not in RULE_SEVERITIES
    assert (c.FALSE, c.UNKNOWN, c.TRUE) == (Truth.FALSE, Truth.UNKNOWN, Truth.TRUE) == (0, 1, 2)
    assert json.dumps({Severity.VIOLATION: [Severity.NOTICE]}) == '{"violation": ["notice"]}'
