"""Differential property: the compiled-Python and durable-rules backends agree on every case."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import evaluate
from iep_rules.strategies import cases, dates


@settings(max_examples=150, deadline=None)
@given(case=cases(), as_of=dates(min_value=dt.date(2018, 1, 1)),
       jurisdiction=st.sampled_from([None, "US", "US-NY"]))
def test_backends_return_identical_findings(rulebook, case, as_of, jurisdiction):
    fast = evaluate(rulebook, case, as_of=as_of, jurisdiction=jurisdiction)
    rete = evaluate(rulebook, case, as_of=as_of, jurisdiction=jurisdiction, backend="durable")
    assert fast.findings == rete.findings


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
