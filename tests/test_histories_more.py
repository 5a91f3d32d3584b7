"""Investigator histories, second set (h5 onwards): invented children's files over several
school years, reviewed on both backends at the dates a state complaint investigator would pick.

Each test says first what an investigator would conclude on the file, and why (citations as
/work/shared/CITATIONS.md gives them), then checks the library says the same. docs/rule-review.md
("Histories, second set") lists what each file probes and the false findings they exposed.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
from test_histories import BACKENDS, D, found, raw, review

from iep_rules import load_case
from iep_rules.facts._timeline import build_timeline, iep_accrual_windows

# ---- H5: the parent does not bring the child; refuses services; consents; revokes; returns ---
#
# 2021-10-08 written consent to evaluate. The parent misses three testing appointments; the
# evaluation is completed on 2022-01-21, day 105, with the exception recorded (34 CFR
# 300.301(d)(1): the 60-day clock does not apply when the parent repeatedly fails or refuses to
# produce the child). Eligible 2022-01-28; the CSE writes an IEP on 2022-02-07 and asks for
# consent to services, which the parent refuses in writing the same day. In September 2022 she
# consents at a reconvened CSE meeting; reviewed in 2023; on 2024-03-04 she revokes consent in
# writing (prior written notice 2024-03-06, services cease 2024-03-15). In October 2025 she asks
# for an evaluation again: new consent, evaluation, eligibility, initial IEP in December 2025.
#
# An investigator's reading:
# * No finding on the 105-day evaluation: the exception is documented (300.301(d)(1)).
# * While the refusal stands (February to September 2022), the district is not in violation of
#   its duty to make FAPE available and need not hold an IEP meeting or write an IEP
#   (300.300(b)(3)(ii)-(iii)): no annual review, placement, reevaluation, safeguards or
#   "services not arranged" finding, and the February IEP's services are owed to nobody (the
#   ledger must not count them as missed).
# * After the written revocation and the date services ceased, nothing is owed
#   (300.300(b)(4)(iii)-(iv)): no review, reevaluation (due 2025-01-21 on the old clock) or
#   school-year finding.
# * The return needs a new consent to evaluate and to services (a later request is an initial
#   referral: CITATIONS row 7); both are on file, so nothing is found in 2026 either.
# * New York's 60-school-day clock for arranging services (8 NYCRR 200.4(e)(1), unverified) is
#   needs-data before any eligibility decision (the no-show exception is federal; whether New
#   York extends it to this clock was not read): a question, not a claim.

H5 = "h5-no-show-refusal-revocation"


def h5_refused_for_good() -> dict[str, Any]:
    """H5 cut at the refusal: the parent never consents to services."""
    case = raw(H5)
    case["consents"] = case["consents"][:2]
    for key in ("meetings", "ieps", "placements", "evaluations", "eligibility",
                "prior_written_notices", "safeguards_notices", "parent_requests"):
        case[key] = case[key][:1]
    case["sessions"] = []
    return case


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2022-06-15", "2022-09-20", "2023-03-01", "2024-06-01",
                                   "2024-10-01", "2025-03-01", "2026-01-15", "2026-03-01"])
def test_h5_refusal_consent_revocation_and_return_are_compliant(rulebook, as_of, backend):
    assert found(review(rulebook, H5, as_of, backend)) == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_h5_evaluation_past_60_days_with_the_no_show_exception(rulebook, backend):
    report = review(rulebook, H5, "2022-01-25", backend)
    assert found(report, "idea.") == set()
    assert found(report) == {("nys.implementation.services-not-arranged-in-time", "$",
                              "needs-data")}
    case = raw(H5)
    del case["evaluations"][0]["clock_exception"]
    assert ("idea.timeline.initial-evaluation-late", "$.evaluations[0]", "violation") in found(
        review(rulebook, case, "2022-01-25", backend))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2022-06-15", "2023-03-01", "2024-03-01", "2025-03-01"])
def test_h5_no_clock_runs_while_the_parent_refuses_services(rulebook, as_of, backend):
    """300.300(b)(3)(ii)-(iii). Before the fix: annual review overdue and placement not
    determined from 2023-03-01, safeguards notice not given for 2022-23 from 2024, reevaluation
    overdue from 2025-01-22, and the New York services clock asked for data."""
    assert found(review(rulebook, h5_refused_for_good(), as_of, backend)) == set()


def test_h5_without_the_refusal_on_file_the_same_file_is_overdue(rulebook):
    case = h5_refused_for_good()
    case["consents"] = case["consents"][:1]
    assert ("idea.timeline.annual-review-overdue", "$", "violation") in found(
        review(rulebook, case, "2023-03-01"))


def test_h5_the_refused_iep_accrues_no_services():
    """The February 2022 IEP never took effect: the ledger owes none of its sessions. Before the
    fix the ledger counted 23 weekly sessions as missed and the calendar asked for them to be
    made up."""
    case = load_case(h5_refused_for_good())
    assert iep_accrual_windows(case, D("2022-06-15")) == (None,)
    history = build_timeline(case, D("2022-06-15"))
    assert history.iep_in_effect(D("2022-03-01")) is None
    assert history.in_special_education is False


@pytest.mark.parametrize("backend", BACKENDS)
def test_h5_an_iep_written_to_start_at_its_meeting_and_refused_days_later(rulebook, backend):
    """New York City IEPs often take effect on the meeting date; the parent's written refusal
    came three days later. The IEP was never implemented: no services accrue, and no safeguards
    notice or copy to staff was owed for it. Before the fix the 2022-23 safeguards notice was a
    violation from 2023-07-01 and the ledger counted the weeks from 2022-02-07 as missed."""
    data = h5_refused_for_good()
    data["ieps"][0]["start"] = "2022-02-07"
    data["consents"][1]["date"] = "2022-02-10"
    for as_of in ("2022-06-15", "2023-03-01", "2024-03-01"):
        assert found(review(rulebook, data, as_of, backend)) == set()
    assert iep_accrual_windows(load_case(data), D("2024-03-01")) == (None,)


@pytest.mark.parametrize("backend", BACKENDS)
def test_h5_the_family_moves_away_during_the_second_evaluation(rulebook, backend):
    """Consent to the second initial evaluation on 2025-10-08; the family moves to another
    district on 2025-10-31, before the evaluation is finished. The clock does not apply once the
    child enrols in another agency's school (300.301(d)(2)); this district owes nothing more.
    Before the fix: initial evaluation late, from 2025-12-08 on."""
    case = raw(H5)
    case["evaluations"][1].pop("completed")
    case["eligibility"] = case["eligibility"][:1]
    case["meetings"] = case["meetings"][:3]
    case["ieps"] = case["ieps"][:3]
    case["placements"] = case["placements"][:3]
    case["consents"] = case["consents"][:5]
    case["sessions"] = [x for x in case["sessions"] if x["date"] < "2025-01-01"]
    case["prior_written_notices"] = case["prior_written_notices"][:4]
    case["exits"] = [{"date": "2025-10-31", "reason": "moved_out"}]
    assert found(review(rulebook, case, "2026-01-15", backend)) == set()
    case["exits"] = []
    assert ("idea.timeline.initial-evaluation-late", "$.evaluations[1]", "violation") in found(
        review(rulebook, case, "2026-01-15", backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_h5_a_long_suspension_while_services_are_refused_or_revoked(rulebook, backend):
    """A 15-school-day suspension after the written revocation (April 2024), and the same
    while the 2022 refusal stood: the district is not deemed to know of a disability when the
    parent refused or revoked services (300.534(c)(1); CITATIONS O8), so the IDEA discipline
    protections (review, services after day 10, the notice) do not apply. Before the fix: two
    violations and a needs-data each time. While the child was served (2023) they do apply."""
    suspension = {"kind": "out_of_school_suspension", "reason": "fighting",
                  "decided_by": "superintendent", "services_provided": False}
    case = raw(H5)
    case["removals"] = [{**suspension, "start": "2024-04-15", "end": "2024-05-03",
                         "decision_date": "2024-04-12"},
                        {**suspension, "start": "2022-04-04", "end": "2022-04-22",
                         "decision_date": "2022-04-01"}]
    assert found(review(rulebook, case, "2024-06-01", backend)) == set()
    case["removals"] = [{**suspension, "start": "2023-04-17", "end": "2023-05-05",
                         "decision_date": "2023-04-14"}]
    assert found(review(rulebook, case, "2023-06-01", backend), "idea.discipline") == {
        ("idea.discipline.manifestation-determination-late", "$.removals[0]", "needs-data"),
        ("idea.discipline.no-services-after-tenth-day", "$.removals[0]", "violation"),
        ("idea.discipline.safeguards-notice-on-decision", "$.removals[0]", "violation")}


def test_h5_consent_given_later_starts_the_refused_iep_that_day():
    """Consent given in September to the IEP written in February, with no new meeting: the IEP
    takes effect on the consent date (services cannot begin before consent, 300.300(b)(1))."""
    data = h5_refused_for_good()
    data["consents"].append({"kind": "initial_services", "date": "2022-09-12",
                             "response": "given", "written": True})
    case = load_case(data)
    assert iep_accrual_windows(case, D("2022-10-01")) == ((D("2022-09-12"), D("2022-10-01")),)
    assert build_timeline(case, D("2022-10-01")).in_special_education is True


# ---- H6: moves in during the evaluation; ESY; amendment without a meeting; waiver; age 15 -----
#
# The parent consented to an evaluation in another New York district on 2019-04-29; the child
# enrolled here on 2019-05-20, before any eligibility decision. Parent and district agreed to
# finish by 2019-07-15 and did so on 2019-07-12 (day 74). Eligible (speech or language) on
# 2019-07-19; initial IEP 2019-08-12 with twelve-month services; annual reviews each June; an
# amendment by written agreement without a meeting in January 2021 (a second weekly session);
# in May 2022 parent and district agreed in writing that the three-year reevaluation (due
# 2022-07-12) was not needed; reevaluated with consent in May 2025; the June 2025 IEP, in effect
# when the student turns 15 (2025-11-03), has a transition plan. The family moved to another
# district on 2026-01-30.
#
# An investigator's reading:
# * Day 74 is not late: the child moved after the clock began, the new district made progress
#   and a completion date was agreed and met (300.301(d)(2), (e)).
# * The procedural safeguards notice owed on the referral (300.504(a)(1)) was the previous
#   district's duty: the referral and consent happened there. Before the fix this district was
#   reported for it at every date.
# * The amendment made without a meeting (300.324(a)(4)(i)) has no team or meeting notice to
#   check, and does not restart the annual-review clock (an amendment is not the review).
# * The waiver covers the 2022 reevaluation only (300.303(b)(2)); the next is due three years
#   from the waived date (2025-07-12) and was done in May 2025. It excuses nothing else: the
#   annual reviews still fall due each year.
# * The twelve-month (ESY) decision rests on the child's needs (300.106(a)(2)-(3)): silent.
# * New York asks for a transition plan in the IEP in effect at 15 (8 NYCRR 200.4(d)(2)(ix));
#   federal law at 16 (300.320(b)), after this IEP ends: silent either way as the plan is there.
# * After the move out, nothing is owed.

H6 = "h6-transfer-mid-evaluation-waiver-amendment"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2019-07-20", "2019-10-01", "2021-03-01", "2022-08-01",
                                   "2023-09-15", "2025-06-15", "2025-12-01", "2026-03-01"])
def test_h6_transfer_waiver_amendment_and_transition_are_compliant(rulebook, as_of, backend):
    assert found(review(rulebook, H6, as_of, backend)) == set()


def test_h6_the_referral_notice_is_owed_here_when_the_consent_was_given_here(rulebook):
    case = raw(H6)
    case["transfers"][0]["enrolled"] = "2019-04-01"  # enrolled before the referral
    assert ("idea.notice.safeguards-at-referral", "$", "violation") in found(
        review(rulebook, case, "2019-10-01"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_h6_the_reevaluation_waiver_does_not_excuse_the_annual_review(rulebook, backend):
    case = raw(H6)
    for key, field in (("meetings", "date"), ("placements", "date"), ("ieps", "meeting_date")):
        case[key] = [x for x in case[key] if x.get(field) != "2022-06-06"]
    assert found(review(rulebook, case, "2022-08-01", backend), "idea.timeline") == {
        ("idea.timeline.annual-review-overdue", "$", "violation")}
    case = raw(H6)
    case["agreements"] = case["agreements"][:1]
    assert found(review(rulebook, case, "2022-08-01", backend), "idea.timeline") == {
        ("idea.timeline.reevaluation-overdue", "$", "violation")}


@pytest.mark.parametrize("backend", BACKENDS)
def test_h6_a_review_held_without_the_parent_after_recorded_attempts(rulebook, backend):
    """The 2023 review went ahead without the parent after a notice, a call, a letter and a
    visit (300.322(d)); the placement was decided at it without her. A group may decide a
    placement without a parent it could not involve if it keeps a record of its attempts
    (300.501(c)(4), unverified): a warning to check the attempts, not a violation. Before the
    fix, idea.placement.parents-in-group reported a violation."""
    case = raw(H6)
    review_2023 = case["ieps"][5]
    review_2023["team_present"] = [x for x in review_2023["team_present"] if x != "parent"]
    review_2023["participation_attempts"] = [
        {"date": "2023-05-22", "kind": "meeting_notice"},
        {"date": "2023-05-30", "kind": "phone_call", "result": "no answer"},
        {"date": "2023-06-01", "kind": "correspondence", "result": "two other dates offered"},
        {"date": "2023-06-02", "kind": "visit", "result": "nobody home"}]
    for meeting in case["meetings"]:
        if meeting["date"] == "2023-06-05":
            meeting["attendees"] = ["special_education_teacher"]
    for placement in case["placements"]:
        if placement["date"] == "2023-06-05":
            placement["decided_by"] = ["special_education_teacher", "district_representative"]
    assert found(review(rulebook, case, "2023-09-15", backend)) == {
        ("idea.team.parent-absent-after-attempts", "$.ieps[5]", "warning")}
    review_2023["participation_attempts"] = review_2023["participation_attempts"][:1]
    assert ("idea.placement.parents-in-group", "$.placements[4]", "violation") in found(
        review(rulebook, case, "2023-09-15", backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_h6_an_amendment_needs_no_consolidated_copy_unless_asked(rulebook, backend):
    """The parent signed the January 2021 amendment; the file says no copy of the amended IEP
    was given. A revised copy with the amendments incorporated is owed on request (300.324(a)(6),
    CITATIONS G5); none is on file. Before the fix: a 300.322(f) violation. A full IEP written at
    a review with no copy given is still one."""
    case = raw(H6)
    case["ieps"][2]["parent_copy_given"] = False
    case["ieps"][2].pop("parent_copy_date")
    assert found(review(rulebook, case, "2021-03-01", backend)) == set()
    case["ieps"][1]["parent_copy_given"] = False
    assert found(review(rulebook, case, "2021-03-01", backend)) == {
        ("idea.notice.iep-copy-to-parent", "$.ieps[1]", "violation")}


def test_h6_the_amendment_does_not_restart_the_review_clock(rulebook):
    case = raw(H6)
    for key, field in (("meetings", "date"), ("placements", "date"), ("ieps", "meeting_date")):
        case[key] = [x for x in case[key] if x.get(field) != "2021-06-07"]
    overdue = found(review(rulebook, case, "2021-07-01"), "idea.timeline")
    assert overdue == {("idea.timeline.annual-review-overdue", "$", "violation")}


@pytest.mark.parametrize("backend", BACKENDS)
def test_h6_transition_at_15_in_new_york_and_16_federally(rulebook, backend):
    case = raw(H6)
    case["ieps"][-1].pop("transition")
    assert ("idea.iep.transition-services", "$.ieps[7]", "violation") in found(
        review(rulebook, case, "2025-09-15", backend))
    assert found(review(rulebook, case, "2025-09-15", backend, jurisdiction="US"),
                 "idea.iep.transition") == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_h6_an_iep_written_before_the_move_and_due_to_start_after_it(rulebook, backend):
    """A meeting on 2026-01-20 wrote an IEP to begin on 2026-02-02; the family moved on
    2026-01-30. The IEP never took effect here and is not a return to the district: no services
    accrue and no clock restarts. Before the fix it was read as a return: the annual review and
    reevaluation asked for data, and the placement was a violation in 2027. (Left: a provider
    assigned after such an IEP's start still draws idea.implementation.no-provider-at-start;
    the service scope cannot read the IEP's span, docs/rule-review.md.)"""
    case = raw(H6)
    new = copy.deepcopy(case["ieps"][-1])
    new.update(id="iep-2026", meeting_date="2026-01-20", start="2026-02-02", end="2027-01-19")
    for service in new["services"]:
        service.update(id=service["id"] + "-26", start="2026-02-02", end="2027-01-19",
                       provider_assigned_on="2026-01-26")
    new["distributed_to"] = [{"recipient": who, "date": "2026-01-26"}
                             for who in new["responsible_staff"]]
    case["ieps"].append(new)
    case["meetings"].append({"date": "2026-01-20", "purpose": "other",
                             "attendees": ["parent", "special_education_teacher"]})
    for as_of in ("2026-03-01", "2027-03-01"):
        assert found(review(rulebook, case, as_of, backend)) == set()
    assert iep_accrual_windows(load_case(case), D("2026-03-01"))[-1] is None


def test_h6_an_esy_decision_by_policy_is_found(rulebook):
    case = raw(H6)
    case["ieps"][-1]["esy"]["basis"] = ["district_policy"]
    assert ("idea.esy.not-individual", "$.ieps[7]", "violation") in found(
        review(rulebook, case, "2025-09-15"))


# ---- H7: short suspensions, a long-term suspension ended by a manifestation finding, then a
# weapon and 45 school days in an interim setting across the summer -------------------------
#
# A student with an emotional disturbance, served since March 2020, with an FBA and a BIP from
# 2023. In 2024-25: suspended by the principal for 3 days (October) and 4 days (November); a
# fight on 2025-01-13 brings 5 more days from the principal (school days 8-12 of the year:
# services from the eleventh day, 300.530(b)(2), (d)(4)) and, on 2025-01-16, a superintendent's
# long-term suspension from 2025-01-21 (a change of placement, 300.536(a)(1); safeguards notice
# that day, 300.530(h)). The manifestation review on 2025-01-24 (five school days after the
# decision, 300.530(e)(1)) finds the behavior caused by the disability: the suspension ends and
# the child returns (300.530(f)(2)); the team reviews the BIP on 2025-02-04 (300.530(f)(1)(ii))
# and holds the annual review on 2025-01-27. On 2025-04-29 a knife: 45 school days in an
# interim alternative setting regardless of manifestation (300.530(g)(1)), with services and a
# safeguards notice that day; the review on 2025-05-06 finds no manifestation. The 45 days run
# to the fourth school day of 2025-26 (2025-09-08).
#
# An investigator's reading: nothing to report at any date. Each principal's suspension is
# within New York's five days (8 NYCRR 201.7(b)); the three short removals total 12 school days
# and the district decided they were no pattern (300.536(a)(2) prong not met, decided case by
# case, 300.536(b)(1)); the manifestation review was timely; the BIP was reviewed; the 45 days
# are counted in school days, across the summer.

H7 = "h7-manifestation-iaes"


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2020-06-01", "2023-04-01", "2024-11-20", "2025-01-22",
                                   "2025-02-03", "2025-03-20", "2025-05-01", "2025-06-15",
                                   "2025-09-20", "2025-10-15"])
def test_h7_discipline_history_is_compliant(rulebook, as_of, backend):
    assert found(review(rulebook, H7, as_of, backend)) == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_h7_each_discipline_duty_is_found_when_it_is_missed(rulebook, backend):
    def variant(change: Any, as_of: str) -> set[tuple[str, str, str]]:
        case = raw(H7)
        change(case)
        return found(review(rulebook, case, as_of, backend), "")

    def late_review(c: dict[str, Any]) -> None:
        c["removals"][3]["manifestation"]["date"] = "2025-02-05"  # 12 school days after

    def no_plan(c: dict[str, Any]) -> None:
        c["behavior_plans"] = c["behavior_plans"][:2]

    def no_services(c: dict[str, Any]) -> None:
        c["removals"][2]["services_provided"] = False

    def six_days(c: dict[str, Any]) -> None:
        c["removals"][2]["end"] = "2025-01-21"

    def no_notice(c: dict[str, Any]) -> None:
        c["safeguards_notices"] = [n for n in c["safeguards_notices"] if n["date"] != "2025-04-29"]

    assert variant(late_review, "2025-02-10") == {
        ("idea.discipline.manifestation-determination-late", "$.removals[3]", "violation")}
    assert variant(no_plan, "2025-03-20") == {
        ("idea.discipline.behavior-plan-after-manifestation", "$.removals[3]", "violation")}
    assert variant(no_services, "2025-02-10") == {
        ("idea.discipline.no-services-after-tenth-day", "$.removals[2]", "violation")}
    assert variant(six_days, "2025-02-10") == {
        ("nys.discipline.principal-suspension-too-long", "$.removals[2]", "violation")}
    assert variant(no_notice, "2025-05-10") == {
        ("idea.discipline.safeguards-notice-on-decision", "$.removals[4]", "violation")}


def test_h7_a_review_not_yet_on_file_is_a_question_until_its_ten_days_pass(rulebook):
    case = raw(H7)
    case["removals"][3].pop("manifestation")
    assert found(review(rulebook, case, "2025-01-24")) == set()
    assert found(review(rulebook, case, "2025-02-10")) == {
        ("idea.discipline.manifestation-determination-late", "$.removals[3]", "needs-data")}


# ---- H8 (federal only): a file that begins years after the first IEP; ESY each summer; an
# amendment without a meeting that doubles a service; an IEE; transition at 16 --------------
#
# Found eligible in December 2016; the file's IEP records begin with the April 2022 annual
# review (the earlier IEPs are not part of it). Annual reviews each April; twelve-month (ESY)
# reading instruction in July and August 2023 and 2024, logged; counseling raised from one to
# two sessions a week by written agreement without a meeting in November 2023 (300.324(a)(4));
# an independent evaluation in February 2024 at public expense (300.502); the IEP in effect on
# the 16th birthday (2024-10-20) has postsecondary goals and transition services (300.320(b)).
# Last district reevaluation 2022-12-09.
#
# An investigator's reading:
# * The 2016 initial IEP meeting is not on file, and the first meeting on file (April 2022) is
#   an annual review, which presupposes an earlier IEP. Nothing shows the initial meeting was
#   late: a question (needs-data), not a violation. Before the fix it was "1954 days" late.
# * The amendment changes the service from its start; nothing on team or notice is owed.
# * The IEE does not restart the reevaluation clock (300.303(b)(2)): the reevaluation is due
#   2025-12-09, so it is overdue on 2025-12-15 (a real violation) and not before.

H8 = "h8-federal-esy-amendment-transition"
H8_QUESTION = {("idea.timeline.iep-meeting-after-eligibility", "$.eligibility[0]", "needs-data")}


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2023-06-01", "2023-08-20", "2023-12-15", "2024-03-01",
                                   "2024-08-20", "2024-11-01", "2025-06-01", "2025-11-30"])
def test_h8_a_file_that_begins_late_asks_about_the_first_iep_and_finds_nothing(
        rulebook, as_of, backend):
    assert found(review(rulebook, H8, as_of, backend, jurisdiction="US")) == H8_QUESTION


@pytest.mark.parametrize("backend", BACKENDS)
def test_h8_the_independent_evaluation_does_not_restart_the_reevaluation_clock(rulebook, backend):
    assert found(review(rulebook, H8, "2025-12-15", backend, jurisdiction="US"),
                 "idea.timeline.reevaluation") == {
        ("idea.timeline.reevaluation-overdue", "$", "violation")}


def test_h8_transition_at_16_federally(rulebook):
    case = raw(H8)
    case["ieps"][2].pop("transition")
    assert ("idea.iep.transition-services", "$.ieps[2]", "violation") in found(
        review(rulebook, case, "2024-11-01", jurisdiction="US"))


# ---- The previous agency's IEP in a transfer file (h2 with the sending IEP on file) ----------
#
# h2's student arrives from another state on 2023-01-09. Here the file also carries the IEP the
# previous district wrote on 2022-10-03: two members recorded, no meeting notice, a progress
# report due in November 2022, no copies to staff. This district did not hold that meeting or
# implement that IEP before the child arrived; it owed comparable services from enrolment
# (300.323(f)), which it gave. An investigator would not charge it with the other district's
# meeting, notices, copies or reports. Before the fix: required members and staff access
# (violations), the November report (violation), the interpreter role (warning).


def h2_with_the_sending_iep() -> dict[str, Any]:
    case = raw("h2-interstate-transfer-discipline")
    prior = copy.deepcopy(case["ieps"][0])
    prior.update(id="iep-from-other-state", meeting_date="2022-10-03", start="2022-10-10",
                 end="2023-10-02", purpose="annual_review", distributed_to=[],
                 team_present=["parent", "special_education_teacher"], participation_attempts=[],
                 progress_reports_due=["2022-11-15"], progress_reports_issued=[])
    for service in prior["services"]:
        service.update(id="prior-" + service["id"], start="2022-10-10", end="2023-10-02",
                       provider_assigned_on="2022-10-03")
    case["ieps"].insert(0, prior)
    return case


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_previous_agencys_iep_is_not_judged_as_this_districts(rulebook, backend):
    case = h2_with_the_sending_iep()
    assert {f for f in found(review(rulebook, case, "2023-02-15", backend))
            if f[2] not in ("notice", "needs-data")} == set()
    case["transfers"] = []
    assert ("idea.team.required-members", "$.ieps[0]", "violation") in found(
        review(rulebook, case, "2023-02-15", backend))


def test_the_previous_agencys_iep_accrues_here_from_enrolment():
    case = load_case(h2_with_the_sending_iep())
    assert iep_accrual_windows(case, D("2023-02-15"))[0] == (D("2023-01-09"), D("2023-02-15"))


@pytest.mark.parametrize("backend", BACKENDS)
def test_the_previous_agencys_late_review_and_missing_notice_are_not_this_districts(
        rulebook, backend):
    """The sending IEP dates from October 2021 (its review was due in October 2022, before the
    child arrived in January 2023) and the file holds no safeguards notice for 2021-22, a year
    the child spent wholly in the other state. Before the fix: the review "held late" (held here
    on 2023-03-20, due 2022-10-04) and the missing 2021-22 notice were both violations here."""
    case = h2_with_the_sending_iep()
    case["ieps"][0].update(meeting_date="2021-10-04", start="2021-10-11", end="2023-10-02")
    assert {f for f in found(review(rulebook, case, "2023-08-01", backend))
            if f[2] != "notice"} == set()
