"""Bounded work on hostile cases (issue 13, the schedule's share). The fixtures are copies of
/work/shared/repro files: a closure running to the year 9999, daily frequencies of 10^7 and
10^19, a capitalised weekday. Their cost is measured in bench/, not here; these tests check
the results (clipped dates, located errors) that make the work bounded."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from iep_rules import case_from_mapping
from iep_rules._errors import CaseError
from iep_rules.case._records import MAX_SESSION_MINUTES, FrequencyUnit, SchoolCalendar
from iep_rules.facts._ledger import case_ledger, school_days_for
from iep_rules.facts._schedule import SchoolDays, periods

FIXTURES = Path(__file__).parent / "fixtures"


def _doc(name):
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


def test_a_closure_running_to_9999_is_clipped_to_its_school_year():
    """School year 2024-09-01 .. 2025-06-30, closed from 2024-10-01 to 9999-12-31: the closed
    days are the weekdays Tue Oct 1 2024 .. Mon Jun 30 2025 only (Oct 1 .. Jun 23 is 38 weeks =
    190 weekdays, plus Jun 24-27 and Jun 30 = 195), the open ones Sep 2 .. Sep 30 (21)."""
    case = case_from_mapping(_doc("case-closure-centuries.json"))
    days = school_days_for(case, dt.date(2025, 6, 1))
    assert (len(days.open_days), days.open_days[-1]) == (21, dt.date(2024, 9, 30))
    assert len(days.closed) == 195 and max(days.closed) == dt.date(2025, 6, 30)


def test_the_closure_case_with_a_mandate_gives_a_ledger():
    """The same case with a weekly mandate: only September has school (W36..W40: Sep 2-6,
    9-13, 16-20, 23-27, Sep 30) so five weeks expect one session each; none logged."""
    doc = _doc("case-closure-centuries.json")
    doc["ieps"][0].update({"start": "2024-09-02", "end": "2025-06-30"})
    doc["ieps"][0]["services"][0].update({"frequency": {"times": 1, "per": "week"},
                                          "duration_minutes": 30})
    doc["sessions"] = []  # recorded and empty (an absent log may be unknown)
    [ledger] = case_ledger(case_from_mapping(doc), dt.date(2025, 6, 30))
    assert (ledger.expected, ledger.undocumented) == (5, 5)


def test_a_calendar_running_to_9999_is_read_only_near_the_as_of_date():
    """A school year claimed to run 2024-09-02 .. 9999-12-31: the ledger reads school days only
    to 400 days past the as-of date."""
    cal = SchoolCalendar(dt.date(2024, 9, 2), dt.date(9999, 12, 31))
    days = SchoolDays.build([cal], dt.date(2024, 9, 2), dt.date(2025, 1, 31))
    assert days.open_days[-1] == dt.date(2025, 1, 31) and len(days.open_days) == 110


def test_dates_at_the_end_of_the_calendar_do_not_overflow():
    """Periods and complaint dates saturate at 9999-12-31 instead of raising."""
    last = dt.date(9999, 12, 31)
    months = periods(FrequencyUnit.MONTH, dt.date(9999, 12, 1), dt.date(9999, 12, 1), last)
    assert [p.label for p in months] == ["9999-12"]
    doc = {"id": "c", "jurisdiction": "US", "student": {"id": "s"},
           "calendars": [{"year_start": "9999-09-01", "year_end": "9999-12-31"}],
           "ieps": [{"id": "i", "start": "9999-12-01", "services": [
               {"id": "x", "name": "speech", "frequency": {"times": 1, "per": "year"},
                "duration_minutes": 30}]}],
           "sessions": [{"date": "9999-12-01", "service": "x", "status": "missed",
                         "reason": "provider_absence"}]}
    [ledger] = case_ledger(case_from_mapping(doc), last)
    assert ledger.owed[0].complaint_deadline == last


@pytest.mark.parametrize("name", ["case-daily-frequency-memory.json",
                                  "case-daily-frequency-overflow.json"])
def test_a_huge_frequency_is_refused_where_it_is(name):
    with pytest.raises(CaseError) as err:
        case_from_mapping(_doc(name), source=name)
    [problem] = err.value.problems
    # 10**19 is past the general integer limit (2**53 - 1) checked before any record
    # structures; 10**7 reaches the frequency's own maximum.
    assert problem.location.startswith("$.ieps[0].services[0].frequency")
    assert ("at most 24 sessions per day" in problem.message
            or "integer out of range" in problem.message)


def test_an_amount_longer_than_its_period_is_refused():
    """2 sessions a day of 1000 minutes = 2000 minutes, more than a day holds (1440)."""
    doc = _doc("case-daily-frequency-memory.json")
    doc["ieps"][0]["services"][0].update({"frequency": {"times": 2, "per": "day"},
                                          "duration_minutes": 1000})
    with pytest.raises(CaseError, match="2000 minutes per day is more than the period holds"):
        case_from_mapping(doc)


def test_a_session_longer_than_a_day_is_refused():
    doc = _doc("case-daily-frequency-memory.json")
    doc["ieps"][0]["services"][0].update({"frequency": {"times": 1, "per": "week"},
                                          "duration_minutes": MAX_SESSION_MINUTES + 1})
    with pytest.raises(CaseError, match=r"services\[0\]"):
        case_from_mapping(doc)


def test_a_capitalised_weekday_never_reaches_the_schedule_unchecked():
    """"Monday" is either refused at the service with a located error, or read as "monday"
    (the reliability work normalises letter case); the ledger never sees an unknown name.
    Read as "monday": once a week from Thu Sep 5 to Fri Oct 4 is W36 (Sep 5-6) .. W40 = 5."""
    try:
        case = case_from_mapping(_doc("case-weekday-capitalised.json"))
    except CaseError as err:
        [problem] = err.problems
        assert problem.location.startswith("$.ieps[0].services[0]")
        assert "Monday" in problem.message
    else:
        assert case.ieps[0].services[0].weekdays == ("monday",)
        assert case_ledger(case, dt.date(2024, 10, 4))[0].expected == 5


def test_an_unknown_miss_reason_is_a_located_error():
    doc = _doc("case-weekday-capitalised.json")
    doc["ieps"][0]["services"][0]["weekdays"] = ["monday"]
    doc["sessions"] = [{"date": "2024-09-09", "service": "x", "status": "missed",
                        "reason": "sick"}]
    with pytest.raises(CaseError) as err:
        case_from_mapping(doc)
    assert err.value.problems[0].location == "$.sessions[0].reason"
