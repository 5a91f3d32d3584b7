"""The issue-14 areas as a whole: a worked non-compliant case fires each area's rules on both
backends; a case that records nothing about an area gets nothing from it; school-day counts
never exceed the calendar."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import evaluate, load_case
from iep_rules._errors import IEPRulesError
from iep_rules.case import _records as r
from iep_rules.facts._schooldays import SchoolDayCounter
from iep_rules.strategies import calendars, cases

AREA_FILES = ["implementation", "evaluation-rights", "notices", "discipline", "progress-esy",
              "transfer", "no-cost"]

# Rules whose inputs include records that existed before these areas (consents, evaluations,
# calendars, services): they may speak on an old file, by design.
READS_OLD_RECORDS = {"idea.evaluation.iep-not-reviewed-after-reevaluation",
                     "nys.implementation.services-not-arranged-in-time"}


def _area_rule_ids(rulebook) -> set[str]:
    return {rule.id for rule in rulebook.resolve("US-NY-NYC").rules
            if Path(str(rule.source).split(":")[0]).stem in AREA_FILES}


def test_every_area_is_in_force_for_nyc(rulebook):
    files = {Path(str(rule.source).split(":")[0]) for rule in rulebook.resolve("US-NY-NYC").rules}
    for name in AREA_FILES:
        assert Path(f"rules/us/idea/{name}.yaml") in files, name


EXPECTED = {
    "idea.evaluation.suspected-area-not-assessed", "idea.evaluation.report-not-given-to-parent",
    "idea.evaluation.iee-refused-without-hearing", "nys.implementation.iep-copy-after-start",
    "idea.implementation.staff-not-informed", "idea.notice.iep-copy-to-parent",
    "idea.progress.report-not-issued", "idea.esy.not-individual",
    "idea.implementation.no-provider-at-start", "nys.implementation.services-not-arranged-in-time",
    "idea.implementation.service-not-in-place-material",
    "idea.discipline.manifestation-determination-late",
    "idea.discipline.behavior-plan-after-manifestation",
    "idea.discipline.no-services-after-tenth-day", "nys.discipline.principal-suspension-too-long",
    "idea.discipline.safeguards-notice-on-decision", "idea.notice.pwn-after-the-change",
    "idea.notice.pwn-missing-contents", "idea.notice.pwn-not-in-parent-language",
    "idea.no-cost.parent-asked-to-pay-or-arrange", "nys.notice.meeting-notice-too-late",
}


@pytest.mark.parametrize("backend", ["python", "durable"])
def test_worked_noncompliant_case(rulebook, backend):
    report = evaluate(rulebook, load_case("examples/areas-noncompliant-ny.json"),
                      as_of=dt.date(2025, 3, 1), backend=backend)
    mine = {f.rule_id: f for f in report.findings if f.rule_id in _area_rule_ids(rulebook)
            or f.rule_id.startswith("nys.")}
    assert set(mine) == EXPECTED
    assert all(f.severity != "needs-data" for f in mine.values())
    assert "17 school days" in mine["idea.discipline.manifestation-determination-late"].message


def _without_areas(case: r.Case) -> r.Case:
    """The same case with every issue-14 record and field taken out."""
    def service(s: r.Service) -> r.Service:
        return attrs.evolve(s, provider=None, provider_assigned_on=None)

    ieps = tuple(attrs.evolve(
        i, responsible_staff=None, distributed_to=None, parent_copy_given=None,
        parent_copy_date=None, progress_reports_due=None, progress_reports_issued=None,
        esy=None, participation_attempts=None,
        services=tuple(service(s) for s in i.services)) for i in case.ieps or ())
    return attrs.evolve(
        case, ieps=ieps, provision_checks=(), removals=(), behavior_plans=None,
        prior_written_notices=(), safeguards_notices=None, parent_costs=(), transfers=(),
        evaluations=None if case.evaluations is None else tuple(
            attrs.evolve(e, suspected_areas=None, areas_assessed=None, clock_exception=None,
                         completion_date_agreed=None) for e in case.evaluations),
        eligibility=None if case.eligibility is None else tuple(
            attrs.evolve(e, report_copy_given=None, report_copy_date=None)
            for e in case.eligibility))


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(case=cases(), as_of=st.dates(dt.date(2017, 1, 1), dt.date(2027, 1, 1)))
def test_a_file_without_the_areas_gets_nothing_from_them(rulebook, case, as_of):
    stripped = _without_areas(case)
    report = evaluate(rulebook, stripped, as_of=as_of, jurisdiction="US-NY-NYC")
    quiet = _area_rule_ids(rulebook) - READS_OLD_RECORDS
    assert [(f.rule_id, f.subject) for f in report.findings if f.rule_id in quiet] == []


@settings(max_examples=60, deadline=None)
@given(cal=calendars(), first=st.dates(dt.date(2015, 1, 1), dt.date(2028, 1, 1)),
       span=st.integers(0, 400))
def test_school_days_never_exceed_weekdays_in_the_year(cal, first, span):
    last = first + dt.timedelta(days=span)
    counter = SchoolDayCounter([cal], dt.date(2014, 1, 1), dt.date(2029, 1, 1))
    n = counter.count(first, last)
    assert n is not None and 0 <= n <= span + 1
    lo, hi = max(first, cal.year_start), min(last, cal.year_end)
    weekdays = sum(1 for k in range((hi - lo).days + 1)
                   if (lo + dt.timedelta(days=k)).weekday() < 5) if lo <= hi else 0
    assert n <= weekdays
    assert SchoolDayCounter([], first, last).count(first, last) is None


def test_a_misspelt_notice_content_code_is_a_located_error():
    """'sources of help' must not read as a notice that lacks the sources of help."""
    bad = {"id": "x", "jurisdiction": "US", "student": {"id": "s1"},
           "prior_written_notices": [{"date": "2024-10-01", "subject": "services",
                                      "elements": ["action", "sources of help"]}]}
    with pytest.raises(IEPRulesError) as err:
        load_case(bad)
    assert "$.prior_written_notices[0]" in str(err.value)
    assert "'sources of help'" in str(err.value)


def _item_facts(doc, scope, as_of=dt.date(2025, 3, 1)):
    from iep_rules import case_from_mapping
    from iep_rules.facts._namespace import items

    return [item.ns for item in items(case_from_mapping(doc), as_of, {scope})]


def _iee_case(evaluations, requests):
    doc = {"id": "x", "jurisdiction": "US", "student": {"id": "s1"}, "parent_requests": requests}
    if evaluations is not None:
        doc["evaluations"] = evaluations
    return doc


def test_an_independent_evaluation_is_not_a_district_evaluation_to_disagree_with():
    """300.502(b)(1): the right answers the district's own evaluation; an IEE on file (the
    timeline's `conducted_by`) does not give the parent a second publicly funded one."""
    iee = {"kind": "initial", "consent_date": "2024-05-01", "completed": "2024-06-10",
           "conducted_by": "independent"}
    request = {"date": "2024-10-01", "kind": "iee", "response": "refused",
               "due_process_filed": False}
    [ns] = _item_facts(_iee_case([iee], [request]), "parent_request")
    assert ns["agency_evaluation_before"] is False
    [ns] = _item_facts(_iee_case([{**iee, "conducted_by": "district"}], [request]),
                       "parent_request")
    assert (ns["agency_evaluation_before"], ns["iee_already_funded"]) == (True, False)


def test_an_earlier_grant_with_evaluations_not_on_file_is_unknown_not_funded():
    """Without `evaluations`, a new district evaluation may have followed the first IEE: the
    one-IEE limit (300.502(b)(5)) can neither excuse nor condemn the refusal."""
    granted = {"date": "2024-07-01", "kind": "iee", "response": "granted"}
    refused = {"date": "2024-12-01", "kind": "iee", "response": "refused",
               "due_process_filed": False}
    first, second = _item_facts(_iee_case(None, [granted, refused]), "parent_request")
    assert (first["iee_already_funded"], second["iee_already_funded"]) == (False, None)
    assert second["agency_evaluation_before"] is None


def test_no_progress_report_is_owed_after_the_child_left_special_education():
    """The IEP's last day is the timeline's `in_effect_until`: a report due after an exit (or
    after a later IEP took effect) is not this IEP's to issue."""
    iep = {"id": "i1", "meeting_date": "2024-08-20", "start": "2024-09-01", "end": "2025-08-31",
           "progress_reports_due": ["2024-11-15", "2025-02-15"],
           "progress_reports_issued": ["2024-11-10"]}
    doc = {"id": "x", "jurisdiction": "US", "student": {"id": "s1"}, "ieps": [iep]}
    [ns] = _item_facts(doc, "iep")
    assert ns["progress_reports_outstanding"] == (dt.date(2025, 2, 15),)
    doc["exits"] = [{"date": "2025-01-10", "reason": "moved_out"}]
    [ns] = _item_facts(doc, "iep")
    assert ns["progress_reports_outstanding"] == ()
    doc = {**doc, "exits": [], "ieps": [{**iep, "end": None},
                                        {"id": "i2", "meeting_date": "2025-01-20",
                                         "start": "2025-02-01"}]}
    first, _ = _item_facts(doc, "iep")
    assert first["progress_reports_outstanding"] == ()
