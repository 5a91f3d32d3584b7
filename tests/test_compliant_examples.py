"""Fully compliant cases must produce no violation, warning or needs-data: a false positive on
a compliant case is a bug."""

from __future__ import annotations

import datetime as dt

import pytest

from iep_rules import evaluate, load_case


@pytest.mark.parametrize("backend", ["python", pytest.param("durable", marks=pytest.mark.durable)])
@pytest.mark.parametrize("path", ["examples/compliant-ny.json", "examples/compliant-us.json"])
@pytest.mark.parametrize("as_of", [dt.date(2024, 1, 15), dt.date(2025, 3, 1), dt.date(2025, 10, 1)])
def test_compliant_case_has_no_findings(rulebook, path, as_of, backend):
    report = evaluate(rulebook, load_case(path), as_of=as_of, backend=backend)
    assert [(f.rule_id, f.subject, f.message) for f in report.findings] == []


def test_the_same_case_a_year_later_is_overdue(rulebook):
    report = evaluate(rulebook, load_case("examples/compliant-ny.json"), as_of=dt.date(2025, 12, 1))
    assert {f.rule_id for f in report.findings} == {"idea.timeline.annual-review-overdue",
                                                    "idea.placement.annual"}
