from __future__ import annotations

import datetime as dt

from iep_rules import case_from_mapping, evaluate
from iep_rules.engine._evaluate import render

TEEN = {"id": "c", "jurisdiction": "US", "student": {"id": "s", "date_of_birth": "2009-03-01"},
        "ieps": [{"id": "b", "start": "2024-09-01", "end": "2025-06-20"},
                 {"id": "a", "start": "2023-09-01", "end": "2024-06-20"}]}


def test_state_parameter_changes_the_outcome_and_the_citation(rulebook):
    case = case_from_mapping(TEEN)
    us = evaluate(rulebook, case, as_of=dt.date(2025, 1, 1))
    ny = evaluate(rulebook, case, as_of=dt.date(2025, 1, 1), jurisdiction="US-NY")
    fed = [f.subject for f in us.findings if f.rule_id == "idea.iep.transition-services"]
    state = [f for f in ny.findings if f.rule_id == "idea.iep.transition-services"]
    assert fed == ["$.ieps[0]"]  # turns 16 on 2025-03-01, inside IEP b only
    assert [f.subject for f in state] == ["$.ieps[0]", "$.ieps[1]"]  # turns 15 on 2024-03-01
    assert any(c.authority == "8 NYCRR 200.4(d)(2)(ix)" for c in state[0].citations)
    assert "age 15" in state[0].message


def test_findings_are_ordered_by_severity_rule_and_item(rulebook):
    case = case_from_mapping({**TEEN, "student": {"id": "s"}})
    report = evaluate(rulebook, case, as_of=dt.date(2025, 1, 1))
    keys = [f.sort_key() for f in report.findings]
    assert keys == sorted(keys) and len(keys) >= 2


def test_missing_fact_gives_needs_data_never_a_violation(rulebook):
    case = case_from_mapping({**TEEN, "student": {"id": "s"}})
    report = evaluate(rulebook, case, as_of=dt.date(2025, 1, 1))
    transition = [f for f in report.findings if f.rule_id == "idea.iep.transition-services"]
    assert {f.severity for f in transition} == {"needs-data"}
    assert all("$.student.date_of_birth" in f.missing for f in transition)


def test_rules_not_yet_in_force_are_skipped(rulebook):
    case = case_from_mapping({"id": "c", "jurisdiction": "US", "student": {"id": "s"},
                              "eligibility": [{"date": "2005-01-01", "outcome": "eligible",
                                               "determinant_factors": ["limited_english_proficiency"]}]})
    assert evaluate(rulebook, case, as_of=dt.date(2006, 1, 1)).findings == ()
    assert evaluate(rulebook, case, as_of=dt.date(2007, 1, 1)).findings


def test_render_only_looks_up_data():
    assert render("{a.__class__} {b} {param.x}", {"a": 1, "b": ["x_y"]}, {"x": 3}) == "(not recorded) x y 3"
