"""Checks on the bundled rule set as a whole. The examples themselves run through the pytest
plugin (iep_rules.testing._pytest_plugin): `pytest rules/`, part of the default test paths."""

from __future__ import annotations


def test_every_rule_has_firing_and_silent_examples(rulebook):
    for code in rulebook.jurisdictions():
        for rule in rulebook.resolve(code).rules:
            expects = {e.expect for e in rule.examples}
            assert {"fires", "silent"} <= expects, rule.id


def test_every_rule_cites_at_paragraph_level(rulebook):
    for rule in rulebook.resolve("US-NY").rules:
        assert rule.cite
        for cite in rule.cite:
            assert "(" in cite.authority or cite.kind == "guidance", cite.authority
