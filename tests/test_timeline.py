"""Reading a case as a history (issue 10): realistic dated cases, each checked on both backends.

Every case below is an invented child. Each test names the law that decides it; the comment on
each case says what a naive "bag of records" reading concluded and why that was wrong.
"""

from __future__ import annotations

import copy
import datetime as dt

from iep_rules import case_from_mapping, evaluate
from iep_rules.case._io import case_to_mapping
from iep_rules.engine._evaluate import durable_installed

D = dt.date


def _findings(rulebook, data, as_of, rule=None):
    """(rule id, severity, subject) of every finding, the same on both backends (on python
    alone where the durable extra is not installed; CI installs it)."""
    case = case_from_mapping(data)
    out = []
    for backend in ("python", "durable") if durable_installed() else ("python",):
        report = evaluate(rulebook, case, as_of=as_of, backend=backend)
        out.append(sorted((f.rule_id, f.severity, f.subject) for f in report.findings
                          if rule is None or f.rule_id == rule))
    assert all(found == out[0] for found in out), "the two backends disagree"
    return out[0]


def _timeline():
    from iep_rules.facts import _timeline  # imported late: the module is what these tests specify

    return _timeline


def _mine(findings):
    """Findings of the timeline-owned rules (other rule files judge IEP contents, team, ...)."""
    return [f for f in findings if f[0].startswith(("idea.timeline.", "idea.consent.", "idea.placement.annual"))]


def _severities(rulebook, data, as_of, rule):
    return [sev for _, sev, _ in _findings(rulebook, data, as_of, rule)]


ELIGIBLE_2021 = [{"date": "2021-02-01", "outcome": "eligible"}]
INITIAL_EVAL = {"kind": "initial", "consent_date": "2020-12-01", "completed": "2021-01-20",
                "new_assessments": True}


# ---- 1. the IEP in effect; amendments are not annual reviews ---------------------------------

AMENDED = {
    "id": "amended", "jurisdiction": "US", "student": {"id": "s-ada"},
    "eligibility": ELIGIBLE_2021,
    "meetings": [{"date": "2023-10-02", "purpose": "annual_review"},
                 {"date": "2024-03-15", "purpose": "amendment"}],
    "ieps": [{"id": "iep-2023", "meeting_date": "2023-10-02", "start": "2023-10-10",
              "end": "2024-10-09", "purpose": "annual_review"},
             {"id": "iep-2023-amended", "meeting_date": "2024-03-15", "start": "2024-03-18",
              "end": "2024-10-09", "purpose": "amendment"}],
}


def test_an_amendment_does_not_restart_the_annual_review_clock(rulebook):
    # 300.324(a)(4)-(6), (b)(1)(i): the 2024-03-15 amendment changed the IEP; the last review
    # was 2023-10-02, so by 2024-11-15 a review is overdue. Reading "any IEP meeting" said silent.
    assert _severities(rulebook, AMENDED, D(2024, 11, 15),
                       "idea.timeline.annual-review-overdue") == ["violation"]
    assert _severities(rulebook, AMENDED, D(2024, 9, 15),
                       "idea.timeline.annual-review-overdue") == []
    report = evaluate(rulebook, case_from_mapping(AMENDED), as_of=D(2024, 11, 15))
    finding = next(f for f in report.findings if f.rule_id == "idea.timeline.annual-review-overdue")
    assert "2023-10-02" in finding.message


def test_an_iep_meeting_whose_purpose_is_unrecorded_still_counts_as_a_review(rulebook):
    # Presuming each new IEP was a review can only delay a finding, never invent one.
    data = copy.deepcopy(AMENDED)
    for iep in data["ieps"]:
        del iep["purpose"]
    data["meetings"] = []
    assert _severities(rulebook, data, D(2024, 11, 15), "idea.timeline.annual-review-overdue") == []


def test_the_iep_in_effect_is_replaced_by_the_next_one():
    case = case_from_mapping(AMENDED)
    timeline = _timeline().build_timeline(case, D(2024, 11, 15))
    assert timeline.iep_in_effect(D(2024, 1, 5)) == 0
    assert timeline.iep_in_effect(D(2024, 3, 17)) == 0
    assert timeline.iep_in_effect(D(2024, 3, 18)) == 1
    assert timeline.iep_in_effect(D(2024, 10, 10)) is None  # expired, none replaced it
    assert timeline.iep_in_effect(D(2023, 10, 9)) is None
    assert _timeline().accrual_window(case, 0, D(2024, 11, 15)) == (D(2023, 10, 10), D(2024, 3, 17))
    assert _timeline().accrual_window(case, 1, D(2024, 11, 15)) == (D(2024, 3, 18), D(2024, 10, 9))


TEEN = {
    "id": "teen", "jurisdiction": "US", "student": {"id": "s-bo", "date_of_birth": "2008-05-01"},
    "ieps": [{"id": "iep-a", "meeting_date": "2023-04-25", "start": "2023-05-02", "end": "2024-05-30"},
             {"id": "iep-b", "meeting_date": "2024-04-10", "start": "2024-04-15", "end": "2025-04-14",
              "transition": {"postsecondary_goals": ["work as an electrician"],
                             "services": ["career and technical education placement"]}}],
}


def test_a_replaced_iep_is_not_the_iep_in_effect_at_the_transition_age(rulebook):
    # 300.320(b): the duty attaches to the IEP in effect when the student turns 16 (2024-05-01).
    # iep-a's end date (2024-05-30) is past the birthday, but iep-b replaced it on 2024-04-15.
    assert _findings(rulebook, TEEN, D(2024, 9, 1), "idea.iep.transition-services") == []
    late = copy.deepcopy(TEEN)
    late["ieps"][1].update(meeting_date="2024-05-10", start="2024-05-13")
    assert _findings(rulebook, late, D(2024, 9, 1), "idea.iep.transition-services") == [
        ("idea.iep.transition-services", "violation", "$.ieps[0]")]


CALENDAR = [{"year_start": "2024-09-04", "year_end": "2025-06-26",
             "closures": [{"start": "2024-12-23", "end": "2025-01-01", "name": "winter recess"}]}]


def _weekly(service_id, start, end):
    return {"id": service_id, "name": "speech_language_therapy", "frequency": {"times": 1, "per": "week"},
            "duration_minutes": 30, "start": start, "end": end}


def test_a_replaced_iep_stops_accruing_services(rulebook):
    # iep-1 ran to 2025-06-20 on paper; iep-2 replaced it on 2024-11-04 with a new mandate.
    # Weeks after 2024-11-04 are owed under iep-2, not twice.
    data = {
        "id": "replaced", "jurisdiction": "US", "student": {"id": "s-cy"},
        "consents": [{"kind": "initial_services", "date": "2024-08-20", "response": "given", "written": True}],
        "calendars": CALENDAR,
        "ieps": [{"id": "iep-1", "start": "2024-09-04", "end": "2025-06-20",
                  "services": [_weekly("sp-1", "2024-09-04", "2025-06-20")]},
                 {"id": "iep-2", "start": "2024-11-04", "end": "2025-11-03",
                  "services": [_weekly("sp-2", "2024-11-04", "2025-11-03")]}],
        "sessions": [{"date": day, "service": "sp-1", "status": "delivered", "minutes": 30}
                     for day in ("2024-09-05", "2024-09-12", "2024-09-19", "2024-09-26", "2024-10-03",
                                 "2024-10-10", "2024-10-17", "2024-10-24", "2024-10-31")]
        + [{"date": day, "service": "sp-2", "status": "delivered", "minutes": 30}
           for day in ("2024-11-07", "2024-11-14", "2024-11-21", "2024-11-26")],
    }
    report = evaluate(rulebook, case_from_mapping(data), as_of=D(2024, 11, 30))
    by_service = {lg.service_id: lg for lg in report.ledger}
    assert by_service["sp-1"].expected == 9 and by_service["sp-1"].owed_sessions == 0
    assert by_service["sp-2"].expected == 4 and by_service["sp-2"].owed_sessions == 0
    assert [f for f in report.findings if f.rule_id.startswith("idea.makeup.services-owed")] == []


# ---- 2. the consent lifecycle -------------------------------------------------------------

REVOKED = {
    "id": "revoked", "jurisdiction": "US", "student": {"id": "s-dee"},
    "consents": [{"kind": "initial_evaluation", "date": "2021-09-01", "response": "given", "written": True},
                 {"kind": "initial_services", "date": "2021-11-01", "response": "given", "written": True},
                 {"kind": "initial_services", "date": "2024-01-10", "response": "revoked", "written": True,
                  "prior_written_notice_date": "2024-01-12", "services_cease": "2024-01-22"}],
    "evaluations": [{"kind": "initial", "consent_date": "2021-09-01", "completed": "2021-10-15"}],
    "eligibility": [{"date": "2021-10-20", "outcome": "eligible"}],
    "meetings": [{"date": "2021-11-01", "purpose": "initial"},
                 {"date": "2022-10-25", "purpose": "annual_review"},
                 {"date": "2023-10-24", "purpose": "annual_review"}],
    "ieps": [{"id": "iep-21", "meeting_date": "2021-11-01", "start": "2021-11-03", "end": "2022-10-31"},
             {"id": "iep-22", "meeting_date": "2022-10-25", "start": "2022-11-01", "end": "2023-10-31"},
             {"id": "iep-23", "meeting_date": "2023-10-24", "start": "2023-11-01", "end": "2024-10-31"}],
    "agreements": [], "placements": [], "exits": [],
    "sessions": [{"date": "2024-01-08", "service": "rs-1", "status": "delivered", "minutes": 30},
                 {"date": "2024-01-17", "service": "rs-1", "status": "delivered", "minutes": 30}],
}


def test_sessions_between_revocation_and_the_notices_cessation_date_are_lawful(rulebook):
    # 300.300(b)(4)(i): notice first, then services stop on the date it sets (2024-01-22).
    assert _findings(rulebook, REVOKED, D(2024, 3, 1), "idea.consent.services-after-revocation") == []


def test_a_session_after_cessation_is_a_service_without_consent(rulebook):
    data = copy.deepcopy(REVOKED)
    data["sessions"].append({"date": "2024-02-05", "service": "rs-1", "status": "delivered", "minutes": 30})
    assert _severities(rulebook, data, D(2024, 3, 1),
                       "idea.consent.services-after-revocation") == ["violation"]


def test_a_revocation_whose_cessation_date_is_unrecorded_cannot_clear_later_sessions(rulebook):
    data = copy.deepcopy(REVOKED)
    del data["consents"][2]["services_cease"]
    assert _severities(rulebook, data, D(2024, 3, 1),
                       "idea.consent.services-after-revocation") == ["needs-data"]


def test_after_written_revocation_no_clock_runs(rulebook):
    # 300.300(b)(4)(iii)-(iv): no IEP meeting, reevaluation or placement decision is owed.
    # A naive reading still saw an eligible child whose review fell due on 2024-10-24.
    findings = _findings(rulebook, REVOKED, D(2025, 3, 1))
    clocks = {"idea.timeline.annual-review-overdue", "idea.timeline.reevaluation-overdue",
              "idea.placement.annual", "idea.timeline.iep-at-school-year-start"}
    assert [f for f in findings if f[0] in clocks] == []


def test_an_oral_revocation_does_not_stop_the_clocks(rulebook):
    data = copy.deepcopy(REVOKED)
    data["consents"][2]["written"] = False
    assert _severities(rulebook, data, D(2025, 3, 1),
                       "idea.timeline.annual-review-overdue") == ["violation"]


def test_returning_after_revocation_needs_new_consent_to_services(rulebook):
    data = copy.deepcopy(REVOKED)
    data["consents"] += [
        {"kind": "initial_evaluation", "date": "2024-09-03", "response": "given", "written": True}]
    data["evaluations"].append({"kind": "initial", "consent_date": "2024-09-03",
                                "completed": "2024-10-11", "new_assessments": True})
    data["eligibility"].append({"date": "2024-10-18", "outcome": "eligible"})
    data["meetings"].append({"date": "2024-11-05", "purpose": "initial"})
    data["ieps"].append({"id": "iep-24", "meeting_date": "2024-11-05", "start": "2024-11-12",
                         "end": "2025-11-04"})
    data["sessions"].append({"date": "2024-11-13", "service": "rs-1", "status": "delivered", "minutes": 30})
    # Services restarted without a new written consent to services: 300.300(b)(1).
    assert _severities(rulebook, data, D(2024, 12, 1),
                       "idea.consent.services-after-revocation") == ["violation"]
    data["consents"].append({"kind": "initial_services", "date": "2024-11-05", "response": "given",
                             "written": True})
    assert _mine(_findings(rulebook, data, D(2024, 12, 1))) == []
    # Clocks run again from the new initial IEP meeting: nothing is due yet in 2025-03.
    assert _mine(_findings(rulebook, data, D(2025, 3, 1))) == []


REEVALUATED = {
    "id": "reeval", "jurisdiction": "US", "student": {"id": "s-eli"},
    "consents": [{"kind": "initial_evaluation", "date": "2020-12-01", "response": "given", "written": True},
                 {"kind": "reevaluation", "date": "2020-12-01", "response": "given", "written": True}],
    "evaluations": [INITIAL_EVAL,
                    {"kind": "reevaluation", "consent_date": None, "completed": "2024-01-10",
                     "new_assessments": True}],
    "eligibility": ELIGIBLE_2021,
}


def test_an_old_consent_does_not_cover_a_later_reevaluation(rulebook):
    # 300.300(c)(1)(i): each reevaluation with new assessments needs its own consent.
    assert _findings(rulebook, REEVALUATED, D(2024, 2, 1), "idea.consent.reevaluation") == [
        ("idea.consent.reevaluation", "violation", "$.evaluations[1]")]


def test_reasonable_efforts_without_a_response_is_a_warning_to_check(rulebook):
    data = copy.deepcopy(REEVALUATED)
    data["consents"].append({"kind": "reevaluation", "date": "2023-11-01", "response": "no_response",
                             "reasonable_efforts": True})
    assert _findings(rulebook, data, D(2024, 2, 1), "idea.consent.reevaluation") == []
    assert _findings(rulebook, data, D(2024, 2, 1), "idea.consent.reevaluation-without-response") == [
        ("idea.consent.reevaluation-without-response", "warning", "$.evaluations[1]")]


def test_a_review_of_existing_data_needs_no_consent(rulebook):
    # 300.300(d)(1)(i)
    data = copy.deepcopy(REEVALUATED)
    data["evaluations"][1]["new_assessments"] = False
    assert _findings(rulebook, data, D(2024, 2, 1), "idea.consent.reevaluation") == []


def test_a_refused_reevaluation_consent_is_no_consent(rulebook):
    data = copy.deepcopy(REEVALUATED)
    data["consents"].append({"kind": "reevaluation", "date": "2023-11-01", "response": "refused",
                             "written": True})
    assert _severities(rulebook, data, D(2024, 2, 1), "idea.consent.reevaluation") == ["violation"]


# ---- 3. agreements have a scope and a date ---------------------------------------------------

WAIVED = {
    "id": "waived", "jurisdiction": "US", "student": {"id": "s-fay"},
    "evaluations": [{"kind": "initial", "consent_date": "2017-12-01", "completed": "2018-01-10"}],
    "eligibility": [{"date": "2018-01-20", "outcome": "eligible"}],
    "agreements": [{"date": "2020-12-01", "kind": "reevaluation_unnecessary"}],
}


def test_a_reevaluation_waiver_covers_one_three_year_period(rulebook):
    # 300.303(b)(2): the 2020 agreement waived the reevaluation due 2021-01-10; the next period
    # runs from that due date, so one is due again by 2024-01-10. A naive reading: never.
    rule = "idea.timeline.reevaluation-overdue"
    assert _severities(rulebook, WAIVED, D(2023, 6, 1), rule) == []
    assert _severities(rulebook, WAIVED, D(2024, 3, 1), rule) == ["violation"]
    report = evaluate(rulebook, case_from_mapping(WAIVED), as_of=D(2024, 3, 1))
    finding = next(f for f in report.findings if f.rule_id == rule)
    assert "2024-01-10" in finding.message


def test_the_restart_choice_is_a_parameter():
    case = case_from_mapping(WAIVED)
    by_due = _timeline().build_timeline(case, D(2024, 3, 1))
    by_agreement = _timeline().build_timeline(case, D(2024, 3, 1),
                                  {"reevaluation_waiver_restart": "agreement"})
    assert by_due.reevaluation_due == D(2024, 1, 10)
    assert by_agreement.reevaluation_due == D(2023, 12, 1)


def test_a_parents_request_and_consent_show_agreement_to_reevaluate_sooner(rulebook):
    # 300.303(b)(1): the parent asked for this reevaluation and consented to it.
    data = {"id": "sooner", "jurisdiction": "US", "student": {"id": "s-gus"},
            "evaluations": [{"kind": "initial", "completed": "2022-01-10"},
                            {"kind": "reevaluation", "completed": "2022-08-10", "new_assessments": True}],
            "parent_requests": [{"date": "2022-05-01", "kind": "reevaluation", "response": "granted"}],
            "consents": [{"kind": "reevaluation", "date": "2022-05-10", "response": "given", "written": True}],
            "agreements": []}
    assert _findings(rulebook, data, D(2022, 9, 1), "idea.timeline.reevaluation-too-frequent") == []
    data["parent_requests"] = []
    assert _severities(rulebook, data, D(2022, 9, 1),
                       "idea.timeline.reevaluation-too-frequent") == ["violation"]


def test_an_old_agreement_to_reevaluate_sooner_does_not_cover_a_later_one(rulebook):
    data = {"id": "stale", "jurisdiction": "US", "student": {"id": "s-hal"},
            "evaluations": [{"kind": "initial", "completed": "2019-01-10"},
                            {"kind": "reevaluation", "completed": "2019-06-10"},
                            {"kind": "reevaluation", "completed": "2019-12-01"}],
            "agreements": [{"date": "2019-03-01", "kind": "more_frequent_reevaluation"}],
            "parent_requests": []}
    assert _findings(rulebook, data, D(2020, 1, 1), "idea.timeline.reevaluation-too-frequent") == [
        ("idea.timeline.reevaluation-too-frequent", "violation", "$.evaluations[2]")]


# ---- 4. which evaluations count --------------------------------------------------------------

def test_an_independent_evaluation_does_not_reset_the_three_year_clock(rulebook):
    # 300.502: the parent's IEE is not the district's reevaluation.
    data = {"id": "iee", "jurisdiction": "US", "student": {"id": "s-ida"},
            "evaluations": [{"kind": "initial", "completed": "2021-01-10"},
                            {"kind": "reevaluation", "conducted_by": "independent", "completed": "2023-06-01"}],
            "eligibility": [{"date": "2021-01-20", "outcome": "eligible"}], "agreements": []}
    assert _severities(rulebook, data, D(2024, 3, 1), "idea.timeline.reevaluation-overdue") == ["violation"]


def test_a_504_evaluation_does_not_make_the_next_reevaluation_too_frequent(rulebook):
    data = {"id": "504", "jurisdiction": "US", "student": {"id": "s-jo"},
            "evaluations": [{"kind": "initial", "completed": "2021-01-10"},
                            {"kind": "reevaluation", "purpose": "section_504", "completed": "2021-09-01"},
                            {"kind": "reevaluation", "completed": "2022-03-01", "new_assessments": False}],
            "agreements": [], "parent_requests": [], "consents": []}
    assert _findings(rulebook, data, D(2022, 4, 1), "idea.timeline.reevaluation-too-frequent") == []
    assert _findings(rulebook, data, D(2022, 4, 1), "idea.consent.reevaluation") == []


# ---- 5. initial vs continuing eligibility ----------------------------------------------------

def test_continuing_eligibility_after_a_reevaluation_does_not_start_the_30_day_clock(rulebook):
    # 300.323(c)(1) is about the initial determination; here an IEP was in effect.
    data = {"id": "continuing", "jurisdiction": "US", "student": {"id": "s-kim"},
            "evaluations": [INITIAL_EVAL, {"kind": "reevaluation", "completed": "2024-01-05"}],
            "eligibility": [{"date": "2021-02-01", "outcome": "eligible"},
                            {"date": "2024-01-12", "outcome": "eligible"}],
            "meetings": [{"date": "2021-02-20", "purpose": "initial"},
                         {"date": "2024-02-15", "purpose": "annual_review"}],
            "ieps": [{"id": "i21", "meeting_date": "2021-02-20", "start": "2021-02-22", "end": "2022-02-21"},
                     {"id": "i22", "meeting_date": "2022-02-10", "start": "2022-02-22", "end": "2023-02-21"},
                     {"id": "i23", "meeting_date": "2023-02-10", "start": "2023-02-22", "end": "2024-02-21"},
                     {"id": "i24", "meeting_date": "2024-02-15", "start": "2024-02-22", "end": "2025-02-21"}]}
    assert _findings(rulebook, data, D(2024, 3, 1), "idea.timeline.iep-meeting-after-eligibility") == []


def test_an_initial_iep_meeting_recorded_only_in_meetings_is_accepted(rulebook):
    data = {"id": "meeting-only", "jurisdiction": "US", "student": {"id": "s-lu"},
            "evaluations": [{"kind": "initial", "consent_date": "2024-01-08", "completed": "2024-02-20"}],
            "eligibility": [{"date": "2024-03-01", "outcome": "eligible"}],
            "meetings": [{"date": "2024-03-21", "purpose": "initial"}],
            "ieps": [{"id": "draft", "start": "2024-03-25"}]}
    assert _findings(rulebook, data, D(2024, 6, 1), "idea.timeline.iep-meeting-after-eligibility") == []
    data["meetings"] = []
    assert _severities(rulebook, data, D(2024, 6, 1),
                       "idea.timeline.iep-meeting-after-eligibility") == ["violation"]


def test_a_file_that_does_not_reach_back_says_needs_data(rulebook):
    data = {"id": "partial", "jurisdiction": "US", "student": {"id": "s-max"},
            "eligibility": [{"date": "2024-03-01", "outcome": "eligible"}],
            "meetings": [], "ieps": [{"id": "i", "meeting_date": "2024-05-01", "start": "2024-05-02"}]}
    assert _severities(rulebook, data, D(2024, 6, 1),
                       "idea.timeline.iep-meeting-after-eligibility") == ["needs-data"]


# ---- 6. exits ----------------------------------------------------------------------------------

def test_after_graduation_with_a_regular_diploma_no_clock_runs(rulebook):
    # 300.102(a)(3)(i)
    data = copy.deepcopy(REVOKED)
    data["consents"] = data["consents"][:2]
    data["exits"] = [{"date": "2024-06-21", "reason": "graduated_regular_diploma"}]
    assert _findings(rulebook, data, D(2025, 3, 1), "idea.timeline.annual-review-overdue") == []
    data["exits"] = []
    assert _severities(rulebook, data, D(2025, 3, 1),
                       "idea.timeline.annual-review-overdue") == ["violation"]


def test_an_exit_ends_service_accrual():
    data = {"id": "moved", "jurisdiction": "US", "student": {"id": "s-ned"}, "calendars": CALENDAR,
            "ieps": [{"id": "i", "start": "2024-09-04", "end": "2025-06-20",
                      "services": [_weekly("sp", "2024-09-04", "2025-06-20")]}],
            "exits": [{"date": "2024-10-15", "reason": "moved_out"}]}
    case = case_from_mapping(data)
    assert _timeline().accrual_window(case, 0, D(2025, 3, 1)) == (D(2024, 9, 4), D(2024, 10, 15))


# ---- 7. missing vs empty lists -------------------------------------------------------------

def test_an_absent_list_is_unknown_and_an_empty_list_is_none(rulebook):
    data = {"id": "lists", "jurisdiction": "US", "student": {"id": "s-ora"},
            "evaluations": [{"kind": "initial", "consent_date": "2020-12-01", "completed": "2021-01-10"}],
            "eligibility": [{"date": "2021-01-20", "outcome": "eligible"}]}
    rule = "idea.timeline.reevaluation-overdue"
    # Without `agreements` the file cannot show there was no agreement to skip it.
    assert _severities(rulebook, data, D(2024, 3, 1), rule) == ["needs-data"]
    assert _severities(rulebook, {**data, "agreements": []}, D(2024, 3, 1), rule) == ["violation"]


def test_a_file_without_consents_cannot_show_an_evaluation_lacked_consent(rulebook):
    data = {"id": "no-consents", "jurisdiction": "US", "student": {"id": "s-pia"},
            "evaluations": [{"kind": "initial", "completed": "2024-02-01"}]}
    rule = "idea.consent.initial-evaluation"
    assert _severities(rulebook, data, D(2024, 3, 1), rule) == ["needs-data"]
    assert _severities(rulebook, {**data, "consents": []}, D(2024, 3, 1), rule) == ["violation"]


def test_absent_and_empty_lists_survive_a_round_trip():
    data = {"id": "rt", "jurisdiction": "US", "student": {"id": "s"}, "meetings": []}
    case = case_from_mapping(data)
    assert case.meetings == () and case.agreements is None
    again = case_to_mapping(case)
    assert again["meetings"] == [] and "agreements" not in again
    assert case_from_mapping(again) == case


def test_an_unknown_waiver_restart_value_is_a_clear_error():
    import pytest

    from iep_rules._errors import EvaluationError

    with pytest.raises(EvaluationError, match=r"reevaluation_waiver_restart.*due_date, agreement"):
        _timeline().build_timeline(case_from_mapping(WAIVED), D(2024, 3, 1),
                                   {"reevaluation_waiver_restart": "never"})


def test_a_revocation_without_the_consent_it_revokes_does_not_condemn_earlier_sessions(rulebook):
    # The file starts after consent was given: a revocation presumes it.
    data = {"id": "late-file", "jurisdiction": "US", "student": {"id": "s-quinn"},
            "consents": [{"kind": "initial_services", "date": "2024-01-10", "response": "revoked",
                          "written": True, "services_cease": "2024-01-19"}],
            "sessions": [{"date": "2023-12-05", "service": "sv", "status": "delivered", "minutes": 30}]}
    assert _severities(rulebook, data, D(2024, 3, 1), "idea.consent.services-without-consent") == ["needs-data"]


def test_a_meeting_recorded_as_other_within_30_days_leaves_the_30_day_rule_undecided(rulebook):
    data = {"id": "other", "jurisdiction": "US", "student": {"id": "s-rae"},
            "evaluations": [{"kind": "initial", "consent_date": "2024-01-08", "completed": "2024-02-20"}],
            "eligibility": [{"date": "2024-03-01", "outcome": "eligible"}],
            "meetings": [{"date": "2024-03-20", "purpose": "other"}],
            "ieps": [{"id": "i", "meeting_date": "2024-04-20", "start": "2024-04-22"}]}
    assert _severities(rulebook, data, D(2024, 6, 1),
                       "idea.timeline.iep-meeting-after-eligibility") == ["needs-data"]


def test_a_file_without_a_session_log_owes_nothing_it_cannot_show(rulebook):
    # Without `sessions` every expected session looked undocumented, hence owed: a false claim.
    data = {"id": "no-log", "jurisdiction": "US", "student": {"id": "s-sam"}, "calendars": CALENDAR,
            "ieps": [{"id": "i", "start": "2024-09-04", "end": "2025-06-20",
                      "services": [_weekly("sp", "2024-09-04", "2025-06-20")]}]}
    report = evaluate(rulebook, case_from_mapping(data), as_of=D(2024, 11, 30))
    assert report.ledger == ()
    assert [f for f in report.findings if f.rule_id.startswith("idea.makeup.services-owed")] == []
    report = evaluate(rulebook, case_from_mapping({**data, "sessions": []}), as_of=D(2024, 11, 30))
    assert report.ledger[0].owed_sessions == report.ledger[0].expected > 0
