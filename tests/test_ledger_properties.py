"""Ledger properties over generated session logs (issue 11):
owed is never negative; owed minutes = missed-when-due minutes - made-up minutes; ending an IEP
earlier (at a period boundary) never increases what is owed; adding a delivered session of the
full length never increases what is owed; and the totals add up whatever the log's order."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import case_from_mapping
from iep_rules.case._records import FrequencyUnit
from iep_rules.facts._ledger import MISS_REASONS, Policy, mandate_ledger
from iep_rules.facts._schedule import periods

BASE = json.loads(Path("examples/ledger-speech.json").read_text(encoding="utf-8"))
AS_OF = dt.date(2024, 12, 20)
DAYS = st.dates(min_value=dt.date(2024, 10, 7), max_value=AS_OF)
# Sundays: the end of an ISO week, so an IEP ended there cuts no week in two
SUNDAYS = st.integers(0, 10).map(lambda k: dt.date(2024, 10, 13) + dt.timedelta(weeks=k))

entries = st.one_of(
    st.builds(lambda d, m, g: {"date": d.isoformat(), "service": "slt", "status": "delivered",
                               "minutes": m, "group_size": g},
              DAYS, st.integers(5, 40), st.sampled_from([None, 1, 3])),
    st.builds(lambda d, r: {"date": d.isoformat(), "service": "slt", "status": "missed",
                            **({"reason": r} if r else {})},
              DAYS, st.sampled_from([*MISS_REASONS, None])),
    st.builds(lambda d, f, m: {"date": d.isoformat(), "service": "slt", "status": "makeup",
                               "minutes": m, "makeup_for": f.isoformat()},
              DAYS, DAYS, st.integers(10, 45)),
)
policies = st.fixed_dictionaries({
    "makeup_weekly_basis": st.sampled_from(["frequency", "fixed_days"]),
    "makeup_closure_on_fixed_day_owed": st.booleans(),
    "makeup_undocumented_owed": st.booleans(),
})
mandates = st.fixed_dictionaries({
    "weekdays": st.sampled_from([["monday", "thursday"], []]),
    "frequency": st.sampled_from([{"times": 2, "per": "week"},
                                  {"times": 4, "per": "week", "measure": "minutes"},
                                  {"times": 5, "per": "month"},
                                  {"times": 1, "per": "day"},
                                  {"times": 30, "per": "year", "prorated": True}]),
    "group_size": st.sampled_from([None, 1]),
})


def _ledger(sessions, mandate, policy, end=None):
    doc = json.loads(json.dumps(BASE))
    doc["sessions"] = sessions
    doc["ieps"][0]["services"][0].update(mandate)
    if end is not None:
        doc["ieps"][0]["end"] = doc["ieps"][0]["services"][0]["end"] = end.isoformat()
    return mandate_ledger(case_from_mapping(doc), 0, 0, AS_OF, Policy.from_params(policy))


def _check_owed(ledger):
    assert all(item.minutes > 0 for item in ledger.owed)
    assert ledger.owed_minutes >= 0 and ledger.made_up_minutes >= 0
    assert ledger.owed_minutes == ledger.missed_when_due_minutes - ledger.made_up_minutes


@settings(max_examples=60, deadline=None)
@given(st.lists(entries, max_size=20), mandates, policies)
def test_owed_is_missed_minus_made_up_and_never_negative(log, mandate, policy):
    _check_owed(_ledger(log, mandate, policy))


@settings(max_examples=60, deadline=None)
@given(st.lists(entries, max_size=20), mandates, policies, DAYS)
def test_adding_a_full_delivered_session_never_increases_owed(log, mandate, policy, day):
    before = _ledger(log, mandate, policy)
    extra = {"date": day.isoformat(), "service": "slt", "status": "delivered", "minutes": 30}
    after = _ledger([*log, extra], mandate, policy)
    assert after.owed_minutes <= before.owed_minutes
    assert after.missed_when_due_minutes <= before.missed_when_due_minutes


@settings(max_examples=60, deadline=None)
@given(st.lists(entries, max_size=20), policies, SUNDAYS)
def test_ending_an_iep_earlier_never_increases_owed(log, policy, sunday):
    mandate = {"weekdays": ["monday", "thursday"], "frequency": {"times": 2, "per": "week"}}
    full = _ledger(log, mandate, policy)
    cut = _ledger(log, mandate, policy, end=sunday)
    assert cut.owed_minutes <= full.owed_minutes
    assert cut.expected <= full.expected
    _check_owed(cut)


@settings(max_examples=60, deadline=None)
@given(st.lists(entries, max_size=25), mandates, policies, st.randoms(use_true_random=False))
def test_totals_add_up_and_order_does_not_matter(log, mandate, policy, rnd):
    ledger = _ledger(log, mandate, policy)
    if mandate["frequency"].get("measure") != "minutes":
        assert ledger.expected == ledger.delivered + ledger.missed + ledger.undocumented
        for line in ledger.periods:
            if line.counted:
                assert line.expected == line.delivered + line.missed + line.undocumented
    # every expected minute is delivered or stands in a shortfall item, owed or not
    assert ledger.expected_minutes == ledger.delivered_minutes + sum(
        item.minutes for item in ledger.missed_items)
    shuffled = list(log)
    rnd.shuffle(shuffled)
    assert _ledger(shuffled, mandate, policy) == ledger


@settings(max_examples=40, deadline=None)
@given(st.lists(entries, max_size=20), mandates, policies)
def test_facts_say_what_the_properties_say(log, mandate, policy):
    """facts() reads the shortfalls in one pass; the properties are the definitions. The
    period lines, made on first read, are the periods counted, named and in order."""
    ledger = _ledger(log, mandate, policy)
    assert ledger is not None
    window = ledger.complaint_window_ends
    assert ledger.facts() == {
        "$path": None, "measure": ledger.measure, "expected": ledger.expected,
        "expected_minutes": ledger.expected_minutes, "delivered": ledger.delivered,
        "delivered_minutes": ledger.delivered_minutes, "missed": ledger.missed,
        "undocumented": ledger.undocumented, "missed_when_due": ledger.missed_when_due_sessions,
        "missed_when_due_minutes": ledger.missed_when_due_minutes,
        "missed_when_due_dates": tuple(s.source for s in ledger.missed_when_due),
        "missed_percent": ledger._percent(ledger.missed_when_due_minutes),
        "made_up": ledger.made_up, "made_up_minutes": ledger.made_up_minutes,
        "owed_sessions": ledger.owed_sessions, "owed_minutes": ledger.owed_minutes,
        "owed_dates": tuple(s.source for s in ledger.owed),
        "shortfall_percent": ledger._percent(ledger.owed_minutes),
        "partial_sessions": ledger.partial_sessions, "short_minutes": ledger.short_minutes,
        "late_start_days": ledger.late_start_days, "child_absences": ledger.child_absences,
        "child_absence_percent": ledger._percent(sum(
            s.minutes for s in ledger.missed_items if s.reason in {"student_absence",
                                                                    "student_unavailable"})),
        "wrong_setting_sessions": len(ledger.wrong_setting_dates),
        "wrong_setting_dates": tuple(d.isoformat() for d in ledger.wrong_setting_dates),
        "complaint_window_ends": window.isoformat() if window else None,
    }
    service = case_from_mapping(BASE).ieps[0].services[0]
    counted = list(periods(FrequencyUnit(mandate["frequency"]["per"]), service.start,
                           ledger.start, AS_OF, service.end))
    assert [line.period for line in ledger.periods] == [p.label for p in counted]
    assert ledger.periods == ledger.periods
    assert sum(line.expected_minutes for line in ledger.periods if line.counted) == \
        ledger.expected_minutes


@pytest.mark.slow
@settings(max_examples=400, deadline=None)
@given(st.lists(entries, max_size=40), mandates, policies, SUNDAYS, DAYS)
def test_all_properties_at_volume(log, mandate, policy, sunday, day):
    ledger = _ledger(log, mandate, policy)
    _check_owed(ledger)
    extra = {"date": day.isoformat(), "service": "slt", "status": "delivered", "minutes": 30}
    assert _ledger([*log, extra], mandate, policy).owed_minutes <= ledger.owed_minutes
    if mandate["frequency"]["per"] == "week" and mandate["frequency"].get("measure") != "minutes":
        assert _ledger(log, mandate, policy, end=sunday).owed_minutes <= ledger.owed_minutes
