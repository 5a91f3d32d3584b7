"""Properties of evaluation over generated cases (iep_rules.strategies)."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import case_from_mapping, case_to_mapping, evaluate, load_case, report_to_json
from iep_rules.case._records import Case, Placement
from iep_rules.strategies import cases, dates

AS_OF = dates(min_value=dt.date(2018, 1, 1))


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(case=cases(), as_of=AS_OF)
def test_evaluation_never_raises_and_json_round_trips(rulebook, case, as_of):
    report = evaluate(rulebook, case, as_of=as_of)
    data = report_to_json(report)
    assert json.loads(json.dumps(data)) == data
    assert case_from_mapping(json.loads(json.dumps(case_to_mapping(case)))) == case


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(case=cases(), as_of=AS_OF, extra=st.builds(
    Placement, date=dates(), setting=st.just("general education"),
    decided_by=st.just(("parent",)), basis_factors=st.just(("iep",))))
def test_adding_an_unrelated_record_removes_no_finding_about_another_item(rulebook, case, as_of,
                                                                           extra):
    """A compliant placement appended at the end: findings about other items all remain
    (case-level findings may legitimately change: a new placement can satisfy a timeline)."""
    before = evaluate(rulebook, case, as_of=as_of)
    after = evaluate(rulebook, attrs.evolve(case, placements=(*(case.placements or ()), extra)),
                     as_of=as_of)
    kept = {(f.rule_id, f.subject) for f in after.findings}
    for f in before.findings:
        if f.subject != "$":
            assert (f.rule_id, f.subject) in kept


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(case=cases(), as_of=AS_OF, later=st.integers(1, 400))
def test_overdue_findings_are_monotone_in_as_of(rulebook, case, as_of, later):
    """With no new record, a review or reevaluation overdue on one date stays overdue later."""
    overdue = {"idea.timeline.annual-review-overdue", "idea.timeline.reevaluation-overdue"}
    if any(d > as_of for d in _all_dates(case)):
        return  # a later record could reset the clock: not this property's business
    first = {f.rule_id for f in evaluate(rulebook, case, as_of=as_of).findings
             if f.severity == "violation"} & overdue
    then = {f.rule_id for f in evaluate(rulebook, case, as_of=as_of + dt.timedelta(days=later)
                                        ).findings if f.severity == "violation"}
    assert first <= then


def _all_dates(case: Case) -> list[dt.date]:
    text = json.dumps(case_to_mapping(case))
    return [dt.date.fromisoformat(s) for s in
            __import__("re").findall(r"\d{4}-\d{2}-\d{2}", text)]


@pytest.mark.slow
def test_same_report_in_another_process(rulebook):
    args = ["check", "examples/ny-grade9.json", "--as-of", "2026-11-23", "--format", "json"]
    code = "import sys; from iep_rules.cli import main; sys.argv = ['iep-rules', *sys.argv[1:]]; main()"
    runs = [subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True,
                           check=False) for _ in range(2)]
    assert runs[0].stdout == runs[1].stdout and runs[0].returncode == 1
    here = report_to_json(evaluate(rulebook, load_case("examples/ny-grade9.json"),
                                   as_of=dt.date(2026, 11, 23)))
    assert json.loads(runs[0].stdout) == json.loads(json.dumps(here))


@pytest.mark.slow
@settings(max_examples=100, deadline=None)
@given(case=cases(), as_of=AS_OF, rnd=st.randoms(use_true_random=False))
def test_order_of_logs_agreements_and_calendars_does_not_matter(rulebook, case, as_of, rnd):
    """Session logs, written agreements and calendars are sets in meaning: shuffling them
    changes no finding (items with list positions in their subject are not shuffled)."""
    shuffled = {name: list(getattr(case, name)) for name in ("sessions", "agreements", "calendars")
                if getattr(case, name) is not None}  # an unrecorded list stays unrecorded
    for items in shuffled.values():
        rnd.shuffle(items)
    other = attrs.evolve(case, **{k: tuple(v) for k, v in shuffled.items()})
    assert evaluate(rulebook, other, as_of=as_of).findings == evaluate(rulebook, case, as_of=as_of).findings


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(case=cases(as_of=dt.date(2023, 3, 1), jurisdiction="US-NY", min_services=1))
def test_cases_knobs_are_honoured(case):
    assert case.jurisdiction == "US-NY" and case.ieps and case.ieps[0].services
    assert all(d <= dt.date(2023, 3, 1) for d in (
        *(e.date for e in case.eligibility or ()), *(c.date for c in case.consents or ()),
        *(s.date for s in case.sessions or ()),
        *(i.meeting_date for i in case.ieps if i.meeting_date),
        *(e.completed for e in case.evaluations or () if e.completed)))


def test_bad_strategy_arguments_raise_up_front():
    import pytest

    from iep_rules.strategies import InvalidStrategyArgument, cases_violating

    with pytest.raises(InvalidStrategyArgument, match="jurisdiction"):
        cases(jurisdiction="New York")
    with pytest.raises(InvalidStrategyArgument, match="no rule"):
        cases_violating("no.such.rule")
