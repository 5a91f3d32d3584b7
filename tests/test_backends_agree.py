"""Differential property: the compiled-Python and durable-rules backends agree on every case."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import evaluate
from iep_rules.engine._evaluate import available_backends
from iep_rules.strategies import cases, dates


@pytest.mark.slow
@pytest.mark.durable
@settings(max_examples=150, deadline=None)
@given(case=cases(), as_of=dates(min_value=dt.date(2018, 1, 1)),
       jurisdiction=st.sampled_from([None, "US", "US-NY"]))
def test_backends_return_identical_findings(rulebook, case, as_of, jurisdiction):
    fast = evaluate(rulebook, case, as_of=as_of, jurisdiction=jurisdiction)
    rete = evaluate(rulebook, case, as_of=as_of, jurisdiction=jurisdiction, backend="durable")
    assert fast.findings == rete.findings


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(case=cases(), as_of=dates(min_value=dt.date(2018, 1, 1)))
def test_evaluation_is_deterministic_and_evidence_is_the_case(rulebook, case, as_of):
    first = evaluate(rulebook, case, as_of=as_of)
    assert evaluate(rulebook, case, as_of=as_of) == first
    for finding in first.findings:
        for item in finding.evidence:
            if item.fact == "as_of":
                assert item.value == as_of
            if item.fact == "student.date_of_birth":
                assert item.value == case.student.date_of_birth
        if finding.severity == "needs-data":
            assert finding.missing


@pytest.mark.slow
@pytest.mark.durable
@settings(max_examples=200, deadline=None)
@given(case=cases(), as_of=dates(min_value=dt.date(2018, 1, 1)))
def test_backends_agree_on_every_condition_form(case, as_of):
    """Quantifiers, counts with `where`, membership, negation, age and date arithmetic between
    facts: every construct the condition language has, on both backends."""
    book = _all_forms_rulebook()
    fast = evaluate(book, case, as_of=as_of)
    rete = evaluate(book, case, as_of=as_of, backend="durable")
    assert fast.findings == rete.findings


_BOOK = []


def _all_forms_rulebook():
    if not _BOOK:
        from pathlib import Path

        from iep_rules import load_rulebook

        _BOOK.append(load_rulebook(Path(__file__).with_name("rules_all_forms.yaml")))
    return _BOOK[0]


FIRING = {
    "forms.quantifiers": {"ieps": [{"id": "i", "start": "2023-01-01", "end": "2023-06-01"}]},
    "forms.membership-and-age": {
        "student": {"id": "s", "date_of_birth": "2015-01-01"},
        "eligibility": [{"date": "2024-01-01", "outcome": "eligible", "classification": "autism"}]},
    "forms.date-arithmetic": {
        "evaluations": [{"kind": "initial", "consent_date": "2024-01-01", "completed": "2024-05-01"}]},
}


def test_all_forms_rules_do_fire():
    """Guard against a vacuous differential test: each forms rule fires, on both backends."""
    from iep_rules import case_from_mapping

    book = _all_forms_rulebook()
    for rule_id, extra in FIRING.items():
        case = case_from_mapping({"id": "c", "jurisdiction": "US", "student": {"id": "s"}, **extra})
        for backend in available_backends():
            report = evaluate(book, case, as_of=dt.date(2025, 1, 1), backend=backend)
            assert any(f.rule_id == rule_id and f.severity != "needs-data"
                       for f in report.findings), (rule_id, backend)
