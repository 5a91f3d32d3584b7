"""Investigator histories: invented children's files over several school years, reviewed at the
dates a state complaint investigator would pick, where a bag-of-records reading gets the law
wrong. Each case file is in tests/histories/ (docs/rule-review.md, "Histories", says what each
one probes and what an investigator would conclude). Every check runs on both backends."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from iep_rules import evaluate, load_case

HISTORIES = Path("tests/histories")
BACKENDS = ["python", pytest.param("durable", marks=pytest.mark.durable)]
NYC = "US-NY-NYC"
D = dt.date.fromisoformat


def raw(name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((HISTORIES / f"{name}.json").read_text(encoding="utf-8"))
    return data


def review(rulebook: Any, case: dict[str, Any] | str, as_of: str, backend: str = "python",
           jurisdiction: str = NYC) -> Any:
    loaded = load_case(HISTORIES / f"{case}.json") if isinstance(case, str) else load_case(case)
    return evaluate(rulebook, loaded, as_of=D(as_of), jurisdiction=jurisdiction, backend=backend)


def found(report: Any, prefix: str = "") -> set[tuple[str, str, str]]:
    return {(f.rule_id, f.subject, str(f.severity)) for f in report.findings
            if f.rule_id.startswith(prefix)}


# ---- H1: amended mid-year, replaced at the review; the review rescheduled by the parent -----

H1 = "h1-amend-reschedule"


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_review_the_parent_asked_to_move_is_a_warning_not_a_violation(rulebook, backend):
    # Last review 2023-03-27, due 2024-03-27; on 2024-03-11 the parent asked to reschedule and
    # the review was held on 2024-04-08. Reviewed on 2024-04-02 (six days late):
    report = review(rulebook, H1, "2024-04-02", backend)
    assert {(r, s) for r, s, _ in found(report, "idea.timeline")} | {
        (r, s) for r, s, _ in found(report, "idea.placement")} == {
        ("idea.timeline.annual-review-postponed-by-parent", "$")}


@pytest.mark.parametrize("backend", BACKENDS)
def test_without_the_parents_request_the_same_delay_is_a_violation(rulebook, backend):
    case = raw(H1)
    case["parent_requests"] = []
    report = review(rulebook, case, "2024-04-02", backend)
    assert {(r, s) for r, s, _ in found(report, "idea.timeline")} == {
        ("idea.timeline.annual-review-overdue", "$")}
    assert ("idea.placement.annual", "$", "violation") in found(report)
    overdue = next(f for f in report.findings if f.rule_id == "idea.timeline.annual-review-overdue")
    # no amendment since the 2023 review: the amendment paragraph is not cited
    assert "34 CFR 300.324(a)(4)(i)" not in [c.authority for c in overdue.citations]


def test_past_the_postponement_window_the_review_is_overdue_again(rulebook):
    case = raw(H1)
    case["meetings"] = [m for m in case["meetings"] if m["date"] != "2024-04-08"]
    case["ieps"] = [i for i in case["ieps"] if i["meeting_date"] < "2024-04-01"]
    assert ("idea.timeline.annual-review-overdue", "$", "violation") in found(
        review(rulebook, case, "2024-05-15"))
    assert ("idea.timeline.annual-review-postponed-by-parent", "$", "warning") in found(
        review(rulebook, case, "2024-04-20"))


def test_the_amendment_paragraph_is_cited_only_after_an_amendment(rulebook):
    # The 2021 review is removed: on 2021-05-01 the last review is 2020-04-20, and the
    # 2020-11-10 amendment came after it (an amendment is not the annual review).
    case = raw(H1)
    case["meetings"] = [m for m in case["meetings"] if m["date"] != "2021-04-12"]
    case["ieps"] = [i for i in case["ieps"] if i["id"] != "iep-2021"]
    report = review(rulebook, case, "2021-05-01")
    overdue = next(f for f in report.findings if f.rule_id == "idea.timeline.annual-review-overdue")
    assert "34 CFR 300.324(a)(4)(i)" in [c.authority for c in overdue.citations]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2020-12-15", "2021-06-01", "2024-05-01", "2025-06-15"])
def test_h1_has_no_timeline_consent_or_placement_finding(rulebook, as_of, backend):
    """After the amendment (the review clock is not reset, and nothing is late), after the
    rescheduled review, and after the reevaluation waived by agreement in 2022 and done in 2025
    (consent refused in 2019, given later, covers only the initial evaluation)."""
    report = review(rulebook, H1, as_of, backend)
    assert {f for f in found(report) if f[0].split(".")[1] in
            {"timeline", "consent", "placement", "evaluation", "team", "notice"}} == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_start_before_the_recorded_calendar_is_not_called_late(rulebook, backend):
    """iep-2023's service starts 2023-04-04; the file's calendars and session log begin with
    the 2023-24 year (2023-09-07, the first session's day). Nothing on file shows whether
    sessions were owed or given from April to June 2023: no late start is claimed. The same
    service starting on the first day of that year and first given three weeks later is late."""
    assert found(review(rulebook, H1, "2024-05-01", backend), "idea.makeup.late-start") == set()
    case = raw(H1)
    case["ieps"][5]["services"][0]["start"] = "2023-09-07"
    case["sessions"] = [s for s in case["sessions"]
                        if not (s["service"] == "rs-2023" and s["date"] < "2023-09-28")]
    report = review(rulebook, case, "2024-05-01", backend)
    (late,) = [f for f in report.findings if f.rule_id == "idea.makeup.late-start"]
    assert "2023-09-07" in late.message and " 21 days later" in late.message


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_monday_notice_reads_only_the_iep_in_effect(rulebook, backend):
    """iep-2020a (Monday sessions) was in effect from 2020-11-16 until iep-2021 replaced it on
    2021-04-19: the notice applies to it in December 2020, not after it was replaced."""
    assert ("idea.makeup.monday-friday-without-provision", "$.ieps[2].services[0]", "notice") in (
        found(review(rulebook, H1, "2020-12-15", backend)))
    for as_of in ("2021-06-01", "2024-05-01", "2025-06-15"):
        assert found(review(rulebook, H1, as_of, backend), "idea.makeup.monday") == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_late_review_is_reported_once_not_again_as_a_year_without_an_iep(rulebook, backend):
    """No review after 2023-03-27 (and no parent request): iep-2023's recorded end
    (2024-03-26) passes and the 2024-09-05 school year starts without a new IEP. While the
    review is overdue, that is one finding (the review), not two. Once a review is held late
    (2024-10-15), the overdue finding gives way to the held-late one, still one finding."""
    case = raw(H1)
    case["parent_requests"] = []
    case["meetings"] = [m for m in case["meetings"] if m["date"] < "2024-04-01"]
    case["ieps"] = [i for i in case["ieps"] if i["meeting_date"] < "2024-04-01"]
    report = review(rulebook, case, "2024-10-01", backend)
    assert {(r, s) for r, s, _ in found(report, "idea.timeline")} == {
        ("idea.timeline.annual-review-overdue", "$")}
    case["meetings"].append({"date": "2024-10-15", "purpose": "annual_review",
                             "attendees": ["parent", "special_education_teacher"]})
    case["ieps"].append({"id": "iep-2024", "purpose": "annual_review", "meeting_date": "2024-10-15",
                         "start": "2024-10-21", "end": "2025-10-14"})
    report = review(rulebook, case, "2024-11-01", backend)
    assert {(r, s) for r, s, _ in found(report, "idea.timeline")} == {
        ("idea.timeline.annual-review-held-late", "$")}
    (late,) = [f for f in report.findings if f.rule_id == "idea.timeline.annual-review-held-late"]
    assert "held 2024-10-15, due 2024-03-27" in late.message


# ---- H2: arrives from another state mid-year; three short suspensions ---------------------

H2 = "h2-interstate-transfer-discipline"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2023-02-15", "2023-11-20", "2024-02-01"])
def test_h2_transfer_and_short_suspensions_need_nothing(rulebook, as_of, backend):
    """Comparable services from the day after enrolment; a district evaluation with consent;
    12 school days of short suspensions, the district decided no pattern, services from the
    eleventh day: nothing to report, and no needs-data for removals that had no manifestation
    review (none was needed) or for the not-eligible notice before any decision here."""
    report = review(rulebook, H2, as_of, backend)
    assert {f for f in found(report) if f[2] != "notice"} == set()


def test_h2_without_services_after_the_tenth_day_is_a_violation(rulebook):
    case = raw(H2)
    case["removals"][2]["services_provided"] = False
    assert ("idea.discipline.no-services-after-tenth-day", "$.removals[2]", "violation") in found(
        review(rulebook, case, "2024-02-01"))


def test_h2_with_no_pattern_decision_recorded_is_a_notice(rulebook):
    case = raw(H2)
    del case["removals"][2]["change_of_placement"]
    assert ("idea.discipline.pattern-not-decided", "$.removals[2]", "notice") in found(
        review(rulebook, case, "2024-02-01"))


# ---- H3: moves away, comes back from another NY district, graduates -----------------------

H3 = "h3-move-return-graduate"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2021-03-01", "2021-12-01", "2024-11-15", "2026-03-01"])
def test_h3_exits_silence_later_clocks(rulebook, as_of, backend):
    assert found(review(rulebook, H3, as_of, backend)) == set()


def test_h3_after_the_return_the_reevaluation_clock_is_not_on_file(rulebook):
    # The earlier episode's evaluation does not start the new episode's clock, and the other
    # district's evaluations are not in the file: needs-data, never a violation.
    assert found(review(rulebook, H3, "2022-03-15")) == {
        ("idea.timeline.reevaluation-overdue", "$", "needs-data")}


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_clock_runs_from_the_day_before_the_22nd_birthday(rulebook, backend):
    """No exit recorded and no review since 2024-10-28: overdue while the student is 21, and
    nothing owed once FAPE has ended (34 CFR 300.101(a): ages 3 through 21)."""
    case = raw(H3)
    case["exits"] = [case["exits"][0]]  # the 2021 move only; no graduation recorded
    case["student"]["date_of_birth"] = "2004-01-20"  # 22 on 2026-01-20
    assert ("idea.timeline.annual-review-overdue", "$", "violation") in found(
        review(rulebook, case, "2026-01-18", backend))
    assert found(review(rulebook, case, "2026-01-19", backend), "idea.timeline") == set()


# ---- H4: born on 29 February; evaluation over the summer; IEPs written before September ---

H4 = "h4-leap-summer"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2022-07-15", "2022-09-01", "2023-02-28", "2023-09-15",
                                   "2025-07-01", "2025-09-20"])
def test_h4_summer_evaluations_and_pre_year_ieps_are_compliant(rulebook, as_of, backend):
    report = review(rulebook, H4, as_of, backend)
    assert {f for f in found(report) if f[2] != "notice"} == set()


@pytest.mark.parametrize(("end", "fires"), [("2023-02-28", True), ("2023-02-27", False)])
def test_leap_day_child_turns_15_on_28_february(rulebook, end, fires):
    """The library's convention (docs/timeline.md, "Leap-day birthdays"): born 2008-02-29, the
    child is 15 on 2023-02-28, so an IEP in effect that day needs the New York transition plan;
    one ending the day before does not. Federal law (age 16) asks for none in either case."""
    case = raw(H4)
    case["ieps"][0].pop("transition")
    case["ieps"][0]["end"] = end
    case["ieps"][0]["services"][0]["end"] = end
    ny = ("idea.iep.transition-services", "$.ieps[0]", "violation") in found(
        review(rulebook, case, "2023-03-05"))
    assert ny is fires
    assert found(review(rulebook, case, "2023-03-05", jurisdiction="US"),
                 "idea.iep.transition") == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_an_iep_written_after_the_review_date_is_not_judged(rulebook, backend):
    """Reviewed as of 2023-01-01, the 2025 IEP (met 2025-05-27) does not exist yet: its missing
    goals and transition plan are not findings on that date, and are on a date after it."""
    case = copy.deepcopy(raw(H4))
    case["ieps"][3]["goals"] = []
    case["ieps"][3].pop("transition")
    assert {f for f in found(review(rulebook, case, "2023-01-01", backend))
            if f[1].startswith("$.ieps[3]")} == set()
    later = found(review(rulebook, case, "2025-06-01", backend))
    assert ("idea.iep.measurable-goals", "$.ieps[3]", "violation") in later


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_missing_quarterly_report_is_named_by_its_own_date(rulebook, backend):
    """January's report of the 2023 IEP was never issued; April's was issued on its date. The
    finding names January, and an April report is not read as a late January one."""
    case = raw(H4)
    case["ieps"][1]["progress_reports_issued"] = ["2023-11-10", "2024-04-05"]
    assert found(review(rulebook, case, "2024-01-20", backend), "idea.progress") == set()
    for as_of in ("2024-02-15", "2024-07-01"):
        report = review(rulebook, case, as_of, backend)
        (finding,) = [f for f in report.findings if f.rule_id == "idea.progress.report-not-issued"]
        assert "2024-01-26" in finding.message and "2024-04-05" not in finding.message


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_graduate_is_owed_no_safeguards_notice_the_next_year(rulebook, backend):
    """The last IEP's projected end (2025-10-27) runs into 2025-26, but the student graduated
    with a Regents diploma on 2025-06-26: no notice is owed for 2025-26. Without the exit, it is."""
    assert found(review(rulebook, H3, "2026-07-15", backend)) == set()
    case = raw(H3)
    case["exits"] = [case["exits"][0]]
    assert ("idea.notice.safeguards-yearly", "$", "violation") in found(
        review(rulebook, case, "2026-07-15", backend))
