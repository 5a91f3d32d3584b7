"""The calendar and the overdue findings cannot drift: a property over random case histories.

For a deadline the calendar lists as upcoming on day D (with nothing recorded after D), the rule
behind it is silent on D and on the due date, and fires on the entry's `overdue_from` day; and
a rule finding a deadline already passed on D means the calendar does not list it as upcoming.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iep_rules import case_from_mapping, deadlines, evaluate

DAY = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31))
GAP = st.integers(min_value=0, max_value=1300)


@st.composite
def histories(draw: st.DrawFn) -> tuple[dict[str, Any], dt.date]:
    """A case whose clocks started on random dates, and a day D after every recorded event."""
    start = draw(DAY)
    kind = draw(st.sampled_from(["annual", "reevaluation", "initial_eval", "first_iep"]))
    doc: dict[str, Any] = {"id": "c-prop", "jurisdiction": draw(st.sampled_from(["US", "US-NY"])),
                           "student": {"id": "s1"}, "meetings": [], "agreements": []}
    last = start
    if kind == "annual":
        end = start + dt.timedelta(days=draw(st.integers(200, 500)))
        doc.update(eligibility=[{"date": (start - dt.timedelta(days=30)).isoformat(),
                                 "outcome": "eligible"}],
                   ieps=[{"id": "i1", "meeting_date": start.isoformat(),
                          "start": start.isoformat(), "end": end.isoformat()}])
    elif kind == "reevaluation":
        doc.update(evaluations=[{"kind": "initial", "completed": start.isoformat()}],
                   eligibility=[{"date": (start + dt.timedelta(days=5)).isoformat(),
                                 "outcome": "eligible"}])
        last = start + dt.timedelta(days=5)
    elif kind == "initial_eval":
        doc.update(evaluations=[{"kind": "initial", "consent_date": start.isoformat()}])
    else:
        done = start - dt.timedelta(days=10)
        doc.update(ieps=[], evaluations=[{"kind": "initial", "consent_date": (
            done - dt.timedelta(days=30)).isoformat(), "completed": done.isoformat()}],
                   eligibility=[{"date": start.isoformat(), "outcome": "eligible"}])
    as_of = last + dt.timedelta(days=draw(GAP))
    return doc, as_of


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_upcoming_deadline_becomes_overdue_the_day_after_and_not_before(
        rulebook: Any, history: tuple[dict[str, Any], dt.date]) -> None:
    doc, as_of = history
    case = case_from_mapping(doc)
    calendar = deadlines(rulebook, case, as_of=as_of, within=1200)
    now = {(f.rule_id, f.subject) for f in evaluate(rulebook, case, as_of=as_of).findings
           if f.severity == "violation"}
    for d in calendar.deadlines:
        if d.overdue_from is None:
            continue
        key = (d.rule_id, d.subject)
        assert key not in now, f"{key} listed as upcoming but already a finding on {as_of}"
        on_due = {(f.rule_id, f.subject) for f in evaluate(rulebook, case, as_of=d.due).findings}
        assert key not in on_due, f"{key} fires on its own due date {d.due}"
        after = {(f.rule_id, f.subject) for f in
                 evaluate(rulebook, case, as_of=d.overdue_from).findings
                 if f.severity == "violation"}
        assert key in after, f"{key} does not fire on {d.overdue_from}"


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(histories())
def test_every_dated_clock_of_the_case_is_on_the_calendar_until_it_passes(
        rulebook: Any, history: tuple[dict[str, Any], dt.date]) -> None:
    """The converse: the rule's finding on the first day it appears was on the calendar the
    day before (the calendar misses no deadline the rule will enforce)."""
    doc, as_of = history
    case = case_from_mapping(doc)
    rules = {"idea.timeline.annual-review-overdue", "idea.timeline.reevaluation-overdue",
             "idea.timeline.initial-evaluation-late",
             "idea.timeline.iep-meeting-after-eligibility"}
    calendar = deadlines(rulebook, case, as_of=as_of, within=1200)
    listed = {(d.rule_id, d.subject): d for d in calendar.deadlines}
    horizon = as_of + dt.timedelta(days=1201)
    later = {(f.rule_id, f.subject) for f in evaluate(rulebook, case, as_of=horizon).findings
             if f.severity == "violation" and f.rule_id in rules}
    now = {(f.rule_id, f.subject) for f in evaluate(rulebook, case, as_of=as_of).findings
           if f.severity == "violation"}
    for key in later - now:
        assert key in listed, f"{key} becomes a finding by {horizon} but was not on the calendar"
        assert evaluate_fires(rulebook, case, listed[key].overdue_from, key)


def evaluate_fires(rulebook: Any, case: Any, day: dt.date | None, key: tuple[str, str]) -> bool:
    assert day is not None
    return key in {(f.rule_id, f.subject) for f in evaluate(rulebook, case, as_of=day).findings
                   if f.severity == "violation"}
