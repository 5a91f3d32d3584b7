"""Derived facts, each declared once: its name, kind, meaning, law, and computation.

Modelled on OpenFisca's variables: a declaration is the single place a fact is defined. The
namespace (facts/_namespace.py) computes facts from these declarations, the rule-file checker
reads their kinds, and docs/facts.md is generated from them (`python -m iep_rules.facts._derived`).
A fact's computation is the docstring of its function. Values are None when the file cannot
say (a needs-data answer), never a guess.
"""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Callable, Iterable
from typing import Any

import attrs

from ..case import _records as r
from . import _age
from ._areas import _years_without_notice as years_without_safeguards_notice
from ._ledger import LEDGER_FACTS_DECLARED
from ._timeline import Timeline, counts_for_clocks, iep_start, known


@attrs.frozen
class ListOf:
    element: Any  # a kind string or a record description (dict)


@attrs.frozen
class Derived:
    name: str  # as a rule names it, after the scope prefix (e.g. `last_annual_review`)
    scope: str  # "case": shared by every item as `case.<name>`; else that scope's items
    kind: Any  # "date", "number", "bool", "string" or ListOf(...)
    meaning: str
    cite: str  # the law the fact follows ("" when it only summarises records)
    compute: Callable[..., Any] | None  # (timeline) or (timeline, index); None: computed elsewhere

    @property
    def computation(self) -> str:
        doc = (self.compute.__doc__ if self.compute else "") or ""
        return " ".join(doc.split())

    @property
    def path(self) -> str:
        return f"case.{self.name}" if self.scope == "case" else f"{self.scope}: {self.name}"


DECLARED: list[Derived] = []


def derived(scope: str, kind: Any, meaning: str, cite: str = "", *, name: str = ""
            ) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the decorated function as the derived fact `name` (default: its own name)."""

    def register(fn: Callable[..., Any]) -> Callable[..., Any]:
        DECLARED.append(Derived(name or fn.__name__, scope, kind, meaning, cite, fn))
        return fn

    return register


def _dates(items: Iterable[dt.date]) -> tuple[dt.date, ...]:
    return tuple(sorted(items))


# ---- the student ----------------------------------------------------------------------------

def age_on(dob: dt.date | None, on: dt.date) -> int | None:
    """Whole years from the date of birth to the date, by the library's one age function
    (facts/_age.py, which the rule functions `age_on` and `date_turns` also use): a child born
    on 29 February turns a year older on 28 February in a common year."""
    return None if dob is None else _age.age_on(dob, on)


STUDENT_AGE = Derived("age", "student", "number", "the student's age in whole years on `as_of`",
                      "", age_on)


# ---- case: IEPs and the annual review ------------------------------------------------------

@derived("case", "number", "IEPs on record (unknown when the file carries no `ieps`)")
def iep_count(t: Timeline) -> int | None:
    """Length of `ieps`."""
    return None if t.case.ieps is None else len(t.case.ieps)


@derived("case", "number", "IEPs of the current episode of special education")
def ieps_this_episode(t: Timeline) -> int | None:
    """IEPs met or started by `as_of`, after the last exit or written revocation (all of them
    if there was none)."""
    return None if t.case.ieps is None else t.ieps_this_episode()


@derived("case", "string", "id of the IEP in effect on `as_of`",
         "34 CFR 300.324(b)(1)(i); 300.323(a)")
def iep_in_effect(t: Timeline) -> str | None:
    """The IEP whose span covers `as_of`: an IEP is in effect from its start (else meeting
    date, else first service start) until the earliest of its end date, the day before the next
    IEP starts, the last day of services after a written revocation, and an exit."""
    index = t.iep_in_effect(t.as_of)
    return None if index is None else known(t.case.ieps)[index].id


@derived("case", "date", "latest IEP meeting date (any purpose) on or before `as_of`; unknown if "
         "any IEP lacks a meeting date")
def last_iep_meeting(t: Timeline) -> dt.date | None:
    """Maximum `ieps[].meeting_date` up to `as_of`."""
    ieps = known(t.case.ieps)
    if t.case.ieps is None or any(i.meeting_date is None for i in ieps):
        return None
    return max((i.meeting_date for i in ieps
                if i.meeting_date and i.meeting_date <= t.as_of), default=None)


@derived("case", "date", "latest initial or annual-review IEP meeting of the current episode: "
         "the annual-review clock (amendments do not reset it)",
         "34 CFR 300.324(b)(1)(i); 300.324(a)(4)-(6)")
def last_annual_review(t: Timeline) -> dt.date | None:
    """Meetings with purpose initial or annual_review, and IEPs whose purpose is one of those
    (or unrecorded, unless a meeting that day had another purpose: presuming a review can only
    delay a finding). Unknown when an IEP that could be later has no meeting date."""
    return t.last_annual_review()


@derived("case", "number", "amendments to the IEP since the last annual review (meetings or IEPs "
         "whose purpose is `amendment`, counted once per date)", "34 CFR 300.324(a)(4)-(6)")
def amendments_since_last_review(t: Timeline) -> int | None:
    """Distinct dates after `last_annual_review` and by `as_of` of meetings and IEPs with purpose
    `amendment` (an IEP's meeting date, else its start). Unknown when the review date is unknown
    or the file carries neither `meetings` nor `ieps`; lets a finding cite the amendment rule
    only when an amendment happened."""
    last = t.last_annual_review()
    if last is None or (t.case.meetings is None and t.case.ieps is None):
        return None
    amendment = r.MeetingPurpose.AMENDMENT
    days = {m.date for m in known(t.case.meetings) if m.purpose is amendment}
    days |= {day for iep in known(t.case.ieps) if iep.purpose is amendment
             for day in [iep.meeting_date or iep_start(iep)] if day is not None}
    return sum(1 for day in days if last < day <= t.as_of)


@derived("case", "bool", "whether an overdue annual review is still inside a postponement the "
         "parent asked for (parameter `annual_review_parent_postponement_days` past the due date)",
         "34 CFR 300.322(a)(2); 300.322(d); 300.324(b)(1)(i)")
def review_postponed_by_parent(t: Timeline) -> bool | None:
    """True when `as_of` is past the review due date (last review plus
    `annual_review_interval_months`) by at most `annual_review_parent_postponement_days` and a
    parent request of kind `reschedule_meeting`, not refused, was made after the last review and
    by the due date. False outside that window, with no known review date, or when the file
    carries no `parent_requests` (the postponement must be shown)."""
    return t.review_postponed_by_parent()


# ---- case: eligibility, exits, revocation ----------------------------------------------------

@derived("case", "bool", "outcome of the latest eligibility decision on or before `as_of`")
def currently_eligible(t: Timeline) -> bool | None:
    """True if the latest decision found the child eligible; unknown if there is none."""
    return t.currently_eligible


@derived("case", "bool", "whether the child is in special education on `as_of`: false after an "
         "exit or a written revocation until a return",
         "34 CFR 300.300(b)(4); 300.102(a)(3); 300.305(e)")
def in_special_education(t: Timeline) -> bool | None:
    """False after the last stop (an exit in `exits`, a written revocation of consent to services,
    a not-eligible finding) unless a later services consent, eligible finding or IEP shows a
    return, and while a refusal of consent to initial services is in force
    (`services_consent_refused_on`); otherwise `currently_eligible`. With no eligibility
    decision yet: false when the file carries `eligibility` and `ieps` and the episode has no
    IEP (a referred child), else unknown. Unknown after a revocation whose being in writing is
    unrecorded."""
    return t.in_special_education


@derived("case", "bool", "whether the child came back to special education after an exit or "
         "revocation and has no IEP of the new episode yet")
def returned_awaiting_iep(t: Timeline) -> bool | None:
    """True when an earlier stop was followed by a return (a new consent to services, eligible
    finding or IEP) and the current episode has no IEP yet: clocks from the earlier episode do
    not carry over. False when there was no stop; unknown when the file carries no `ieps`."""
    if not t.stops or t.current_stop is not None:
        return False
    return None if t.case.ieps is None else t.ieps_this_episode() == 0


@derived("case", "date", "date of the exit or written revocation after which no clock runs")
def stopped_on(t: Timeline) -> dt.date | None:
    """The last stop on or before `as_of`, unless the child has returned since."""
    stop = t.current_stop
    return None if stop is None else stop.date


@derived("case", "string", "why the child left special education (an `exits[].reason` code)")
def stop_reason(t: Timeline) -> str | None:
    """Reason of `stopped_on`."""
    stop = t.current_stop
    return None if stop is None else stop.reason


# ---- case: reevaluation clock ----------------------------------------------------------------

@derived("case", "date", "latest completed district IDEA evaluation of the current episode "
         "(an IEE or a Section 504 evaluation does not count)", "34 CFR 300.303(b)(2); 300.502")
def last_evaluation_completed(t: Timeline) -> dt.date | None:
    """Maximum `completed` over evaluations with purpose idea, conducted by the district."""
    return None if t.case.evaluations is None else t.last_evaluation_completed()


@derived("case", "date", "start of the current three-year reevaluation period",
         "34 CFR 300.303(b)(2); 300.300(c)(1)(iii)")
def reevaluation_clock_start(t: Timeline) -> dt.date | None:
    """The last district evaluation, moved on by each agreement that a reevaluation is
    unnecessary, and by each written refusal of consent to reevaluate (the district may decline
    to pursue it): to the waived due date, or to the agreement or refusal date (parameter
    `reevaluation_waiver_restart`); one made after its due date restarts at its own date. Each
    covers only the period it was made in."""
    return t.reevaluation_clock_start


@derived("case", "date", "date the next reevaluation is due", "34 CFR 300.303(b)(2)")
def reevaluation_due(t: Timeline) -> dt.date | None:
    """`reevaluation_clock_start` plus `reevaluation_interval_months`."""
    return t.reevaluation_due


@derived("case", ListOf("string"), "kinds of agreements dated on or before `as_of`")
def agreement_kinds(t: Timeline) -> tuple[str, ...] | None:
    """Distinct `agreements[].kind`, sorted; unknown when the file carries no `agreements`."""
    if t.case.agreements is None:
        return None
    return tuple(sorted({a.kind for a in t.case.agreements if a.date <= t.as_of}))


# ---- case: consent ---------------------------------------------------------------------------

def _consent_dates(t: Timeline, kind: r.ConsentKind, written: bool) -> tuple[dt.date, ...] | None:
    if t.case.consents is None:
        return None
    return _dates(c.date for c in t.case.consents
                  if c.kind is kind and c.response is r.ConsentResponse.GIVEN
                  and c.date <= t.as_of and (c.written or not written))


@derived("case", "date", "earliest written consent to an initial evaluation",
         "34 CFR 300.300(a)(1)(i)")
def evaluation_consent_date(t: Timeline) -> dt.date | None:
    """Minimum date of given, written `initial_evaluation` consents."""
    dates = _consent_dates(t, r.ConsentKind.INITIAL_EVALUATION, True)
    return None if not dates else dates[0]


@derived("case", ListOf("date"), "dates of given consents to reevaluate", "34 CFR 300.300(c)(1)(i)")
def reevaluation_consent_dates(t: Timeline) -> tuple[dt.date, ...] | None:
    """Dates of given `reevaluation` consents, sorted."""
    return _consent_dates(t, r.ConsentKind.REEVALUATION, False)


@derived("case", "date", "earliest written consent to initial services", "34 CFR 300.300(b)(1)")
def services_consent_date(t: Timeline) -> dt.date | None:
    """Minimum date of given, written `initial_services` consents."""
    dates = _consent_dates(t, r.ConsentKind.INITIAL_SERVICES, True)
    return None if not dates else dates[0]


@derived("case", "date", "latest revocation of consent to services after the latest written "
         "consent", "34 CFR 300.300(b)(4)")
def services_consent_revoked_on(t: Timeline) -> dt.date | None:
    """Only a revocation after the latest written consent ends it; a new consent restarts."""
    if t.case.consents is None:
        return None
    services = [c for c in t.case.consents
                if c.kind is r.ConsentKind.INITIAL_SERVICES and c.date <= t.as_of]
    given = [c.date for c in services if c.response is r.ConsentResponse.GIVEN and c.written]
    revoked = [c.date for c in services if c.response is r.ConsentResponse.REVOKED]
    return max((d for d in revoked if not given or d >= max(given)), default=None)


@derived("case", "date", "the parent's refusal of consent to initial services (or silence on the "
         "request) still in force on `as_of`: no consent given since", "34 CFR 300.300(b)(3)")
def services_consent_refused_on(t: Timeline) -> dt.date | None:
    """Date of an `initial_services` consent record with response refused or no_response, made
    while no consent was in force, with no consent given after it by `as_of`; unknown (no date)
    when there is none or the file carries no `consents`. While it is in force the child is not
    in special education and an IEP written for the refused services does not take effect."""
    return t.refusal_in_force(t.as_of)


@derived("case", ListOf("date"), "delivered sessions before any consent to services",
         "34 CFR 300.300(b)(1)")
def sessions_without_consent(t: Timeline) -> tuple[dt.date, ...] | None:
    """Delivered or make-up sessions dated before the first given consent to services of their
    period. Unknown when none is certain but one is covered only by a consent not recorded as
    written, or when the file carries no `consents` or `sessions`."""
    return t.uncovered_sessions()[0]


@derived("case", ListOf("date"), "delivered sessions after services ceased on a written "
         "revocation and before a new consent", "34 CFR 300.300(b)(4)(i); 300.300(b)(1)")
def sessions_after_cessation(t: Timeline) -> tuple[dt.date, ...] | None:
    """Sessions after the day the prior written notice set for services to stop
    (`consents[].services_cease`); sessions between the revocation and that day are lawful.
    Unknown when the revocation records no cessation date."""
    return t.uncovered_sessions()[1]


def _sessions(t: Timeline) -> list[dt.date] | None:
    if t.case.sessions is None:
        return None
    return [s.date for s in t.case.sessions
            if s.status is not r.SessionStatus.MISSED and s.date <= t.as_of]


@derived("case", "date", "earliest logged session that was delivered or made up")
def first_delivered_session(t: Timeline) -> dt.date | None:
    """Minimum date of delivered or make-up `sessions`."""
    return min(_sessions(t) or (), default=None)


@derived("case", "date", "latest logged session that was delivered or made up")
def last_delivered_session(t: Timeline) -> dt.date | None:
    """Maximum date of delivered or make-up `sessions`."""
    return max(_sessions(t) or (), default=None)


@derived("case", ListOf("date"), "first days of school years on which a child already served "
         "under an IEP had none in effect", "34 CFR 300.323(a)")
def school_years_without_iep(t: Timeline) -> tuple[dt.date, ...] | None:
    """`calendars[].year_start` by `as_of`, after an IEP of the same episode began, not after an
    exit or revocation, with no IEP span covering it. Unknown when an IEP with no end date or
    no start could cover a year, or the file carries no `calendars`."""
    return t.school_years_without_iep()


@derived("case", ListOf("date"), "the `school_years_without_iep` that did not begin while an "
         "annual review was late (those lapsed only because the review was late, which the "
         "annual-review rules report)", "34 CFR 300.323(a); 300.324(b)(1)(i)")
def school_years_without_iep_not_from_late_review(t: Timeline) -> tuple[dt.date, ...] | None:
    """Years of `school_years_without_iep` not after a review's due date and by the day it was
    held (or `as_of`, while overdue). Unknown when a year lacks an IEP and the review dates are
    unknown."""
    return t.school_years_without_iep_not_from_late_review()


@derived("case", ListOf("string"), "annual reviews of the current episode held after their due "
         "date, each as 'held YYYY-MM-DD, due YYYY-MM-DD' (not one held inside a postponement "
         "the parent asked for)", "34 CFR 300.324(b)(1)(i); 300.322(a)(2)")
def late_annual_reviews(t: Timeline) -> tuple[str, ...] | None:
    """Each initial or annual review followed by the next one more than
    `annual_review_interval_months` later, unless held within
    `annual_review_parent_postponement_days` of the due date after the parent asked to
    reschedule. Unknown when a review IEP has no meeting date."""
    late = t.late_annual_reviews()
    return None if late is None else tuple(
        f"held {held.isoformat()}, due {due.isoformat()}" for held, due in late)


# ---- case: how much of each list the file carries --------------------------------------------

CASE_LISTS = ("consents", "evaluations", "eligibility", "meetings", "ieps", "placements",
              "parent_requests", "agreements", "sessions", "calendars", "exits")


def _on_file(list_name: str) -> Callable[[Timeline], int | None]:
    def count(t: Timeline) -> int | None:
        records = getattr(t.case, list_name)
        return None if records is None else len(records)

    count.__doc__ = (f"Length of `{list_name}`; unknown when the file leaves it out "
                     "(`[]` gives 0).")
    return count


# The list each `case.<list>_on_file` fact reports on, for needs-data messages.
ON_FILE_PATHS = {f"case.{name}_on_file": f"$.{name}" for name in CASE_LISTS}

for _name in CASE_LISTS:
    derived("case", "number", f"records in `{_name}`, unknown when the file does not carry it: "
            "`at_least: 0` makes a rule say needs-data without it, `exists:` keeps a rule silent "
            "without it (docs/timeline.md)", name=f"{_name}_on_file")(_on_file(_name))


# ---- per-item facts --------------------------------------------------------------------------

@derived("iep", "bool", "whether this IEP had been developed by `as_of` (a later one is not yet "
         "part of the history)")
def developed_by_as_of(t: Timeline, index: int) -> bool | None:
    """Its meeting date, else its start, on or before `as_of`; unknown when neither is
    recorded."""
    iep = known(t.case.ieps)[index]
    first = iep.meeting_date or iep_start(iep)
    return None if first is None else first <= t.as_of


@derived("iep", "date", "the day this IEP took effect: its start, else meeting date, else first "
         "service start")
def effective_start(t: Timeline, index: int) -> dt.date | None:
    """Start of the IEP's span."""
    span = t.span_of(index)
    return None if span is None else span.start


@derived("iep", "date", "the last day this IEP was in effect",
         "34 CFR 300.324(b)(1)(i); 300.323(a)")
def in_effect_until(t: Timeline, index: int) -> dt.date | None:
    """Earliest of its end date, the day before the IEP replacing it starts, the last day of
    services after a written revocation, and an exit date; unknown when none is recorded."""
    span = t.span_of(index)
    return None if span is None else span.until


@derived("iep", "date", "start of the IEP that replaced this one")
def replaced_on(t: Timeline, index: int) -> dt.date | None:
    """Start of the next IEP by start date, if it began before this one ended."""
    span = t.span_of(index)
    return None if span is None else span.replaced_on


@derived("evaluation", "bool", "whether this evaluation moves the reevaluation clocks",
         "34 CFR 300.303; 300.502", name="counts_for_clocks")
def counts_for_clocks_fact(t: Timeline, index: int) -> bool:
    """True for IDEA evaluations the district conducted (not an IEE, not a Section 504
    evaluation)."""
    return counts_for_clocks(known(t.case.evaluations)[index])


@derived("evaluation", "date", "completion of the district evaluation before this one, in the "
         "same episode", "34 CFR 300.303(b)(1)")
def previous_completed(t: Timeline, index: int) -> dt.date | None:
    """Latest district IDEA evaluation completed before this one (IEEs and 504 evaluations are
    skipped; an exit in between starts afresh)."""
    return t.previous_district_evaluation(index)


@derived("evaluation", "string", "consent for this evaluation: given, no_response_with_efforts, "
         "or absent", "34 CFR 300.300(a)(1)(i); 300.300(c)(1)(i); 300.300(c)(2)")
def consent(t: Timeline, index: int) -> str | None:
    """A consent covers only the evaluation it was given for: the evaluation's own
    `consent_date`, or a given, written consent of the matching kind after the previous
    district evaluation (initial: in the same episode). Unknown when the file carries no
    `consents`, or the only consent is not recorded as written."""
    return t.evaluation_consent(index)


@derived("evaluation", "bool", "whether parent and district agreed to reevaluate within a year",
         "34 CFR 300.303(b)(1)")
def more_frequent_agreed(t: Timeline, index: int) -> bool | None:
    """A `more_frequent_reevaluation` agreement, or a parent request of kind reevaluation plus
    a given reevaluation consent, dated after the previous district evaluation and by this
    one's completion."""
    return t.more_frequent_agreed(index)


@derived("eligibility", "string", "initial or continuing eligibility (unknown when the file does "
         "not reach back)", "34 CFR 300.323(c)(1)")
def determination(t: Timeline, index: int) -> str | None:
    """Continuing if an earlier eligible finding or an IEP in effect belongs to the same
    episode, or the last district evaluation before it was a reevaluation; initial if that
    evaluation was an initial evaluation."""
    return t.determination(index)


@derived("eligibility", "date", "earliest IEP team meeting on or after this determination, by "
         "`as_of` (an IEP's meeting date or a `meetings` entry other than `other`)")
def next_iep_meeting(t: Timeline, index: int) -> dt.date | None:
    """Minimum of the matching dates."""
    return t.first_iep_meeting(index)[0]


@derived("eligibility", "number", "days from this determination to the first IEP meeting, or to "
         "`as_of` while none is recorded", "34 CFR 300.323(c)(1)")
def days_to_iep_meeting(t: Timeline, index: int) -> int | None:
    """Unknown when no meeting within 30 days is found and the file does not carry both `ieps`
    and `meetings`, or has a meeting with purpose `other` within the 30 days, or the first
    meeting found reviewed or amended an IEP (annual review, amendment, reevaluation review):
    an earlier IEP meeting, not on file, happened first."""
    return t.days_to_iep_meeting(index)



@derived("placement", "bool", "an IEP meeting held on this placement's date records a meeting "
         "notice and at least one call, letter or visit to involve the parent, on or before it, "
         "and no request to reschedule it that was refused or left pending",
         "34 CFR 300.322(d); 300.501(c)")
def parent_attempts_recorded(t: Timeline, index: int) -> bool:
    """False when no IEP met that day or its attempts are not recorded: the placement rule then
    reads the group as recorded. A placement decided without a parent the district could not
    involve, after recorded attempts, is the parent-participation rules' to weigh."""
    day = known(t.case.placements)[index].date
    for iep in known(t.case.ieps):
        if iep.meeting_date != day:
            continue
        attempts = [a for a in iep.participation_attempts or () if a.date <= day]
        notice = any(a.kind is r.AttemptKind.MEETING_NOTICE for a in attempts)
        other = any(a.kind in (r.AttemptKind.PHONE_CALL, r.AttemptKind.CORRESPONDENCE,
                               r.AttemptKind.VISIT) for a in attempts)
        refused = any(q.date <= day and q.response in (r.RequestResponse.REFUSED,
                                                       r.RequestResponse.PENDING)
                      for q in iep.reschedule_requests or ())
        if notice and other and not refused:
            return True
    return False


@derived("removal", "bool", "on the removal's first day the parent had refused (or not answered) "
         "consent to initial services, or had revoked consent in writing, and the child had not "
         "returned since: no basis of knowledge, so the discipline protections do not apply",
         "34 CFR 300.534(c)(1); 300.300(b)(3), (b)(4)")
def services_refused_on_start(t: Timeline, index: int) -> bool:
    """False otherwise (also for a child not yet found eligible: whether the district knew of a
    disability, 300.534(b), is for the rules to weigh)."""
    return t.services_refused_or_revoked(t.case.removals[index].start)


@derived("iep", "bool", "this IEP was written before the child enrolled here (a `transfers` "
         "entry) and after the child last left (a `moved_out` exit), or with no earlier stay "
         "here: the previous agency's IEP", "34 CFR 300.323(e)-(f)")
def written_elsewhere(t: Timeline, index: int) -> bool:
    """Its meeting date (else start) is before an enrolment in `transfers` and after the last
    `moved_out` exit before that enrolment (if any). The receiving agency did not hold that
    meeting or implement the IEP before the child arrived: what it owes is comparable services
    (300.323(e)-(f)) and, for adopted IEPs, their content."""
    return t.enrolled_after_written(index) is not None


@derived("iep", "bool", "whether this district answers for this IEP's contents: false for an "
         "initial IEP that never took effect because the parent refused consent to services "
         "(or did not answer) and for the previous agency's IEP (`written_elsewhere`)",
         "34 CFR 300.300(b)(3)(ii)-(iii); 300.323(e)-(f)")
def contents_owed_here(t: Timeline, index: int) -> bool:
    """False when the parent refused (or never answered) consent to initial services for it
    and it never took effect (no consent since, or the consent came with a new IEP that
    replaced it on its first day): no IEP need be developed then. False too for an IEP
    written before the child enrolled here: comparable services are owed until this district
    adopts it at a meeting of its own (recorded as an IEP of that date) or writes its own."""
    return t.contents_owed_here(index)


@derived("case", ListOf("string"), "ids of the IEPs on file (by `as_of`) whose "
         "`contents_owed_here` is false, for the service rules (a service reads its IEP's "
         "recorded fields only)", "34 CFR 300.300(b)(3)(ii)-(iii); 300.323(e)-(f)")
def ieps_contents_not_owed_here(t: Timeline) -> tuple[str, ...]:
    """An id shared by two IEPs is listed when either is (a service rule then stays silent
    on both: a missed finding on a malformed file, never a false one)."""
    return tuple(iep.id for index, iep in enumerate(known(t.case.ieps))
                 if not t.contents_owed_here(index))


@derived("case", ListOf("string"), "the `school_years_without_safeguards_notice` the child spent "
         "in this district: not a school year (July-June) spent wholly elsewhere before an "
         "enrolment in `transfers` (that notice was the previous agency's)", "34 CFR 300.504(a)")
def school_years_without_safeguards_notice_here(t: Timeline) -> tuple[str, ...] | None:
    """Unknown when `safeguards_notices` or `ieps` is absent."""
    years = years_without_safeguards_notice(t.case, t.as_of)
    if years is None:
        return None

    def elsewhere(year: str) -> bool:
        first = int(year[:4])
        return any(left < dt.date(first, 7, 1) and dt.date(first + 1, 6, 30) < enrolled
                   for left, enrolled in t.away())
    return tuple(y for y in years if not elsewhere(y))

# The ledger declares its own facts (facts/_ledger.py, LEDGER_FACTS_DECLARED); computed there.
LEDGER: list[Derived] = [
    Derived(name, "service", ListOf("string") if kind == "list of string" else kind, meaning,
            "", None)
    for name, kind, meaning in LEDGER_FACTS_DECLARED
]


# The issue-14 areas' facts (implementation, evaluation rights, notices, discipline, progress,
# transfer, no cost): declared here with their meanings, computed in facts/_areas.py
# (docs/areas.md says what each area checks).
_AREA_FACTS: tuple[tuple[str, str, Any, str], ...] = (
    ("case", "initial_services_start", "date", "earliest start of any service in the file (a "
     "service without a start takes its IEP's); unknown if any start is unrecorded"),
    ("case", "school_days_consent_to_services", "number", "school days after written consent to "
     "the initial evaluation up to the first service start (or `as_of`, if later)"),
    ("case", "school_days_consent_to_services_consent", "number", "school days after consent to "
     "evaluate up to the written consent to services"),
    ("case", "school_years_without_safeguards_notice", ListOf("string"), "July-June school years "
     "ended by `as_of`, with an IEP (start and end recorded, ended early by a revocation of "
     "consent to services, a replacing IEP, an exit or a not-eligible finding, as the "
     "timeline's span says) in effect on a school day of the year (a recorded calendar's; "
     "September-June without one), and no procedural safeguards notice dated in them; unknown "
     "when `safeguards_notices` or `ieps` is absent"),
    ("case", "safeguards_notice_by_evaluation_consent", "bool", "a procedural safeguards notice "
     "is dated on or before the written consent to the initial evaluation; unknown without "
     "`safeguards_notices` or that consent, or when the first notice on file is from a later "
     "school year"),
    ("case", "removal_decision_dates", ListOf("date"), "dates (on or before `as_of`) of the "
     "disciplinary decisions recorded on removals"),
    ("iep", "staff_without_copy", ListOf("string"), "responsible staff (`responsible_staff`) "
     "with no copy (`distributed_to`) dated on or before `as_of`"),
    ("iep", "staff_copy_after_start", ListOf("string"), "responsible staff whose first copy is "
     "dated after the IEP's start, leaving out a copy dated by the later `provider_assigned_on` "
     "of a service whose `provider` is that person (assigned after the start, so responsible "
     "from then)"),
    ("iep", "staff_not_informed", ListOf("string"), "recipients recorded as not told their "
     "responsibilities"),
    ("iep", "progress_reports_outstanding", ListOf("date"), "due dates (`progress_reports_due`, "
     "on or before `as_of` and the IEP's `in_effect_until`: its end, the day before a later IEP "
     "took effect, the end of services after a revocation or an exit) with no report issued "
     "after the previous due date and before the next one"),
    ("service", "provision_failures", ListOf("date"), "dates of `provision_checks` for this "
     "service id that found it not in place, inside the service's (or its IEP's) term and the "
     "IEP's span in the timeline (not before it took effect here, nor for the previous "
     "agency's IEP before the child enrolled; not after a replacing IEP, an exit or a "
     "revocation)"),
    ("service", "iep_in_effect", "bool", "whether this service's IEP is the one in effect on "
     "`as_of` (the timeline's span: false once replaced, ended, or stopped by an exit or a "
     "revocation, and before it takes effect); unknown when the IEP has no start, meeting or "
     "service date, or nothing ends it and an IEP with no recorded start could have"),
    ("service", "iep_takes_effect", "bool", "whether this service's IEP takes effect in this "
     "district at all: false when its span in the timeline ends before it begins (consent to "
     "services refused and not given since, the child left before it began, or an IEP the "
     "previous agency wrote ended before the child enrolled here); unknown when the IEP has no "
     "start, meeting or service date"),
    ("service", "owed_from", "date", "the day this service is owed by this district: its start "
     "(its own, else its IEP's), not before the IEP took effect, and for an IEP the previous "
     "agency wrote not before the child enrolled here (300.323(e)-(f)); unknown when no start "
     "is recorded"),
    ("service", "start_school_day", "date", "the first recorded school day on or after the "
     "service's start (its own, else its IEP's; not before the IEP took effect, nor for the "
     "previous agency's IEP before the child enrolled here); unknown "
     "when the start falls before the earliest recorded school year (the file cannot show "
     "whether sessions were owed then) or after the last"),
    ("service", "days_to_first_session", "number", "days from `start_school_day` to the first "
     "delivered or make-up session logged for this service id within the IEP's span; unknown "
     "when either is unknown"),
    ("evaluation", "areas_not_assessed", ListOf("string"), "`suspected_areas` missing from "
     "`areas_assessed`"),
    ("evaluation", "next_iep_meeting", "date", "first IEP meeting or recorded meeting on or "
     "after completion (and on or before `as_of`)"),
    ("prior_written_notice", "in_parent_language", "bool", "the notice's language (any of "
     "several, `English and Spanish`) equals the parent's, ignoring case and spacing"),
    ("parent_request", "agency_evaluation_before", "bool", "for an `iee` request: a district "
     "IDEA evaluation (not an IEE) was completed on or before the request; unknown when the "
     "file carries no `evaluations`"),
    ("parent_request", "iee_already_funded", "bool", "for an `iee` request: an earlier IEE "
     "request was granted with no district evaluation completed since; unknown when the file "
     "carries no `evaluations` and an earlier one was granted"),
    ("removal", "counted", "bool", "whether the removal counts: an in-school suspension only if "
     "`counts_as_removal` is true, any other kind unless it is false"),
    ("removal", "school_days", "number", "school days of this removal, first to last day (or "
     "`as_of`)"),
    ("removal", "school_days_before_this_year", "number", "counted school days of earlier "
     "removals in the same recorded school year"),
    ("removal", "cumulative_school_days", "number", "the two above added (this removal only if "
     "counted)"),
    ("removal", "manifestation_school_days", "number", "school days after the decision date up "
     "to the manifestation review"),
    ("removal", "school_days_since_decision", "number", "school days after the decision date up "
     "to `as_of`"),
    ("removal", "safeguards_notice_on_decision_date", "bool", "a procedural safeguards notice is "
     "dated on the decision date"),
    ("removal", "behavior_plans_recorded", "bool", "the file carries a `behavior_plans` list "
     "(possibly empty)"),
    ("removal", "behavior_plan_action_after_manifestation", "date", "first BIP or BIP review on "
     "or after a manifestation finding"),
)
AREA: list[Derived] = [Derived(name, scope, kind, meaning, "", None)
                       for scope, name, kind, meaning in _AREA_FACTS]


def case_derived() -> list[Derived]:
    """Case facts this module computes (the areas' case facts are in `AREA`)."""
    return [d for d in DECLARED if d.scope == "case"]


def scope_derived(scope: str) -> list[Derived]:
    return [d for d in DECLARED if d.scope == scope]


def kinds(scope: str) -> dict[str, Any]:
    """Name -> kind of every derived fact of a scope ("case" for `case.*`), areas included."""
    return {d.name: d.kind for d in [*DECLARED, *AREA] if d.scope == scope}


def _kind_text(kind: Any) -> str:
    return f"list of {kind.element}" if isinstance(kind, ListOf) else str(kind)


def facts_markdown() -> str:
    """docs/facts.md, generated from the declarations."""
    lines = [
        "# Facts a rule can read",
        "",
        "Generated from `iep_rules/facts/_derived.py` by `python -m iep_rules.facts._derived`;",
        "a test keeps it current. Each scope's items hold the item's recorded fields (see",
        "`iep_rules/case/_records.py`) plus the derived facts below. How the history behind",
        "them is read (the IEP in effect, consent, agreements, exits): docs/timeline.md.",
        "A derived fact is unknown (a needs-data answer) when the file cannot say, never a guess.",
        "",
        "Shared by every item: `as_of` (date, the evaluation date), `student.*` (the student's",
        f"recorded fields) and `student.age` ({STUDENT_AGE.meaning}; {STUDENT_AGE.computation})",
        "",
        "## Case facts (`case.*`, on every item)",
        "",
    ]

    def table(rows: list[Derived], scoped: bool) -> None:
        head = "| scope | name | kind | meaning | computation | law |" if scoped else \
            "| name | kind | meaning | computation | law |"
        lines.append(head)
        lines.append("|" + "---|" * (head.count("|") - 1))
        for d in rows:
            cells = [f"`{d.name if scoped else 'case.' + d.name}`", _kind_text(d.kind), d.meaning,
                     d.computation, d.cite]
            if scoped:
                cells.insert(0, d.scope)
            lines.append("| " + " | ".join(c.replace("|", "/") for c in cells) + " |")
        lines.append("")

    table(case_derived(), False)
    lines += ["## Item facts (named plainly inside a rule of that scope)", ""]
    table([d for d in DECLARED if d.scope != "case"], True)
    lines += ["## Issue-14 areas (implementation, evaluation rights, notices, discipline, "
              "progress, transfer, no cost)", "",
              "Computed in `iep_rules/facts/_areas.py` (docs/areas.md). Each is unknown when the",
              "records it needs are not in the file. School days are counted from the case's",
              "`calendars` (`facts/_schooldays.py`): days outside every recorded school year are",
              "not school days, so a missing calendar can only make a count smaller; with no",
              "calendar at all a count is unknown. New scopes: `removal` (`removals`),",
              "`prior_written_notice` (`prior_written_notices`), `parent_cost` (`parent_costs`),",
              "`transfer` (`transfers`).", ""]
    lines.append("| scope | name | kind | meaning |")
    lines.append("|---|---|---|---|")
    lines += [f"| {d.scope} | `{'case.' + d.name if d.scope == 'case' else d.name}` | "
              f"{_kind_text(d.kind)} | {d.meaning} |" for d in AREA]
    lines.append("")
    lines += ["## Ledger facts (`ledger.*`, service scope)", "",
              "Computed by the service-delivery ledger (`iep_rules/facts/_ledger.py`,",
              "docs/ledger.md) over each mandate's accrual window (docs/timeline.md); unknown when",
              "the mandate, the calendar or the session log is not recorded. A service item also",
              "reads `iep.*`, the IEP it belongs to.", ""]
    lines.append("| name | kind | meaning |")
    lines.append("|---|---|---|")
    lines += [f"| `ledger.{d.name}` | {_kind_text(d.kind)} | {d.meaning} |" for d in LEDGER]
    lines += ["", "Scopes and the case lists they read: `case` (the whole case, one item), "
              "`eligibility`,",
              "`evaluation` (`evaluations`), `iep` (`ieps`), `service` (each service of each IEP),",
              "`placement` (`placements`), `meeting` (`meetings`), `parent_request` "
              "(`parent_requests`),",
              "`consent` (`consents`). A finding's `subject` is the item's JSON path, e.g.",
              "`$.ieps[0].services[1]`.", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - regenerates docs/facts.md
    sys.stdout.write(facts_markdown())
