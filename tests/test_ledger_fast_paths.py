"""The ledger's shortcuts give what the plain definitions give (facts/_ledger.py): a log sorted
by runs of same-day entries is the log sorted whole, `facts()` (one pass) says what the
ledger's properties say, and the period lines made on first read are the periods counted."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import case_from_mapping
from iep_rules.case._records import MissReason, SessionLog, SessionStatus
from iep_rules.facts._ledger import Policy, _service_log, _sort_key, mandate_ledger
from iep_rules.facts._schedule import periods

BASE = json.loads(Path("examples/ledger-speech.json").read_text(encoding="utf-8"))
AS_OF = dt.date(2024, 12, 20)
DAYS = st.dates(min_value=dt.date(2024, 10, 7), max_value=AS_OF)

logs = st.builds(
    SessionLog, st.dates(min_value=dt.date(2024, 10, 7), max_value=dt.date(2024, 10, 12)),
    st.just("slt"), st.sampled_from(list(SessionStatus)), st.sampled_from([None, 20, 30]),
    st.sampled_from([None, *MissReason]), st.sampled_from([None, dt.date(2024, 10, 1)]),
    st.sampled_from([None, 1, 3]))


@given(st.lists(logs, max_size=30), st.booleans())
def test_a_log_sorted_by_same_day_runs_is_the_log_sorted(entries, by_date):
    if by_date:  # in date order, ties in any order: the runs path
        entries = sorted(entries, key=lambda log: log.date)
    ordered, dates = _service_log(entries)
    assert ordered == sorted(entries, key=_sort_key)
    assert dates == [log.date for log in ordered]


entries = st.one_of(
    st.builds(lambda d, m, g: {"date": d.isoformat(), "service": "slt", "status": "delivered",
                               "minutes": m, "group_size": g},
              DAYS, st.integers(5, 40), st.sampled_from([None, 1, 3])),
    st.builds(lambda d, r: {"date": d.isoformat(), "service": "slt", "status": "missed",
                            **({"reason": r} if r else {})},
              DAYS, st.sampled_from([*(r.value for r in MissReason), None])),
    st.builds(lambda d, f, m: {"date": d.isoformat(), "service": "slt", "status": "makeup",
                               "minutes": m, "makeup_for": f.isoformat()},
              DAYS, DAYS, st.integers(10, 45)),
)
mandates = st.fixed_dictionaries({
    "weekdays": st.sampled_from([["monday", "thursday"], []]),
    "frequency": st.sampled_from([{"times": 2, "per": "week"},
                                  {"times": 4, "per": "week", "measure": "minutes"},
                                  {"times": 5, "per": "month"},
                                  {"times": 1, "per": "day"},
                                  {"times": 30, "per": "year", "prorated": True}]),
    "group_size": st.sampled_from([None, 1]),
})


@settings(max_examples=40, deadline=None)
@given(st.lists(entries, max_size=20), mandates,
       st.sampled_from(["frequency", "fixed_days"]))
def test_facts_say_what_the_properties_say(log, mandate, basis):
    doc = json.loads(json.dumps(BASE))
    doc["sessions"] = log
    doc["ieps"][0]["services"][0].update(mandate)
    case = case_from_mapping(doc)
    ledger = mandate_ledger(case, 0, 0, AS_OF, Policy.from_params({"makeup_weekly_basis": basis}))
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
    # the lines made on first read: one per period counted, named as the period is, in order
    service = case.ieps[0].services[0]
    counted = list(periods(service.frequency.per, service.start, ledger.start, AS_OF,
                           service.end))
    assert [line.period for line in ledger.periods] == [p.label for p in counted]
    assert ledger.periods == ledger.periods
    assert sum(line.expected_minutes for line in ledger.periods if line.counted) == \
        ledger.expected_minutes
