"""Worked ledger examples, each computed by hand in its docstring.

Calendar (examples/ledger-speech.json): school year 2024-09-04 .. 2025-06-26; closed Mon
2024-10-14, Thu-Fri 2024-11-28..29 (Thanksgiving recess), 2024-12-24 .. 2025-01-01.
Default policy: provider absence, provider vacancy and school-caused misses are owed; a closure
on a fixed service day is not; undocumented sessions are owed; partial minutes are owed.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from iep_rules import case_from_mapping, load_case
from iep_rules.facts._ledger import Policy, case_ledger, mandate_ledger

BASE = json.loads(Path("examples/ledger-speech.json").read_text(encoding="utf-8"))


def _ledger(doc, as_of, **policy):
    case = case_from_mapping(doc)
    return mandate_ledger(case, 0, 0, as_of, Policy.from_params(policy))


def _with(service=None, sessions=None):
    doc = json.loads(json.dumps(BASE))
    if service:
        doc["ieps"][0]["services"][0].update(service)
        if service.get("weekdays") == []:
            doc["ieps"][0]["services"][0]["weekdays"] = []
    if sessions is not None:
        doc["sessions"] = sessions
    return doc


def test_twice_weekly_fixed_days_across_holidays_with_mixed_reasons():
    """Mon+Thu, 30 min, 2024-10-07 .. 2024-11-29.
    Mondays: Oct 7, 14 (closed), 21, 28, Nov 4, 11, 18, 25 -> 7 expected.
    Thursdays: Oct 10, 17, 24, 31, Nov 7, 14, 21, 28 (recess) -> 7 expected. Total 14.
    Log: 9 delivered; missed Oct 21 provider absence (owed), Oct 24 student absence (not owed),
    Nov 4 school-caused (owed), Nov 14 parent cancellation (not owed); Nov 21 no entry
    (undocumented, owed). 9 + 4 + 1 = 14. Owed: 3 sessions = 90 minutes."""
    ledger = _ledger(BASE, dt.date(2024, 11, 29))
    assert (ledger.expected, ledger.delivered, ledger.missed, ledger.undocumented) == (14, 9, 4, 1)
    assert ledger.missed_by_reason == {"parent_cancellation": 1, "provider_absence": 1,
                                       "school_caused": 1, "student_absence": 1}
    assert [(o.source, o.reason) for o in ledger.owed] == [
        ("2024-10-21", "provider_absence"), ("2024-11-04", "school_caused"),
        ("2024-W47", "undocumented")]
    assert ledger.owed_minutes == 90
    assert ledger.late_start_days == 0


def test_closure_policy_can_make_fixed_day_closures_owed():
    """Same case with makeup_closure_on_fixed_day_owed: the closed Monday Oct 14 and the
    Thursday Nov 28 become expected and owed: expected 16, owed 3 + 2 = 5."""
    ledger = _ledger(BASE, dt.date(2024, 11, 29), makeup_closure_on_fixed_day_owed=True)
    assert ledger.expected == 16 and ledger.owed_sessions == 5
    assert ("2024-10-14", "school_closure") in [(o.source, o.reason) for o in ledger.owed]


def test_makeups_cancel_the_miss_they_name_then_the_oldest():
    """Add make-ups on Nov 22 (for Oct 21, provider absence) and Nov 26 (for Oct 24, a student
    absence, not owed). The first cancels Oct 21; the second is delivered service all the same
    and cancels the oldest outstanding item, Nov 4. Left: the undocumented Nov 21. Owed 1."""
    sessions = [*BASE["sessions"],
                {"date": "2024-11-22", "service": "slt", "status": "makeup", "minutes": 30,
                 "makeup_for": "2024-10-21"},
                {"date": "2024-11-26", "service": "slt", "status": "makeup", "minutes": 30,
                 "makeup_for": "2024-10-24"}]
    ledger = _ledger(_with(sessions=sessions), dt.date(2024, 11, 29))
    assert ledger.made_up == 2
    assert [(o.source, o.reason) for o in ledger.owed] == [("2024-W47", "undocumented")]


def test_provider_vacancy_for_several_school_weeks():
    """Once a week (no fixed day), 45 min, from Mon 2024-09-09 to Fri 2024-10-11: five school
    weeks (W37..W41), one session expected in each. Delivered Sep 10; W38..W41 missed for a
    provider vacancy. Expected 5, delivered 1, owed 4 = 180 minutes."""
    sessions = [{"date": "2024-09-10", "service": "slt", "status": "delivered", "minutes": 45}]
    sessions += [{"date": d, "service": "slt", "status": "missed", "reason": "provider_vacancy"}
                 for d in ("2024-09-17", "2024-09-24", "2024-10-01", "2024-10-08")]
    doc = _with({"frequency": {"times": 1, "per": "week"}, "duration_minutes": 45,
                 "start": "2024-09-09", "weekdays": []}, sessions)
    doc["ieps"][0]["start"] = "2024-09-09"
    ledger = _ledger(doc, dt.date(2024, 10, 11))
    assert (ledger.expected, ledger.delivered, ledger.owed_sessions, ledger.owed_minutes) == (5, 1, 4, 180)


def test_late_start():
    """Twice a week from Mon 2024-09-09; first session Tue 2024-10-01. W37, W38, W39 expect 2
    each with no entries (6 undocumented, owed); W40 expects 2 and has Oct 1 and Oct 3.
    Late start: Oct 1 - Sep 9 = 22 days."""
    sessions = [{"date": d, "service": "slt", "status": "delivered", "minutes": 30}
                for d in ("2024-10-01", "2024-10-03")]
    doc = _with({"start": "2024-09-09", "weekdays": []}, sessions)
    doc["ieps"][0]["start"] = "2024-09-09"
    ledger = _ledger(doc, dt.date(2024, 10, 4))
    assert (ledger.expected, ledger.delivered, ledger.undocumented) == (8, 2, 6)
    assert ledger.late_start_days == 22 and ledger.owed_sessions == 6


def test_monthly_mandate():
    """Three a month from 2024-09-04 to 2024-11-30: Sept, Oct, Nov expect 3 each = 9.
    Sept 3 delivered; Oct 2 delivered + 1 provider absence; Nov 1 delivered, 2 undocumented.
    Delivered 6, missed 1, undocumented 2; owed 1 + 2 = 3."""
    sessions = [{"date": d, "service": "slt", "status": "delivered", "minutes": 30}
                for d in ("2024-09-05", "2024-09-12", "2024-09-19", "2024-10-03", "2024-10-10",
                          "2024-11-07")]
    sessions.append({"date": "2024-10-17", "service": "slt", "status": "missed",
                     "reason": "provider_absence"})
    doc = _with({"frequency": {"times": 3, "per": "month"}, "start": "2024-09-04",
                 "weekdays": []}, sessions)
    doc["ieps"][0]["start"] = "2024-09-04"
    ledger = _ledger(doc, dt.date(2024, 11, 30))
    assert (ledger.expected, ledger.delivered, ledger.missed, ledger.undocumented) == (9, 6, 1, 2)
    assert ledger.owed_sessions == 3
    assert [p.period for p in ledger.periods] == ["2024-09", "2024-10", "2024-11"]


def test_partial_sessions():
    """Once a week, 60 min, W41 (Oct 7-11) and W42 (Oct 14-18, Monday closed): Oct 8 lasted 40
    minutes, Oct 15 the full 60. Owed sessions 0; partial 1; owed minutes 20."""
    sessions = [{"date": "2024-10-08", "service": "slt", "status": "delivered", "minutes": 40},
                {"date": "2024-10-15", "service": "slt", "status": "delivered", "minutes": 60}]
    doc = _with({"frequency": {"times": 1, "per": "week"}, "duration_minutes": 60,
                 "weekdays": []}, sessions)
    ledger = _ledger(doc, dt.date(2024, 10, 18))
    assert (ledger.expected, ledger.owed_sessions, ledger.partial_sessions, ledger.owed_minutes) == (2, 0, 1, 20)


def test_no_calendar_means_no_ledger():
    doc = _with()
    doc["calendars"] = []
    assert case_ledger(case_from_mapping(doc), dt.date(2024, 11, 29)) == []


@pytest.mark.parametrize("as_of", [dt.date(2024, 10, 6), dt.date(2024, 12, 31)])
def test_case_ledger_on_the_example(as_of):
    ledgers = case_ledger(load_case("examples/ledger-speech.json"), as_of)
    assert len(ledgers) == (0 if as_of < dt.date(2024, 10, 7) else 1)
