"""Worked ledger examples, each computed by hand in its docstring.

Calendar (examples/ledger-speech.json): school year 2024-09-04 .. 2025-06-26; closed Mon
2024-10-14, Thu-Fri 2024-11-28..29 (Thanksgiving recess), 2024-12-24 .. 2025-01-01.
Default policy: provider absence, vacancy or other duties, school-caused misses, disciplinary
removals after 10 school days and misses with no reason are owed; undocumented sessions and the
missing minutes of short sessions are owed; a weekly mandate is n sessions in every week with
school (`makeup_weekly_basis: frequency`), so a closure on the provider's day is still owed when
the week had other school days. Weeks are ISO weeks (Monday to Sunday).

The first edition's examples are kept; where the second edition changes one, the test says
why and the first-edition result is still checked under the parameter that restores it.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from iep_rules import case_from_mapping, load_case
from iep_rules.facts._ledger import (
    Policy,
    accrual_windows,
    case_ledger,
    mandate_ledger,
)

BASE = json.loads(Path("examples/ledger-speech.json").read_text(encoding="utf-8"))
FIXED_DAYS = {"makeup_weekly_basis": "fixed_days"}  # the first edition's reading


def _ledger(doc, as_of, **policy):
    case = case_from_mapping(doc)
    return mandate_ledger(case, 0, 0, as_of, Policy.from_params(policy))


def _with(service=None, sessions=None, iep=None):
    doc = json.loads(json.dumps(BASE))
    if service:
        doc["ieps"][0]["services"][0].update(service)
    if iep:
        doc["ieps"][0].update(iep)
    if sessions is not None:
        doc["sessions"] = sessions
    return doc


def _log(day, status="delivered", **more):
    return {"date": day, "service": "slt", "status": status,
            **({"minutes": 30} if status == "delivered" and "minutes" not in more else {}), **more}


def _owed(ledger):
    return [(o.source, o.reason, o.minutes) for o in ledger.owed]


# ---- first-edition examples ------------------------------------------------------------------

def test_fixed_days_first_edition_result_under_the_fixed_days_parameter():
    """Mon+Thu, 30 min, 2024-10-07 .. 2024-11-29, `makeup_weekly_basis: fixed_days`.
    Mondays: Oct 7, 14 (closed), 21, 28, Nov 4, 11, 18, 25 -> 7 expected.
    Thursdays: Oct 10, 17, 24, 31, Nov 7, 14, 21, 28 (recess) -> 7 expected. Total 14.
    Log: 9 delivered; missed Oct 21 provider absence (owed), Oct 24 student absence (not owed),
    Nov 4 school-caused (owed), Nov 14 parent cancellation (not owed); Nov 21 no entry
    (undocumented, owed). 9 + 4 + 1 = 14. Owed: 3 sessions = 90 minutes."""
    ledger = _ledger(BASE, dt.date(2024, 11, 29), **FIXED_DAYS)
    assert (ledger.expected, ledger.delivered, ledger.missed, ledger.undocumented) == (14, 9, 4, 1)
    assert ledger.missed_by_reason == {"parent_cancellation": 1, "provider_absence": 1,
                                       "school_caused": 1, "student_absence": 1}
    assert [(o.source, o.reason) for o in ledger.owed] == [
        ("2024-10-21", "provider_absence"), ("2024-11-04", "school_caused"),
        ("2024-W47", "undocumented")]
    assert ledger.owed_minutes == 90
    assert ledger.late_start_days == 0


def test_weekly_frequency_is_the_mandate_when_the_fixed_day_is_closed():
    """Second edition (issue 11 item 6): the same case with the default basis. The IEP says
    twice a week; the weekdays are the provider's schedule. Changed from the first edition
    because services must be provided as the IEP states them (34 CFR 300.17(d), 300.323(c)(2)).
    W42 (Oct 14-18): Monday closed, Tue-Fri open -> 2 expected; Oct 17 delivered; the closed
    Monday stands as a miss (school_closure), owed.
    W48 (Nov 25-29): Thu-Fri closed, Mon-Wed open -> 2 expected; Nov 25 delivered; the closed
    Thursday Nov 28 stands as a miss, owed. Every other week as before.
    Expected 16 = delivered 9 + missed 6 + undocumented 1.
    Owed: Oct 14, Oct 21, Nov 4, W47, Nov 28 = 5 sessions = 150 of 480 minutes."""
    ledger = _ledger(BASE, dt.date(2024, 11, 29))
    assert (ledger.expected, ledger.delivered, ledger.missed, ledger.undocumented) == (16, 9, 6, 1)
    assert ledger.missed_by_reason["school_closure"] == 2
    assert _owed(ledger) == [
        ("2024-10-14", "school_closure", 30), ("2024-10-21", "provider_absence", 30),
        ("2024-11-04", "school_caused", 30), ("2024-W47", "undocumented", 30),
        ("2024-11-28", "school_closure", 30)]
    assert (ledger.expected_minutes, ledger.owed_minutes) == (480, 150)
    assert ledger.facts()["missed_percent"] == 31  # 150 * 100 // 480


def test_closure_policy_can_make_fixed_day_closures_owed():
    """fixed_days basis plus makeup_closure_on_fixed_day_owed: the closed Monday Oct 14 and the
    Thursday Nov 28 become expected and owed: expected 16, owed 3 + 2 = 5 (first edition)."""
    ledger = _ledger(BASE, dt.date(2024, 11, 29), makeup_closure_on_fixed_day_owed=True,
                     **FIXED_DAYS)
    assert ledger.expected == 16 and ledger.owed_sessions == 5
    assert ("2024-10-14", "school_closure") in [(o.source, o.reason) for o in ledger.owed]


def test_makeups_cancel_the_miss_they_name_then_the_oldest_first_edition():
    """fixed_days basis. Make-ups on Nov 22 (for Oct 21, provider absence) and Nov 26 (for
    Oct 24, a student absence, not owed). The first cancels Oct 21; the second is delivered
    service all the same and cancels the oldest owed item, Nov 4. Left: the undocumented W47."""
    sessions = [*BASE["sessions"], _log("2024-11-22", "makeup", minutes=30, makeup_for="2024-10-21"),
                _log("2024-11-26", "makeup", minutes=30, makeup_for="2024-10-24")]
    ledger = _ledger(_with(sessions=sessions), dt.date(2024, 11, 29), **FIXED_DAYS)
    assert ledger.made_up == 2
    assert [(o.source, o.reason) for o in ledger.owed] == [("2024-W47", "undocumented")]


def test_makeups_under_the_frequency_basis():
    """Default basis: the owed items are Oct 14 (closure), Oct 21, Nov 4, W47, Nov 28. The Nov 22
    make-up cancels Oct 21 (named); the Nov 26 one names a student absence, so it cancels the
    oldest, Oct 14. Left: Nov 4, W47, Nov 28 = 90 minutes. Missed when due stays 150 minutes:
    a make-up is the remedy, not a reason the services were provided when due."""
    sessions = [*BASE["sessions"], _log("2024-11-22", "makeup", minutes=30, makeup_for="2024-10-21"),
                _log("2024-11-26", "makeup", minutes=30, makeup_for="2024-10-24")]
    ledger = _ledger(_with(sessions=sessions), dt.date(2024, 11, 29))
    assert (ledger.made_up, ledger.made_up_minutes) == (2, 60)
    assert [o.source for o in ledger.owed] == ["2024-11-04", "2024-W47", "2024-11-28"]
    assert (ledger.missed_when_due_minutes, ledger.owed_minutes) == (150, 90)


def test_provider_vacancy_for_several_school_weeks():
    """Once a week (no fixed day), 45 min, from Mon 2024-09-09 to Fri 2024-10-11: five school
    weeks (W37..W41), one session expected in each (W41 has ended: no school day is left in it
    after Friday). Delivered Sep 10; W38..W41 missed for a provider vacancy. Expected 5,
    delivered 1, owed 4 = 180 minutes."""
    sessions = [_log("2024-09-10", minutes=45)]
    sessions += [_log(d, "missed", reason="provider_vacancy")
                 for d in ("2024-09-17", "2024-09-24", "2024-10-01", "2024-10-08")]
    doc = _with({"frequency": {"times": 1, "per": "week"}, "duration_minutes": 45,
                 "start": "2024-09-09", "weekdays": []}, sessions, {"start": "2024-09-09"})
    ledger = _ledger(doc, dt.date(2024, 10, 11))
    assert (ledger.expected, ledger.delivered, ledger.owed_sessions, ledger.owed_minutes) == (5, 1, 4, 180)


def test_late_start():
    """Twice a week from Mon 2024-09-09; first session Tue 2024-10-01. W37, W38, W39 expect 2
    each with no entries (6 undocumented, owed); W40 expects 2 and has Oct 1 and Oct 3.
    Late start: Oct 1 - Sep 9 = 22 days."""
    sessions = [_log(d) for d in ("2024-10-01", "2024-10-03")]
    doc = _with({"start": "2024-09-09", "weekdays": []}, sessions, {"start": "2024-09-09"})
    ledger = _ledger(doc, dt.date(2024, 10, 4))
    assert (ledger.expected, ledger.delivered, ledger.undocumented) == (8, 2, 6)
    assert ledger.late_start_days == 22 and ledger.owed_sessions == 6


def test_monthly_mandate():
    """Three a month from 2024-09-04 to 2024-11-30: Sept, Oct, Nov expect 3 each = 9.
    Sept 3 delivered; Oct 2 delivered + 1 provider absence; Nov 1 delivered, 2 undocumented.
    Delivered 6, missed 1, undocumented 2; owed 1 + 2 = 3."""
    sessions = [_log(d) for d in ("2024-09-05", "2024-09-12", "2024-09-19", "2024-10-03",
                                  "2024-10-10", "2024-11-07")]
    sessions.append(_log("2024-10-17", "missed", reason="provider_absence"))
    doc = _with({"frequency": {"times": 3, "per": "month"}, "start": "2024-09-04",
                 "weekdays": []}, sessions, {"start": "2024-09-04"})
    ledger = _ledger(doc, dt.date(2024, 11, 30))
    assert (ledger.expected, ledger.delivered, ledger.missed, ledger.undocumented) == (9, 6, 1, 2)
    assert ledger.owed_sessions == 3
    assert [p.period for p in ledger.periods] == ["2024-09", "2024-10", "2024-11"]


def test_partial_sessions():
    """Once a week, 60 min, W41 (Oct 7-11) and W42 (Oct 14-18, Monday closed): Oct 8 lasted 40
    minutes, Oct 15 the full 60. Owed sessions 0; partial 1; owed minutes 20."""
    sessions = [_log("2024-10-08", minutes=40), _log("2024-10-15", minutes=60)]
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


# ---- item 1: missed when due is its own figure, made up or not ---------------------------------

WEEKLY = {"frequency": {"times": 1, "per": "week"}, "duration_minutes": 30, "start": "2024-09-09",
          "weekdays": []}


def test_a_miss_made_up_later_was_still_missed_when_due():
    """Once a week from Mon Sep 9, as of Fri Sep 27: W37 Sep 10 delivered; W38 Sep 17 missed
    (provider absence); W39 Sep 24 delivered; make-up Sep 26 for Sep 17. Missed when due: 1
    session, 30 of 90 minutes (33%); made up 1 (30 minutes); owed 0."""
    sessions = [_log("2024-09-10"), _log("2024-09-17", "missed", reason="provider_absence"),
                _log("2024-09-24"), _log("2024-09-26", "makeup", makeup_for="2024-09-17")]
    ledger = _ledger(_with(WEEKLY, sessions, {"start": "2024-09-09"}), dt.date(2024, 9, 27))
    facts = ledger.facts()
    assert (facts["missed_when_due"], facts["missed_when_due_minutes"], facts["missed_percent"]) == (1, 30, 33)
    assert facts["missed_when_due_dates"] == ("2024-09-17",)
    assert (facts["made_up"], facts["made_up_minutes"], facts["owed_minutes"]) == (1, 30, 0)


# ---- item 2: periods that have not ended owe nothing yet --------------------------------------

def test_a_weekly_quota_on_a_tuesday_is_not_a_shortfall_yet():
    """Once a week from Mon Sep 9; Sep 10 delivered (W37); nothing logged in W38.
    As of Tue Sep 17, W38 has school days left (Sep 18-20): it counts nothing yet -> expected 1,
    owed 0. As of Fri Sep 20 it has ended -> expected 2, one undocumented, owed 30 minutes."""
    doc = _with(WEEKLY, [_log("2024-09-10")], {"start": "2024-09-09"})
    tuesday = _ledger(doc, dt.date(2024, 9, 17))
    assert (tuesday.expected, tuesday.owed_minutes) == (1, 0)
    assert [(p.period, p.counted) for p in tuesday.periods] == [("2024-W37", True), ("2024-W38", False)]
    friday = _ledger(doc, dt.date(2024, 9, 20))
    assert (friday.expected, friday.undocumented, friday.owed_minutes) == (2, 1, 30)


def test_a_monthly_quota_mid_month_is_not_a_shortfall_yet():
    """Three a month from Sep 4; Sept fully delivered; nothing in October. As of Oct 15, October
    has not ended: expected 3 (September only), owed 0."""
    sessions = [_log(d) for d in ("2024-09-05", "2024-09-12", "2024-09-19")]
    doc = _with({"frequency": {"times": 3, "per": "month"}, "start": "2024-09-04", "weekdays": []},
                sessions, {"start": "2024-09-04"})
    ledger = _ledger(doc, dt.date(2024, 10, 15))
    assert (ledger.expected, ledger.owed_minutes) == (3, 0)


YEARLY = {"frequency": {"times": 10, "per": "year"}, "weekdays": []}


def test_a_yearly_mandate_runs_over_the_iep_year_and_counts_when_it_ends():
    """Ten a year, IEP 2024-10-07 .. 2025-06-26 (its year ends with it). Four delivered in
    October. As of 2025-03-03 the IEP year has not ended: expected 0, owed 0 (a July-June year
    would have ended nothing either, but a year ending 2025-06-30 would be the wrong period).
    As of 2025-06-26, its last day: expected 10, delivered 4, undocumented 6."""
    sessions = [_log(d) for d in ("2024-10-08", "2024-10-15", "2024-10-22", "2024-10-29")]
    doc = _with(YEARLY, sessions)
    march = _ledger(doc, dt.date(2025, 3, 3))
    assert (march.expected, march.owed_minutes) == (0, 0)
    june = _ledger(doc, dt.date(2025, 6, 26))
    assert (june.expected, june.delivered, june.undocumented) == (10, 4, 6)
    assert june.periods[0].period == "2024-10-07..2025-06-26"


def test_a_yearly_mandate_is_prorated_only_when_the_iep_says_so():
    """Ten a year, `prorated: true`. As of Fri 2024-12-20: school days Oct 7 .. Dec 20 = 11
    weeks x 5 = 55 weekdays - Oct 14, Nov 28, Nov 29 = 52; in the whole IEP year Oct 7 ..
    Jun 26: 189 weekdays - 10 closure weekdays = 179. Expected floor(10 * 52 / 179) = 2; one
    delivered -> one undocumented."""
    doc = _with({**YEARLY, "frequency": {"times": 10, "per": "year", "prorated": True}},
                [_log("2024-10-08")])
    ledger = _ledger(doc, dt.date(2024, 12, 20))
    assert (ledger.expected, ledger.delivered, ledger.undocumented) == (2, 1, 1)


# ---- item 3: accrual windows ---------------------------------------------------------------------

def _two_ieps():
    """IEP a from Mon 2024-09-09 (once a week), replaced by IEP b from Mon 2024-10-07."""
    doc = _with(WEEKLY, [], {"start": "2024-09-09"})
    doc["ieps"].append({"id": "iep-b", "start": "2024-10-07", "end": "2025-06-26",
                        "services": [{"id": "slt-b", "name": "speech_language_therapy",
                                      "frequency": {"times": 1, "per": "week"},
                                      "duration_minutes": 30}]})
    return case_from_mapping(doc)


def test_a_replaced_iep_stops_accruing_when_the_next_takes_effect():
    """IEP a's window ends Sun Oct 6 (the day before b starts): as of Fri Nov 1 it expects
    W37..W40 = 4 sessions, not the 8 weeks to W44. IEP b expects W41..W44 = 4."""
    case = _two_ieps()
    assert accrual_windows(case) == ((dt.date(2024, 9, 9), dt.date(2024, 10, 6)),
                                     (dt.date(2024, 10, 7), dt.date(2025, 6, 26)))
    a, b = case_ledger(case, dt.date(2024, 11, 1))
    assert (a.expected, a.end, b.expected) == (4, dt.date(2024, 10, 6), 4)


def test_an_accrual_window_given_by_the_caller_ends_accrual():
    """A written revocation or an exit ends accrual (the timeline gives the window): IEP a with
    a window ending Fri Sep 20 expects W37 and W38 = 2 sessions."""
    case = _two_ieps()
    windows = [(dt.date(2024, 9, 9), dt.date(2024, 9, 20)), accrual_windows(case)[1]]
    a, _ = case_ledger(case, dt.date(2024, 11, 1), windows=windows)
    assert a.expected == 2


# ---- item 4: minutes ------------------------------------------------------------------------------

def test_short_sessions_count_toward_what_was_missed():
    """Once a week, 60 min, W37..W40 (Sep 9 .. Oct 4), each delivered 50 minutes: 4 partial
    sessions, 40 of 240 minutes short = 16% missed when due; nothing else owed."""
    sessions = [_log(d, minutes=50) for d in ("2024-09-10", "2024-09-17", "2024-09-24", "2024-10-01")]
    doc = _with({**WEEKLY, "duration_minutes": 60}, sessions, {"start": "2024-09-09"})
    facts = _ledger(doc, dt.date(2024, 10, 4)).facts()
    assert (facts["partial_sessions"], facts["short_minutes"], facts["missed_percent"]) == (4, 40, 16)
    assert facts["owed_sessions"] == 0 and facts["owed_minutes"] == 40


def _minutes_case():
    sessions = [_log("2024-09-09", minutes=45), _log("2024-09-11", minutes=45),
                _log("2024-09-13", minutes=30), _log("2024-09-16", minutes=60),
                _log("2024-09-18", minutes=20), _log("2024-09-23", minutes=60),
                _log("2024-09-25", "missed", reason="provider_absence")]
    return _with({**WEEKLY, "frequency": {"times": 4, "per": "week", "measure": "minutes"}},
                 sessions, {"start": "2024-09-09"})


def test_a_minutes_mandate_in_any_session_lengths():
    """4 x 30 = 120 minutes a week in any session lengths (`measure: minutes`), Sep 9 .. Sep 27.
    W37: 45 + 45 + 30 = 120 -> nothing missed. W38: 60 + 20 = 80 -> 40 undocumented minutes.
    W39: 60 delivered; Sep 25 missed (provider absence) claims 30; 30 undocumented.
    Expected 360, delivered 260; missed when due 40 + 30 + 30 = 100 minutes, all owed."""
    doc = _minutes_case()
    ledger = _ledger(doc, dt.date(2024, 9, 27))
    assert (ledger.expected_minutes, ledger.delivered_minutes) == (360, 260)
    assert _owed(ledger) == [("2024-W38", "undocumented", 40),
                             ("2024-09-25", "provider_absence", 30),
                             ("2024-W39", "undocumented", 30)]
    assert ledger.missed_when_due_minutes == ledger.owed_minutes == 100


# ---- item 5: reasons ------------------------------------------------------------------------------

def test_a_miss_with_no_reason_is_owed_and_said_so():
    """W37 Sep 10 missed with no reason (owed, "reason_not_recorded"); W38 Sep 17 provider on
    other duties (owed); W39 Sep 24 student unavailable (not owed)."""
    sessions = [_log("2024-09-10", "missed"), _log("2024-09-17", "missed", reason="provider_other_duties"),
                _log("2024-09-24", "missed", reason="student_unavailable")]
    ledger = _ledger(_with(WEEKLY, sessions, {"start": "2024-09-09"}), dt.date(2024, 9, 27))
    assert [(o.source, o.reason) for o in ledger.owed] == [
        ("2024-09-10", "reason_not_recorded"), ("2024-09-17", "provider_other_duties")]
    assert ledger.missed_by_reason["student_unavailable"] == 1


def test_services_during_a_removal_are_owed_after_ten_school_days():
    """A daily service (sv-d) logs a disciplinary removal on 11 school days: Sep 9-13, 16-20,
    Sep 23. The weekly service misses Sep 17 (the 7th removal day: not owed, 34 CFR
    300.530(b)(2), (d)(4)) and Sep 23 (the 11th: owed)."""
    doc = _with(WEEKLY, [], {"start": "2024-09-09"})
    doc["ieps"][0]["services"].append({"id": "sv-d", "name": "counseling", "start": "2024-09-09",
                                       "frequency": {"times": 1, "per": "day"},
                                       "duration_minutes": 20})
    removal = ["2024-09-09", "2024-09-10", "2024-09-11", "2024-09-12", "2024-09-13", "2024-09-16",
               "2024-09-17", "2024-09-18", "2024-09-19", "2024-09-20", "2024-09-23"]
    doc["sessions"] = [{"date": d, "service": "sv-d", "status": "missed",
                        "reason": "disciplinary_removal"} for d in removal]
    doc["sessions"] += [_log(d, "missed", reason="disciplinary_removal")
                        for d in ("2024-09-17", "2024-09-23")]
    doc["sessions"].append(_log("2024-09-10"))
    ledger = _ledger(doc, dt.date(2024, 9, 27))
    assert [(o.source, o.reason) for o in ledger.owed] == [("2024-09-23", "disciplinary_removal")]


# ---- item 8: complaint window -----------------------------------------------------------------------

def test_each_owed_item_shows_its_complaint_window():
    """A state complaint must allege a violation no more than one year before it is received
    (34 CFR 300.153(c)): Oct 21 2024 -> 2025-10-21; W47 (due Fri Nov 22) -> 2025-11-22.
    Grouped by that date; the earliest is the mandate's complaint-window date."""
    ledger = _ledger(BASE, dt.date(2024, 11, 29), **FIXED_DAYS)
    assert [o.complaint_deadline for o in ledger.owed] == [
        dt.date(2025, 10, 21), dt.date(2025, 11, 4), dt.date(2025, 11, 22)]
    assert ledger.complaint_window_ends == dt.date(2025, 10, 21)
    assert list(ledger.owed_by_deadline()) == [dt.date(2025, 10, 21), dt.date(2025, 11, 4),
                                               dt.date(2025, 11, 22)]


def test_a_leap_day_miss_has_a_window_ending_on_the_28th():
    """Missed Thu 2024-02-29 -> one year later is 2025-02-28 (dateutil's relativedelta)."""
    doc = _with(WEEKLY, [_log("2024-02-29", "missed", reason="provider_absence")],
                {"start": "2024-02-26", "end": "2024-03-01"})
    doc["ieps"][0]["services"][0]["start"] = "2024-02-26"
    doc["calendars"] = [{"year_start": "2023-09-05", "year_end": "2024-06-26"}]
    ledger = _ledger(doc, dt.date(2024, 3, 1))
    assert [o.complaint_deadline for o in ledger.owed] == [dt.date(2025, 2, 28)]


# ---- item 9: group vs individual -----------------------------------------------------------------

def test_a_group_session_under_an_individual_mandate_is_not_delivered():
    """Individual (group_size 1) once a week: Sep 10 delivered individually, Sep 17 delivered in
    a group of 3 -> not counted as delivered: reported as delivered_in_group (wrong setting),
    not owed by default (a warning rule reports it)."""
    sessions = [_log("2024-09-10", group_size=1), _log("2024-09-17", group_size=3)]
    doc = _with({**WEEKLY, "group_size": 1}, sessions, {"start": "2024-09-09"})
    ledger = _ledger(doc, dt.date(2024, 9, 20))
    assert (ledger.delivered, ledger.missed_by_reason) == (1, {"delivered_in_group": 1})
    assert ledger.wrong_setting_dates == (dt.date(2024, 9, 17),) and ledger.owed_minutes == 0


# ---- item 7: the child's absences --------------------------------------------------------------

def test_the_childs_absences_are_counted_not_hidden():
    """W37 student absence, W38 delivered, W39 student unavailable, W40 delivered: 2 of 4
    sessions, 60 of 120 minutes = 50%; nothing owed."""
    sessions = [_log("2024-09-10", "missed", reason="student_absence"), _log("2024-09-17"),
                _log("2024-09-24", "missed", reason="student_unavailable"), _log("2024-10-01")]
    facts = _ledger(_with(WEEKLY, sessions, {"start": "2024-09-09"}), dt.date(2024, 10, 4)).facts()
    assert (facts["child_absences"], facts["child_absence_percent"], facts["owed_minutes"]) == (2, 50, 0)


# ---- policy and the chart ---------------------------------------------------------------------------

def test_policy_parameters_of_the_wrong_type_are_a_located_error():
    from iep_rules._errors import RuleFileError
    with pytest.raises(RuleFileError, match="makeup_owed_reasons: expected a list of reasons"):
        Policy.from_params({"makeup_owed_reasons": 7})
    with pytest.raises(RuleFileError, match="makeup_weekly_basis"):
        Policy.from_params({"makeup_weekly_basis": "mondays"})
    with pytest.raises(RuleFileError, match="state_complaint_limit_years: expected a whole number from 1"):
        Policy.from_params({"state_complaint_limit_years": 0})
    with pytest.raises(RuleFileError, match="makeup_undocumented_owed: expected true or false"):
        Policy.from_params({"makeup_undocumented_owed": "yes"})


def test_months_add_up_to_the_totals():
    """The chart's months carry the same figures as the table."""
    sessions = [*BASE["sessions"], _log("2024-11-22", "makeup", makeup_for="2024-10-21")]
    ledger = _ledger(_with(sessions=sessions), dt.date(2024, 12, 20))
    months = ledger.by_month()
    assert [m.month for m in months] == ["2024-10", "2024-11", "2024-12"]
    assert sum(m.expected_minutes for m in months) == ledger.expected_minutes
    assert sum(m.delivered_minutes for m in months) == ledger.delivered_minutes
    assert sum(m.missed_when_due_minutes for m in months) == ledger.missed_when_due_minutes
    assert sum(m.made_up_minutes for m in months) == ledger.made_up_minutes == 30
    assert sum(m.owed_minutes for m in months) == ledger.owed_minutes


def test_code_defaults_are_the_federal_parameters():
    """DEFAULT_POLICY (for callers without a rulebook) must say what parameters.yaml says."""
    from iep_rules import load_rulebook
    from iep_rules.facts._ledger import DEFAULT_POLICY
    values = load_rulebook().resolve("US").values_on(dt.date(2024, 11, 29))
    for name, value in DEFAULT_POLICY.items():
        assert (list(value) if isinstance(value, tuple) else value) == values[name], name


def test_a_window_clipped_to_the_as_of_date_is_still_open():
    """A timeline may clip an open window to the as-of date: as of Tue Sep 17 with a window
    ending that day, W38 has still not ended (expected 1, as in the Tuesday example); an IEP
    whose window is None accrues nothing."""
    case = _two_ieps()
    windows = [(dt.date(2024, 9, 9), dt.date(2024, 9, 17)), None]
    [a] = case_ledger(case, dt.date(2024, 9, 17), windows=windows)
    assert (a.iep_id, a.expected, a.end) == ("iep-2024", 1, dt.date(2025, 6, 26))  # its own end


def test_owed_items_past_the_complaint_window_are_marked():
    """As of 2025-10-25 the Oct 14 and Oct 21 2024 items are past their one-year window."""
    from iep_rules.facts._ledger import ledger_to_json
    from iep_rules.render._text import ledger_text
    ledger = _ledger(BASE, dt.date(2025, 10, 25))
    assert ledger_to_json(ledger)["owed_past_complaint_window"] == 2
    text = ledger_text([ledger])
    assert "2025-10-14 (passed: too late for a state complaint): 2024-10-14" in text
    assert "2025-11-04: 2024-11-04" in text


def test_a_minutes_mandate_shows_no_session_counts_it_does_not_have():
    """The table shows "-" for sessions where the mandate counts minutes (same case as the
    minutes example: 360 expected, 260 delivered in 6 sessions, 100 owed; the earliest owed
    item is W38's 40 undocumented minutes, due Fri Sep 20, so its window ends 2025-09-20)."""
    doc = _minutes_case()
    row = _ledger(doc, dt.date(2024, 9, 27)).table_row()
    assert row == ("- (360)", "6 (260)", "0", "- (100)", "0 (0)", "- (100)", "2025-09-20")


def test_the_facts_rules_read_are_the_declared_ones():
    from iep_rules.facts._ledger import LEDGER_FACTS_DECLARED
    facts = _ledger(BASE, dt.date(2024, 11, 29)).facts()
    assert set(facts) - {"$path"} == {name for name, _, _ in LEDGER_FACTS_DECLARED}


@pytest.mark.parametrize(("policy", "owed"), [({}, 1), (FIXED_DAYS, 0)])
def test_a_logged_closure_the_calendar_does_not_know(policy, owed):
    """Mon+Thu mandate; Mon Oct 7 logged missed for a school closure the calendar does not
    list (W41 expects 2: Oct 10 delivered, Oct 7 missed). Owed under the frequency basis; not
    under fixed_days without makeup_closure_on_fixed_day_owed (the first edition's reading)."""
    sessions = [_log("2024-10-07", "missed", reason="school_closure"), _log("2024-10-10")]
    ledger = _ledger(_with(sessions=sessions), dt.date(2024, 10, 11), **policy)
    assert (ledger.expected, ledger.owed_sessions) == (2, owed)
