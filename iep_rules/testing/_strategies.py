"""Hypothesis strategies for case records (install the `test` extra: hypothesis is not a runtime
dependency of iep-rules).

Every strategy produces valid, internally consistent records: dates in order, services inside
their IEP's term, sessions inside the school year. Names are plural, knobs keyword-only, and bad
arguments raise `InvalidStrategyArgument` (an `IEPRulesError`) before anything is drawn.

    from iep_rules.strategies import cases, cases_violating
    @given(cases(jurisdiction="US-NY", min_services=1))
    def test_my_property(case): ...
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any, TypeVar

from hypothesis import strategies as st

from .._errors import IEPRulesError
from ..case import _records as r

T = TypeVar("T")

__all__ = [
    "InvalidStrategyArgument", "agreements", "assessments", "behavior_plans", "calendars",
    "cases", "cases_satisfying", "cases_violating", "consents", "dates", "eligibilities",
    "evaluations", "excusals", "exits", "ieps", "malformed_case_documents", "meetings",
    "parent_costs",
    "parent_requests", "placements", "prior_written_notices", "provision_checks", "referrals",
    "removals", "safeguards_notices", "services", "sessions", "students", "transfers",
]

_FIRST, _LAST = dt.date(2015, 1, 1), dt.date(2027, 12, 31)
_JURISDICTION = re.compile(r"US(-[A-Z]{2}(-[A-Z0-9]{2,8})?)?")


class InvalidStrategyArgument(IEPRulesError, ValueError):
    """A strategy was called with arguments it cannot honour."""


def _check(ok: bool, message: str) -> None:
    if not ok:
        raise InvalidStrategyArgument(message)


def _maybe(strategy: st.SearchStrategy[T]) -> st.SearchStrategy[T | None]:
    return st.one_of(st.none(), strategy)


def dates(*, min_value: dt.date = _FIRST, max_value: dt.date = _LAST
          ) -> st.SearchStrategy[dt.date]:
    _check(min_value <= max_value, f"dates(): min_value {min_value} is after max_value {max_value}")
    return st.dates(min_value=min_value, max_value=max_value)


_WORDS = st.sampled_from(["reading", "math", "articulation", "attention", "fine motor",
                          "social skills", "written expression", "self-regulation"])


def students() -> st.SearchStrategy[r.Student]:
    return st.builds(
        r.Student, id=st.from_regex(r"student-[0-9a-f]{4}", fullmatch=True),
        date_of_birth=_maybe(dates(min_value=dt.date(2002, 1, 1), max_value=dt.date(2021, 1, 1))),
        english_learner=_maybe(st.booleans()),
        home_language=_maybe(st.sampled_from(["English", "Spanish", "Bengali", "Mandarin"])),
        school=_maybe(st.sampled_from(["Example Elementary", "Example Middle", "Example High"])),
    )


def referrals(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.Referral]:
    return st.builds(r.Referral, date=dates(max_value=latest),
                     source=_maybe(st.sampled_from(["parent", "school"])))


@st.composite
def consents(draw: st.DrawFn, *, latest: dt.date = _LAST) -> r.Consent:
    """A consent; a revocation may carry its notice and cessation dates (in order), a request
    left unanswered whether the district's efforts are documented."""
    day = draw(dates(max_value=latest))
    response = draw(st.sampled_from(r.ConsentResponse))
    notice = cease = None
    if response is r.ConsentResponse.REVOKED:
        notice = draw(_maybe(dates(min_value=day, max_value=min(_LAST, day + dt.timedelta(30)))))
        cease = draw(_maybe(dates(min_value=notice or day,
                                  max_value=min(_LAST, day + dt.timedelta(45)))))
    efforts = draw(_maybe(st.booleans())) if response is r.ConsentResponse.NO_RESPONSE else None
    return r.Consent(kind=draw(st.sampled_from(r.ConsentKind)), date=day, response=response,
                     written=draw(_maybe(st.booleans())), prior_written_notice_date=notice,
                     services_cease=cease, reasonable_efforts=efforts)


@st.composite
def evaluations(draw: st.DrawFn, *, latest: dt.date = _LAST) -> r.Evaluation:
    consent = draw(_maybe(dates(max_value=latest)))
    completed = draw(_maybe(dates(min_value=consent or _FIRST, max_value=latest)))
    return r.Evaluation(kind=draw(st.sampled_from(r.EvaluationKind)), consent_date=consent,
                        completed=completed,
                        purpose=draw(st.sampled_from(["idea", "idea", "section_504"])),
                        conducted_by=draw(st.sampled_from([r.Evaluator.DISTRICT,
                                                           r.Evaluator.DISTRICT,
                                                           r.Evaluator.INDEPENDENT])),
                        new_assessments=draw(_maybe(st.booleans())),
                        needs=tuple(draw(st.lists(_WORDS, max_size=2, unique=True))))


def eligibilities(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.Eligibility]:
    return st.builds(
        r.Eligibility, date=dates(max_value=latest), outcome=st.sampled_from(r.Outcome),
        classification=_maybe(st.sampled_from(r.Classification)),
        adverse_effect=_maybe(st.booleans()), needs_special_education=_maybe(st.booleans()),
        determinant_factors=st.lists(st.sampled_from(r.DeterminantFactor), max_size=3,
                                     unique=True).map(tuple),
        impairments_noted=st.lists(st.sampled_from(["adhd", "deafness", "blindness", "anxiety"]),
                                   max_size=2, unique=True).map(tuple),
        section_504_referral=_maybe(st.booleans()),
    )


def meetings(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.Meeting]:
    return st.builds(
        r.Meeting, date=dates(max_value=latest),
        purpose=st.sampled_from(r.MeetingPurpose),
        attendees=st.lists(st.sampled_from(["parent", "special_education_teacher",
                                            "district_representative"]), unique=True).map(tuple),
        parent_language=_maybe(_LANGUAGES), interpreter_requested=_maybe(st.booleans()),
        interpreter_provided=_maybe(st.booleans()), parent_deaf=_maybe(st.booleans()),
        meeting_language=_maybe(_LANGUAGES), interpreter_declined=_maybe(st.booleans()))


_LANGUAGES = st.sampled_from(["English", "Spanish", "Bengali", "Mandarin"])
_ROLES = ["parent", "special_education_teacher", "general_education_teacher",
          "district_representative", "evaluation_interpreter", "school_psychologist"]


def excusals() -> st.SearchStrategy[r.Excusal]:
    return st.builds(r.Excusal, role=st.sampled_from(_ROLES[1:5]),
                     parent_agreed_in_writing=_maybe(st.booleans()),
                     area_discussed=_maybe(st.booleans()), written_input=_maybe(st.booleans()))


def assessments() -> st.SearchStrategy[r.Assessment]:
    return st.builds(
        r.Assessment, mode=_maybe(st.sampled_from(r.AssessmentMode)),
        accommodations=st.lists(st.sampled_from(["extended time", "separate location"]),
                                max_size=2, unique=True).map(tuple),
        alternate_assessment=_maybe(st.just("NYSAA")),
        alternate_reason=_maybe(st.just("needs instruction on alternate standards")))


def _around(meeting: dt.date | None) -> st.SearchStrategy[dt.date]:
    """Dates within a month before a meeting (or anywhere, when the meeting date is unknown)."""
    if meeting is None:
        return dates()
    return dates(min_value=max(_FIRST, meeting - dt.timedelta(days=30)), max_value=meeting)


@st.composite
def services(draw: st.DrawFn, *, within: tuple[dt.date, dt.date] | None = None,
             index: int = 0) -> r.Service:
    """A service mandate; `within` keeps its start and end inside an IEP term."""
    lo, hi = within or (_FIRST, _LAST)
    start = draw(_maybe(dates(min_value=lo, max_value=hi)))
    end = draw(_maybe(dates(min_value=start or lo, max_value=hi)))
    return r.Service(
        id=f"svc-{index}",
        name=draw(st.sampled_from(["speech_language_therapy", "counseling",
                                   "occupational_therapy", "special_education_teacher_support"])),
        frequency=draw(_maybe(st.builds(r.Frequency, times=st.integers(1, 5),
                                        per=st.sampled_from(r.FrequencyUnit)))),
        duration_minutes=draw(_maybe(st.sampled_from([20, 30, 40, 45, 60]))),
        location=draw(_maybe(st.sampled_from(["separate location",
                                              "general education classroom"]))),
        start=start, end=end,
        basis=draw(_maybe(st.sampled_from(["need", "provider_availability", "general_policy"]))),
        weekdays=tuple(draw(st.lists(st.sampled_from(["monday", "tuesday", "wednesday",
                                                      "thursday", "friday"]),
                                     max_size=2, unique=True))),
        provider=draw(_maybe(st.just("Example Provider"))),
        provider_assigned_on=draw(_maybe(dates(min_value=lo, max_value=hi))),
    )


_STAFF = st.sampled_from(["classroom_teacher", "special_education_teacher", "speech_provider"])
_ESY_BASIS = ["individual_needs", "regression_recoupment", "disability_category",
              "district_policy"]


@st.composite
def ieps(draw: st.DrawFn, *, index: int = 0, min_services: int = 0,
         max_services: int = 2, latest: dt.date = _LAST) -> r.IEP:
    """An IEP whose meeting and start are on or before `latest` (its term may run past it)."""
    _check(0 <= min_services <= max_services, "ieps(): need 0 <= min_services <= max_services")
    start = draw(dates(max_value=min(latest, dt.date(2026, 12, 31))))
    end = start + dt.timedelta(days=draw(st.integers(0, 400)))
    n = draw(st.integers(min_services, max_services))
    meeting = draw(st.sampled_from([max(_FIRST, start - dt.timedelta(
        days=draw(st.integers(0, 60)))), None]))
    attempts = st.builds(r.ParticipationAttempt, date=_around(meeting),
                         kind=st.sampled_from(r.AttemptKind))
    requests = st.builds(r.RescheduleRequest, date=_around(meeting),
                         response=_maybe(st.sampled_from(r.RequestResponse)))
    return r.IEP(
        id=f"iep-{index}",
        meeting_date=meeting,
        start=draw(st.sampled_from([start, start, None])),
        end=draw(st.sampled_from([end, end, None])),
        purpose=draw(_maybe(st.sampled_from(r.MeetingPurpose))),
        team_present=tuple(draw(st.lists(st.sampled_from(_ROLES), unique=True))),
        excusals=tuple(draw(st.lists(excusals(), max_size=1))),
        in_regular_education=draw(_maybe(st.booleans())),
        parent_participated_by=draw(_maybe(st.sampled_from(r.ParticipationMethod))),
        reschedule_requests=draw(_maybe(st.lists(requests, max_size=2).map(tuple))),
        participation_attempts=draw(_maybe(st.lists(attempts, max_size=3).map(tuple))),
        assessment=draw(_maybe(assessments())),
        present_levels=draw(_maybe(st.lists(st.sampled_from(
            ["academic", "social", "physical", "management"]), unique=True).map(tuple))),
        goals=draw(_maybe(st.lists(st.builds(r.Goal, area=_WORDS, measurable=_maybe(st.booleans()),
                                             objectives_measurable=_maybe(st.booleans())),
                                   max_size=2).map(tuple))),
        services=tuple(draw(services(within=(start, end), index=i)) for i in range(n)),
        transition=draw(_maybe(st.builds(
            r.Transition,
            postsecondary_goals=st.lists(st.just("college"), max_size=1).map(tuple),
            services=st.lists(st.just("job shadowing"), max_size=1).map(tuple)))),
        makeup_provision=draw(_maybe(st.just("made up before June 30"))),
        responsible_staff=draw(_maybe(st.lists(_STAFF, max_size=2, unique=True).map(tuple))),
        distributed_to=draw(_maybe(st.lists(st.builds(
            r.IEPCopy, recipient=_STAFF, date=dates(min_value=start - dt.timedelta(days=20),
                                                    max_value=end),
            informed_of_responsibilities=_maybe(st.booleans())), max_size=2).map(tuple))),
        parent_copy_given=draw(_maybe(st.booleans())),
        progress_reports_due=draw(_maybe(st.lists(dates(min_value=start, max_value=end),
                                                  max_size=3).map(tuple))),
        progress_reports_issued=draw(_maybe(st.lists(dates(min_value=start, max_value=end),
                                                     max_size=3).map(tuple))),
        esy=draw(_maybe(st.builds(
            r.ESYDecision, date=_maybe(dates(min_value=start, max_value=end)),
            needed=_maybe(st.booleans()),
            basis=_maybe(st.lists(st.sampled_from(_ESY_BASIS), max_size=2, unique=True)
                         .map(tuple)),
            limited_by_policy=_maybe(st.booleans())))),
    )


def placements(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.Placement]:
    factors = ["iep", "individual_needs", "availability_of_space", "administrative_convenience"]
    return st.builds(r.Placement, date=dates(max_value=latest),
                     setting=st.sampled_from(["special class", "general education"]),
                     decided_by=st.lists(st.sampled_from(["parent", "district_representative"]),
                                         unique=True).map(tuple),
                     basis_factors=st.lists(st.sampled_from(factors), unique=True).map(tuple))


def parent_requests(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.ParentRequest]:
    return st.builds(r.ParentRequest, date=dates(max_value=latest),
                     kind=st.sampled_from(["evaluation", "meeting", "interpreter"]),
                     response=st.sampled_from(r.RequestResponse),
                     prior_written_notice_date=_maybe(dates(max_value=latest)))


def agreements(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.WrittenAgreement]:
    return st.builds(r.WrittenAgreement, date=dates(max_value=latest), kind=st.sampled_from(
        ["reevaluation_unnecessary", "more_frequent_reevaluation"]))


def exits(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.Exit]:
    return st.builds(r.Exit, date=dates(max_value=latest), reason=st.sampled_from(r.ExitReason))


def _listed(draw: st.DrawFn, strategy: st.SearchStrategy[T], max_size: int
            ) -> tuple[T, ...] | None:
    """A case list, now and then absent (unknown) rather than empty."""
    if draw(st.integers(0, 5)) == 0:
        return None
    return tuple(draw(st.lists(strategy, max_size=max_size)))


@st.composite
def calendars(draw: st.DrawFn, *, latest: dt.date = _LAST) -> r.SchoolCalendar:
    """A school year starting on or before `latest`."""
    year = draw(st.integers(2016, max(2016, min(2026, latest.year - (latest.month < 9)))))
    start, end = dt.date(year, 9, 5), dt.date(year + 1, 6, 25)
    closure_start = draw(dates(min_value=start, max_value=end))
    closure = r.Closure(closure_start, min(end, closure_start + dt.timedelta(
        days=draw(st.integers(0, 9)))), "recess")
    return r.SchoolCalendar(start, end, (closure,))


def sessions(*, service_ids: list[str], calendar: r.SchoolCalendar
             ) -> st.SearchStrategy[r.SessionLog]:
    """Session log entries for the given services, dated inside the school year."""
    _check(bool(service_ids), "sessions(): service_ids must not be empty")
    day = dates(min_value=calendar.year_start, max_value=calendar.year_end)
    return st.builds(
        r.SessionLog, date=day, service=st.sampled_from(service_ids),
        status=st.sampled_from(r.SessionStatus), minutes=_maybe(st.integers(5, 60)),
        reason=_maybe(st.sampled_from(["provider_absence", "student_absence", "school_caused"])),
        makeup_for=_maybe(day))


def provision_checks(*, service_ids: list[str], latest: dt.date = _LAST
                     ) -> st.SearchStrategy[r.ProvisionCheck]:
    """Dated checks of whether one of the given services was in place."""
    _check(bool(service_ids), "provision_checks(): service_ids must not be empty")
    return st.builds(r.ProvisionCheck, date=dates(max_value=latest),
                     service=st.sampled_from(service_ids), provided=st.booleans(),
                     source=_maybe(st.just("classroom visit")))


@st.composite
def removals(draw: st.DrawFn, *, latest: dt.date = _LAST) -> r.Removal:
    """A disciplinary removal; its decision comes on or before its first day."""
    start = draw(dates(max_value=latest))
    decision = start - dt.timedelta(days=draw(st.integers(0, 3)))
    review_date = draw(_maybe(dates(min_value=decision, max_value=decision
                                    + dt.timedelta(days=30))))
    return r.Removal(
        start=start, kind=draw(st.sampled_from(r.RemovalKind)),
        end=draw(_maybe(st.integers(0, 70).map(lambda n: start + dt.timedelta(days=n)))),
        special_circumstance=draw(_maybe(st.sampled_from(r.SpecialCircumstance))),
        decision_date=draw(st.sampled_from([decision, None])),
        decided_by=draw(_maybe(st.sampled_from(["principal", "superintendent"]))),
        change_of_placement=draw(_maybe(st.booleans())),
        counts_as_removal=draw(_maybe(st.booleans())),
        services_provided=draw(_maybe(st.booleans())),
        manifestation=draw(_maybe(st.builds(
            r.ManifestationReview, held=st.booleans(), date=st.just(review_date),
            caused_by_disability=_maybe(st.booleans()),
            iep_not_implemented=_maybe(st.booleans())))),
    )


def behavior_plans(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.BehaviorPlan]:
    return st.builds(r.BehaviorPlan, kind=st.sampled_from(r.BehaviorPlanKind),
                     date=dates(max_value=latest))


_PWN_ELEMENTS = list(r.PWN_ELEMENTS)


def prior_written_notices(*, latest: dt.date = _LAST
                          ) -> st.SearchStrategy[r.PriorWrittenNotice]:
    return st.builds(
        r.PriorWrittenNotice, date=dates(max_value=latest),
        subject=st.sampled_from(["placement", "services", "evaluation"]),
        action=st.sampled_from(r.NoticeAction), effective_date=_maybe(dates(max_value=latest)),
        elements=_maybe(st.lists(st.sampled_from(_PWN_ELEMENTS), unique=True).map(tuple)),
        language=_maybe(st.sampled_from(["English", "Spanish"])),
        parent_language=_maybe(st.sampled_from(["English", "spanish"])),
        translation_not_feasible=_maybe(st.booleans()))


def safeguards_notices(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.SafeguardsNotice]:
    return st.builds(r.SafeguardsNotice, date=dates(max_value=latest),
                     occasion=_maybe(st.sampled_from(["annual", "referral"])))


def parent_costs(*, latest: dt.date = _LAST) -> st.SearchStrategy[r.ParentCost]:
    return st.builds(r.ParentCost, date=dates(max_value=latest),
                     item=st.sampled_from(["speech_language_therapy", "class trip fee"]),
                     request=st.sampled_from(r.CostRequest),
                     fee_charged_to_all_students=_maybe(st.booleans()))


@st.composite
def transfers(draw: st.DrawFn, *, latest: dt.date = _LAST) -> r.Transfer:
    enrolled = draw(dates(max_value=latest))
    return r.Transfer(
        enrolled=enrolled, interstate=draw(_maybe(st.booleans())),
        same_school_year=draw(_maybe(st.booleans())),
        prior_iep_in_effect=draw(_maybe(st.booleans())),
        comparable_services_provided=draw(_maybe(st.booleans())),
        comparable_services_from=draw(_maybe(dates(min_value=enrolled,
                                                   max_value=max(enrolled, latest)))),
        new_iep_date=draw(_maybe(dates(min_value=enrolled, max_value=max(enrolled, latest)))))


def cases(*, jurisdiction: str | None = None, as_of: dt.date | None = None,
          min_services: int = 0, max_ieps: int = 3) -> st.SearchStrategy[r.Case]:
    """A whole case. `jurisdiction` fixes the code (else US or US-NY); `as_of` keeps every
    recorded event on or before that date; `min_services` puts at least that many services in
    the first IEP. Bad arguments raise `InvalidStrategyArgument` here, not at draw time."""
    _check(jurisdiction is None or bool(_JURISDICTION.fullmatch(jurisdiction)),
           f"cases(): jurisdiction must look like US, US-NY or US-NY-NYC, got {jurisdiction!r}")
    _check(min_services >= 0 and max_ieps >= (1 if min_services else 0),
           "cases(): min_services needs at least one IEP (max_ieps >= 1)")
    _check(as_of is None or dt.date(2016, 9, 30) <= as_of,
           "cases(): as_of must be on or after 2016-09-30 (the first generated school year)")
    return _cases(jurisdiction=jurisdiction, latest=as_of or _LAST, min_services=min_services,
                  max_ieps=max_ieps)


@st.composite
def _cases(draw: st.DrawFn, *, jurisdiction: str | None, latest: dt.date, min_services: int,
           max_ieps: int) -> r.Case:
    code = jurisdiction or draw(st.sampled_from(["US", "US-NY"]))
    n_ieps = draw(st.integers(1 if min_services else 0, max_ieps))
    plans = tuple(draw(ieps(index=i, min_services=min_services if i == 0 else 0,
                            max_services=max(2, min_services), latest=latest))
                  for i in range(n_ieps))
    cals = tuple(draw(st.lists(calendars(latest=latest), max_size=1)))
    ids = [s.id for p in plans for s in p.services]
    logs: tuple[r.SessionLog, ...] = ()
    if cals and ids:
        logs = tuple(s for s in draw(st.lists(sessions(service_ids=ids, calendar=cals[0]),
                                              max_size=10)) if s.date <= latest)
    return r.Case(
        id=f"case-{draw(st.integers(0, 10**9))}", jurisdiction=code, student=draw(students()),
        referral=draw(_maybe(referrals(latest=latest))),
        consents=_listed(draw, consents(latest=latest), 2),
        evaluations=_listed(draw, evaluations(latest=latest), 3),
        eligibility=_listed(draw, eligibilities(latest=latest), 2),
        meetings=_listed(draw, meetings(latest=latest), 1),
        ieps=plans, placements=_listed(draw, placements(latest=latest), 1),
        parent_requests=_listed(draw, parent_requests(latest=latest), 1),
        agreements=_listed(draw, agreements(latest=latest), 1),
        sessions=logs, calendars=cals,
        provision_checks=tuple(draw(st.lists(provision_checks(service_ids=ids, latest=latest),
                                             max_size=2))) if ids else (),
        removals=tuple(draw(st.lists(removals(latest=latest), max_size=2))),
        behavior_plans=draw(_maybe(st.lists(behavior_plans(latest=latest), max_size=2)
                                   .map(tuple))),
        prior_written_notices=tuple(draw(st.lists(prior_written_notices(latest=latest),
                                                  max_size=1))),
        safeguards_notices=draw(_maybe(st.lists(safeguards_notices(latest=latest), max_size=2)
                                       .map(tuple))),
        parent_costs=tuple(draw(st.lists(parent_costs(latest=latest), max_size=1))),
        transfers=tuple(draw(st.lists(transfers(latest=latest), max_size=1))),
        exits=_listed(draw, exits(latest=latest), 1),
    )


def _rule_outcome(rule_id: str, want: Callable[[set[str]], bool], jurisdiction: str | None,
                  as_of: dt.date) -> st.SearchStrategy[r.Case]:
    from ..engine._evaluate import evaluate  # imported late: strategies stay cheap to import
    from ..rulebook._rulebook import load_rulebook

    book = load_rulebook()
    code = jurisdiction or "US-NY-NYC"
    _check(book.rule(rule_id, code) is not None, f"no rule {rule_id!r} in force for {code}")

    def outcome(case: r.Case) -> set[str]:
        report = evaluate(book, case, as_of=as_of, jurisdiction=code)
        return {f.severity for f in report.findings if f.rule_id == rule_id}

    return cases(jurisdiction=jurisdiction).filter(lambda case: want(outcome(case)))


def cases_violating(rule_id: str, *, jurisdiction: str | None = None,
                    as_of: dt.date = dt.date(2025, 6, 1)) -> st.SearchStrategy[r.Case]:
    """Cases on which `rule_id` fires (not needs-data). Drawn from `cases()` and filtered, so a
    rule that fires rarely on random cases makes hypothesis report a filter health check."""
    return _rule_outcome(rule_id, lambda s: bool(s - {"needs-data"}), jurisdiction, as_of)


def cases_satisfying(rule_id: str, *, jurisdiction: str | None = None,
                     as_of: dt.date = dt.date(2025, 6, 1)) -> st.SearchStrategy[r.Case]:
    """Cases on which `rule_id` produces no finding at all."""
    return _rule_outcome(rule_id, lambda s: not s, jurisdiction, as_of)


def _not_a_date(value: Any) -> bool:
    if value is None:
        return False  # an absent date of birth is allowed
    if isinstance(value, str):
        try:
            dt.date.fromisoformat(value)
        except ValueError:
            return True
        return False
    return True


def malformed_case_documents() -> st.SearchStrategy[Any]:
    """JSON-like documents that are not valid cases: wrong types, missing fields, bad dates,
    huge numbers, deep nesting, unknown keys. Loading each must raise `CaseError`."""
    good = {"id": "c1", "jurisdiction": "US", "student": {"id": "s1"}}
    junk = st.one_of(st.none(), st.booleans(), st.integers(-(10**30), 10**30),
                     st.floats(allow_nan=True), st.text(max_size=12),
                     st.lists(st.integers(), max_size=3))
    bad_dates = st.sampled_from(["2024-02-30", "24-01-01", "", "2024-13-01", "99999-01-01"])

    def nest(depth: int) -> Any:
        doc: Any = "x"
        for _ in range(depth):
            doc = {"student": doc}
        return doc

    def mutated(kind: str, value: Any) -> Any:
        doc = json.loads(json.dumps(good))
        if kind == "drop":
            doc.pop(value)
        elif kind == "date":
            doc["student"]["date_of_birth"] = value
        elif kind == "extra":
            doc["unexpected"] = value
        elif kind == "type":
            frequency = {"times": value, "per": "week"}
            doc["ieps"] = [{"id": "i", "services": [{"id": "s", "name": "x",
                                                     "frequency": frequency}]}]
        return doc

    return st.one_of(
        junk,
        st.builds(mutated, st.just("drop"), st.sampled_from(["id", "jurisdiction", "student"])),
        st.builds(mutated, st.just("date"), st.one_of(bad_dates, junk.filter(_not_a_date))),
        st.builds(mutated, st.just("extra"), junk),
        st.builds(mutated, st.just("type"), st.one_of(st.text(max_size=3), st.floats(),
                                                      st.integers(max_value=0), st.none())),
        st.integers(50, 3000).map(nest),
    )


for _cls, _strategy in [
    (r.Student, students()), (r.Referral, referrals()), (r.Consent, consents()),
    (r.Evaluation, evaluations()),
    (r.Eligibility, eligibilities()), (r.Meeting, meetings()), (r.Service, services()),
    (r.IEP, ieps()), (r.Placement, placements()), (r.Excusal, excusals()),
    (r.Assessment, assessments()), (r.ParentRequest, parent_requests()),
    (r.WrittenAgreement, agreements()), (r.SchoolCalendar, calendars()), (r.Exit, exits()),
    (r.Case, cases()),
    (r.Removal, removals()), (r.BehaviorPlan, behavior_plans()),
    (r.PriorWrittenNotice, prior_written_notices()), (r.SafeguardsNotice, safeguards_notices()),
    (r.ParentCost, parent_costs()), (r.Transfer, transfers()),
]:
    st.register_type_strategy(_cls, _strategy)
