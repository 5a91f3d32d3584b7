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
