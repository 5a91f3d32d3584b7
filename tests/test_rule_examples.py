"""Every example embedded in the bundled rule files, on both backends."""

from __future__ import annotations

import datetime as dt

import pytest

from iep_rules import case_from_mapping, evaluate, load_rulebook

DEFAULT_AS_OF = dt.date(2025, 1, 1)


def _examples():
    book = load_rulebook()
    seen = set()
    for code in book.jurisdictions():
        for rule in book.resolve(code).rules:
            for example in rule.examples:
                key = (rule.id, example.name)
                if key not in seen:
                    seen.add(key)
                    yield pytest.param(rule.id, example, id=f"{rule.id}::{example.name}")


@pytest.mark.parametrize("backend", ["python", "durable"])
@pytest.mark.parametrize(("rule_id", "example"), list(_examples()))
def test_rule_example(rulebook, rule_id, example, backend):
    case = case_from_mapping(example.case, source=example.where)
    report = evaluate(rulebook, case, as_of=example.as_of or DEFAULT_AS_OF, backend=backend)
    mine = [f for f in report.findings if f.rule_id == rule_id]
    outcomes = {"needs-data" if f.severity == "needs-data" else "fires" for f in mine}
    assert outcomes == ({example.expect} if example.expect != "silent" else set()), (
        f"{example.where}: expected {example.expect}, got {[f.message for f in mine]}")
    if example.subjects is not None:
        assert sorted(f.subject for f in mine) == sorted(example.subjects)


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
