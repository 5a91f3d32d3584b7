"""The compliance calendar (issue 18): hand-computed due dates, and agreement with the rules.

Every expected date below was counted by hand (comments show the count); the calendar must
produce it from the rules' `due:` declarations, and the rule itself must stay silent on the due
date and fire on the entry's `overdue_from` day.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from iep_rules import Deadline, case_from_mapping, deadlines, evaluate
from iep_rules.engine._deadlines import due_soon_findings, within_days

D = dt.date


def case(**fields: Any) -> Any:
    doc: dict[str, Any] = {"id": "c-1", "jurisdiction": "US", "student": {"id": "s1"}}
    doc.update(fields)
    return case_from_mapping(doc)


def entries(book: Any, c: Any, as_of: dt.date, within: int = 400,
            jurisdiction: str | None = None) -> dict[str, Deadline]:
    cal = deadlines(book, c, as_of=as_of, within=within, jurisdiction=jurisdiction)
    return {d.rule_id: d for d in cal.deadlines}


def fired(book: Any, c: Any, day: dt.date, rule_id: str, subject: str = "$") -> str | None:
    """Severity of the rule's finding on the item on `day`, or None if silent."""
    report = evaluate(book, c, as_of=day)
    return next((f.severity for f in report.findings
                 if f.rule_id == rule_id and f.subject == subject), None)


def reviewed(meeting: str, start: str, end: str, **extra: Any) -> Any:
    return case(meetings=[], eligibility=[{"date": "2020-01-10", "outcome": "eligible"}],
                ieps=[{"id": "i1", "meeting_date": meeting, "start": start, "end": end}], **extra)


ANNUAL = "idea.timeline.annual-review-overdue"
REEVAL = "idea.timeline.reevaluation-overdue"
INITIAL_EVAL = "idea.timeline.initial-evaluation-late"
FIRST_IEP = "idea.timeline.iep-meeting-after-eligibility"
TRANSITION = "idea.iep.transition-services"
MDR = "idea.discipline.manifestation-determination-late"
NY_ARRANGED = "nys.implementation.services-not-arranged-in-time"


# ---- month ends and leap days -----------------------------------------------------------

@pytest.mark.parametrize(("meeting", "due"), [
    ("2024-01-31", D(2025, 1, 31)),   # 12 months from a 31st: the same day
    ("2024-02-29", D(2025, 2, 28)),   # a leap day: 12 months later is the last day of February
    ("2023-03-31", D(2024, 3, 31)),
    ("2023-12-31", D(2024, 12, 31)),
])
def test_annual_review_due_dates_at_month_ends_and_leap_days(rulebook: Any, meeting: str,
                                                              due: dt.date) -> None:
    c = reviewed(meeting, meeting, (due + dt.timedelta(days=60)).isoformat())
    got = entries(rulebook, c, due - dt.timedelta(days=20))[ANNUAL]
    assert got.due == due
    assert got.overdue_from == due + dt.timedelta(days=1)
    assert ("case.last_annual_review", None, D.fromisoformat(meeting)) in [
        (e.fact, e.path, e.value) for e in got.computed_from]
    assert fired(rulebook, c, due, ANNUAL) is None
    assert fired(rulebook, c, due + dt.timedelta(days=1), ANNUAL) == "violation"


def test_initial_evaluation_sixty_days_across_a_leap_february(rulebook: Any) -> None:
    # consent 2024-01-01: Jan has 30 more days (-> Jan 31), Feb 29 (-> Feb 29), 1 more: Mar 1
    leap = case(evaluations=[{"kind": "initial", "consent_date": "2024-01-01"}])
    got = entries(rulebook, leap, D(2024, 2, 1))[INITIAL_EVAL]
    assert got.due == D(2024, 3, 1)
    assert got.subject == "$.evaluations[0]"
    # the same consent date a year earlier: February has 28 days, so Mar 2
    common = case(evaluations=[{"kind": "initial", "consent_date": "2023-01-01"}])
    assert entries(rulebook, common, D(2023, 2, 1))[INITIAL_EVAL].due == D(2023, 3, 2)
    assert fired(rulebook, leap, D(2024, 3, 1), INITIAL_EVAL, "$.evaluations[0]") is None
    assert fired(rulebook, leap, D(2024, 3, 2), INITIAL_EVAL, "$.evaluations[0]") == "violation"


def test_initial_evaluation_uses_new_yorks_parameter(rulebook: Any) -> None:
    ny = case_from_mapping({"id": "c-ny", "jurisdiction": "US-NY", "student": {"id": "s1"},
                            "evaluations": [{"kind": "initial", "consent_date": "2024-09-16"}]})
    got = entries(rulebook, ny, D(2024, 10, 1))[INITIAL_EVAL]
    assert got.due == D(2024, 11, 15)  # Sep 16 + 14 = Sep 30, + 31 = Oct 31, + 15 = Nov 15
    assert any(c.authority == "8 NYCRR 200.4(b)(1)" for c in got.citations)
    assert ("param.initial_evaluation_deadline_days", 60) in [
        (e.fact, e.value) for e in got.computed_from]


def test_completed_evaluation_is_not_on_the_calendar(rulebook: Any) -> None:
    done = case(evaluations=[{"kind": "initial", "consent_date": "2024-01-01",
                              "completed": "2024-02-10"}])
    assert INITIAL_EVAL not in entries(rulebook, done, D(2024, 2, 15))


def test_first_iep_meeting_thirty_days_after_initial_eligibility(rulebook: Any) -> None:
    # eligible 2024-01-31: + 29 = Feb 29 (leap), + 1 = Mar 1
    c = case(meetings=[], ieps=[],
             evaluations=[{"kind": "initial", "consent_date": "2023-12-01",
                           "completed": "2024-01-20"}],
             eligibility=[{"date": "2024-01-31", "outcome": "eligible"}])
    got = entries(rulebook, c, D(2024, 2, 10))[FIRST_IEP]
    assert got.due == D(2024, 3, 1)
    assert got.subject == "$.eligibility[0]"
    assert fired(rulebook, c, D(2024, 3, 1), FIRST_IEP, "$.eligibility[0]") is None
    assert fired(rulebook, c, D(2024, 3, 2), FIRST_IEP, "$.eligibility[0]") == "violation"


def test_continuing_eligibility_starts_no_first_iep_deadline(rulebook: Any) -> None:
    c = case(meetings=[], agreements=[],
             evaluations=[{"kind": "initial", "completed": "2021-01-20"},
                          {"kind": "reevaluation", "completed": "2024-01-05"}],
             eligibility=[{"date": "2021-02-01", "outcome": "eligible"},
                          {"date": "2024-01-12", "outcome": "eligible"}],
             ieps=[{"id": "i1", "meeting_date": "2023-12-01", "start": "2023-12-04",
                    "end": "2024-12-03"}])
    assert FIRST_IEP not in entries(rulebook, c, D(2024, 1, 13))


# ---- reevaluation: the three-year date and the earliest date without agreement ------------

def test_reevaluation_due_and_earliest_from_a_month_end(rulebook: Any) -> None:
    c = case(agreements=[], evaluations=[{"kind": "initial", "completed": "2021-11-30"}],
             eligibility=[{"date": "2021-12-10", "outcome": "eligible"}])
    got = entries(rulebook, c, D(2024, 10, 1))[REEVAL]
    assert got.due == D(2024, 11, 30)       # 36 months after Nov 30
    assert got.earliest == D(2022, 11, 30)  # 12 months after the last district evaluation
    assert fired(rulebook, c, D(2024, 11, 30), REEVAL) is None
    assert fired(rulebook, c, D(2024, 12, 1), REEVAL) == "violation"


def test_a_waiver_moves_the_reevaluation_date(rulebook: Any) -> None:
    # agreement that a reevaluation is unnecessary: the next period starts at the waived due
    # date (reevaluation_waiver_restart = due_date): 2024-01-10 + 36 months = 2027-01-10
    c = case(evaluations=[{"kind": "initial", "completed": "2021-01-10"}],
             eligibility=[{"date": "2021-01-20", "outcome": "eligible"}],
             agreements=[{"date": "2023-12-01", "kind": "reevaluation_unnecessary"}])
    assert entries(rulebook, c, D(2026, 12, 1))[REEVAL].due == D(2027, 1, 10)


# ---- the timeline: a replaced IEP, an amendment, a revocation -----------------------------

def test_an_amendment_does_not_move_the_annual_review(rulebook: Any) -> None:
    c = case(eligibility=[{"date": "2023-01-10", "outcome": "eligible"}],
             meetings=[{"date": "2024-01-20", "purpose": "annual_review"},
                       {"date": "2024-11-04", "purpose": "amendment"}],
             ieps=[{"id": "i1", "meeting_date": "2024-01-20", "start": "2024-02-01",
                    "end": "2025-01-19", "purpose": "annual_review"},
                   {"id": "i1-amended", "meeting_date": "2024-11-04", "start": "2024-11-06",
                    "end": "2025-01-19", "purpose": "amendment"}])
    assert entries(rulebook, c, D(2024, 12, 1))[ANNUAL].due == D(2025, 1, 20)


def test_a_replacing_iep_restarts_the_annual_review(rulebook: Any) -> None:
    c = case(meetings=[], eligibility=[{"date": "2022-01-10", "outcome": "eligible"}],
             ieps=[{"id": "i1", "meeting_date": "2023-05-10", "start": "2023-05-15",
                    "end": "2024-05-14"},
                   {"id": "i2", "meeting_date": "2024-04-30", "start": "2024-05-06",
                    "end": "2025-05-05"}])
    assert entries(rulebook, c, D(2024, 6, 1))[ANNUAL].due == D(2025, 4, 30)


def test_a_written_revocation_ends_every_clock(rulebook: Any) -> None:
    history: dict[str, Any] = dict(
             meetings=[], agreements=[],
             evaluations=[{"kind": "initial", "completed": "2022-01-10"}],
             eligibility=[{"date": "2022-01-20", "outcome": "eligible"}],
             consents=[{"kind": "initial_services", "date": "2022-02-01", "response": "given",
                        "written": True},
                       {"kind": "initial_services", "date": "2024-03-04", "response": "revoked",
                        "written": True, "prior_written_notice_date": "2024-03-06",
                        "services_cease": "2024-03-15"}],
             ieps=[{"id": "i1", "meeting_date": "2023-10-20", "start": "2023-11-01",
                    "end": "2024-10-31"}])
    consents = history.pop("consents")
    before = entries(rulebook, case(**history, consents=consents[:1]), D(2024, 2, 1), within=1200)
    assert before[ANNUAL].due == D(2024, 10, 20) and before[REEVAL].due == D(2025, 1, 10)
    after = entries(rulebook, case(**history, consents=consents), D(2024, 4, 1), within=1200)
    assert ANNUAL not in after and REEVAL not in after


def test_transition_deadline_for_the_iep_in_effect_and_not_for_a_replaced_one(rulebook: Any) -> None:
    c = case(student={"id": "s1", "date_of_birth": "2009-02-28"},
             eligibility=[{"date": "2020-01-10", "outcome": "eligible"}],
             ieps=[{"id": "i1", "meeting_date": "2024-04-25", "start": "2024-05-02",
                    "end": "2025-02-20"}])
    got = entries(rulebook, c, D(2024, 12, 1), within=120)[TRANSITION]
    assert got.due == D(2025, 2, 28)  # the 16th birthday
    assert got.subject == "$.ieps[0]" and got.overdue_from is None
    # New York: the 15th birthday, 2024-02-28, is already past; the IEP in effect ran past it
    # without a plan, so the rule fires now and nothing is "upcoming"
    replaced = case(student={"id": "s1", "date_of_birth": "2009-02-28"},
                    eligibility=[{"date": "2020-01-10", "outcome": "eligible"}],
                    ieps=[{"id": "i1", "meeting_date": "2024-04-25", "start": "2024-05-02",
                           "end": "2025-02-20"},
                          {"id": "i2", "meeting_date": "2024-11-20", "start": "2025-01-06",
                           "end": "2026-01-05",
                           "transition": {"postsecondary_goals": ["college"],
                                          "services": ["career assessment"]}}])
    assert TRANSITION not in entries(rulebook, replaced, D(2024, 12, 1), within=120)


# ---- school days: closures ----------------------------------------------------------------

def test_manifestation_review_counted_in_school_days_around_a_closure(rulebook: Any) -> None:
    # decision Friday 2024-10-04; school days after it: Oct 7-11 (5), Oct 14 closed,
    # Oct 15-18 (9), Mon Oct 21 (10): due 2024-10-21, late from the next school day, Oct 22
    c = case(calendars=[{"year_start": "2024-09-04", "year_end": "2025-06-26",
                         "closures": [{"start": "2024-10-14", "end": "2024-10-14"}]}],
             removals=[{"start": "2024-10-01", "end": "2024-10-25", "change_of_placement": True,
                        "kind": "out_of_school_suspension", "decision_date": "2024-10-04"}])
    got = entries(rulebook, c, D(2024, 10, 7))[MDR]
    assert got.due == D(2024, 10, 21)
    assert got.subject == "$.removals[0]"
    assert any(e.fact == "calendars" for e in got.computed_from)
    # the record says no review was held: the rule is silent through the 10th school day and
    # fires from the 11th (the calendar's date and the rule's day count agree)
    none_held = case(calendars=[{"year_start": "2024-09-04", "year_end": "2025-06-26",
                                 "closures": [{"start": "2024-10-14", "end": "2024-10-14"}]}],
                     removals=[{"start": "2024-10-01", "end": "2024-10-25",
                                "change_of_placement": True, "kind": "out_of_school_suspension",
                                "decision_date": "2024-10-04", "manifestation": {"held": False}}])
    assert entries(rulebook, none_held, D(2024, 10, 7))[MDR].due == D(2024, 10, 21)
    assert fired(rulebook, none_held, D(2024, 10, 21), MDR, "$.removals[0]") is None
    assert fired(rulebook, none_held, D(2024, 10, 22), MDR, "$.removals[0]") == "violation"
    # a review dated on the 10th school day takes it off the calendar and is on time
    held = case(calendars=[{"year_start": "2024-09-04", "year_end": "2025-06-26",
                            "closures": [{"start": "2024-10-14", "end": "2024-10-14"}]}],
                removals=[{"start": "2024-10-01", "end": "2024-10-25", "change_of_placement": True,
                           "kind": "out_of_school_suspension", "decision_date": "2024-10-04",
                           "manifestation": {"date": "2024-10-21",
                                             "caused_by_disability": False,
                                             "iep_not_implemented": False}}])
    assert MDR not in entries(rulebook, held, D(2024, 10, 7))
    assert fired(rulebook, held, D(2024, 11, 1), MDR, "$.removals[0]") is None


def test_new_york_services_arranged_in_school_days(rulebook: Any) -> None:
    # New York: 60 school days from consent to evaluate. Consent Tue 2024-10-01; closed Oct 14,
    # Nov 11, Nov 27-29 and Dec 23-Jan 1. School days after it: Oct 2-4 (3), Oct 7-11 (8),
    # Oct 15-18 (12), Oct 21-25 (17), Oct 28-31 (21), Nov 1 (22), Nov 4-8 (27), Nov 12-15 (31),
    # Nov 18-22 (36), Nov 25-26 (38), Dec 2-6 (43), Dec 9-13 (48), Dec 16-20 (53), Jan 2-3 (55),
    # Jan 6-10 (60): due Fri 2025-01-10; late from the next school day, Mon 2025-01-13
    c = case_from_mapping({
        "id": "c-ny", "jurisdiction": "US-NY", "student": {"id": "s1"},
        "calendars": [{"year_start": "2024-09-05", "year_end": "2025-06-26",
                       "closures": [{"start": "2024-10-14", "end": "2024-10-14"},
                                    {"start": "2024-11-11", "end": "2024-11-11"},
                                    {"start": "2024-11-27", "end": "2024-11-29"},
                                    {"start": "2024-12-23", "end": "2025-01-01"}]}],
        "consents": [{"kind": "initial_evaluation", "date": "2024-10-01", "response": "given",
                      "written": True},
                     {"kind": "initial_services", "date": "2024-10-28", "response": "given",
                      "written": True}],
        "evaluations": [{"kind": "initial", "consent_date": "2024-10-01",
                         "completed": "2024-10-20"}],
        "eligibility": [{"date": "2024-10-24", "outcome": "eligible"}],
        "ieps": [{"id": "i1", "meeting_date": "2024-10-24",
                  "services": [{"id": "sv1", "name": "resource room", "start": "2025-01-21"}]}]})
    got = entries(rulebook, c, D(2024, 12, 1))[NY_ARRANGED]
    assert got.due == D(2025, 1, 10)
    assert got.overdue_from == D(2025, 1, 13)
    assert fired(rulebook, c, D(2025, 1, 10), NY_ARRANGED) is None
    assert fired(rulebook, c, D(2025, 1, 12), NY_ARRANGED) is None  # a Sunday: still 60
    assert fired(rulebook, c, D(2025, 1, 13), NY_ARRANGED) == "violation"


# ---- owed sessions: make-up and the complaint window ----------------------------------------

def test_owed_sessions_give_makeup_and_complaint_window_dates(rulebook: Any) -> None:
    from iep_rules import load_case

    c = load_case("examples/ledger-speech.json")
    cal = deadlines(rulebook, c, as_of=D(2024, 11, 29), within=400)
    makeup = [d for d in cal.deadlines if d.rule_id == "idea.makeup.still-owed"]
    windows = [d for d in cal.deadlines if d.rule_id == "param.state_complaint_limit_years"]
    assert [d.due for d in makeup] == [D(2025, 6, 26)]  # the school year's last day on file
    report = evaluate(rulebook, c, as_of=D(2024, 11, 29))
    owed = {s.due for lg in report.ledger for s in lg.owed}
    # one window per owed date, a year later (34 CFR 300.153(c))
    assert {d.due for d in windows} == {D(o.year + 1, o.month, o.day) for o in owed}
    assert all(any(x.authority == "34 CFR 300.153(c)" for x in d.citations) for d in windows)


# ---- due-soon notices -------------------------------------------------------------------------

def test_due_soon_notice_within_the_policy_window_only(rulebook: Any) -> None:
    c = reviewed("2024-01-31", "2024-01-31", "2025-03-01")
    assert due_soon_findings(rulebook, c, as_of=D(2024, 12, 31)) == []  # 31 days ahead
    soon = due_soon_findings(rulebook, c, as_of=D(2025, 1, 1))            # 30 days ahead
    assert [(f.rule_id, f.severity) for f in soon] == [(ANNUAL, "notice")]
    assert "2025-01-31" in soon[0].message


def test_within_accepts_days_and_weeks_and_rejects_the_rest() -> None:
    assert within_days("60d") == 60 and within_days("8w") == 56 and within_days(7) == 7
    assert within_days(dt.timedelta(days=3)) == 3
    for bad in ("sixty", "-5d", "5m", ""):
        with pytest.raises(ValueError):
            within_days(bad)
