"""Derived facts for the issue-14 areas: IEP implementation, evaluation rights, notices,
discipline, progress reports. Computed here; declared (names, kinds, meanings) with the other
derived facts in `_derived.py` (the `AREA` block); `_namespace.py` calls these functions.

Each derived fact is `None` (unknown) when the records it needs are absent, so a rule that reads
it stays silent behind an `exists` guard or asks for data; it is never guessed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from typing import Any

from ..case import _records as r
from ._schooldays import SchoolDayCounter
from ._timeline import build_timeline, counts_for_clocks, known


def _year_of(day: dt.date) -> int:
    """First calendar year of the July-June school year containing `day`."""
    return day.year if day.month >= 7 else day.year - 1


# School days are counted at most this far around `as_of`: every deadline these rules check is
# far shorter, and a date centuries away in a hostile file must not cost centuries of days.
# Counting less can only hide a finding (the counts are floors), never create one.
COUNT_WINDOW = dt.timedelta(days=5 * 366)


def _counter(case: r.Case, lo: dt.date, hi: dt.date, as_of: dt.date) -> SchoolDayCounter:
    low = as_of - COUNT_WINDOW if as_of - dt.date.min > COUNT_WINDOW else dt.date.min
    high = as_of + COUNT_WINDOW if dt.date.max - as_of > COUNT_WINDOW else dt.date.max
    return SchoolDayCounter(case.calendars or (), max(lo, low), min(hi, high), as_of)


def area_case_facts(case: r.Case, as_of: dt.date) -> dict[str, Any]:
    """Case-level derived facts of the issue-14 areas."""
    starts = [s.start or iep.start for iep in case.ieps or () for s in iep.services]
    known_starts = [d for d in starts if d is not None]
    first_start = min(known_starts) if known_starts and len(known_starts) == len(starts) else None
    consent = min((x.date for x in case.consents or ()
                   if x.kind is r.ConsentKind.INITIAL_EVALUATION and x.date <= as_of
                   and x.response is r.ConsentResponse.GIVEN and x.written), default=None)
    to_services = min((x.date for x in case.consents or ()
                       if x.kind is r.ConsentKind.INITIAL_SERVICES and x.date <= as_of
                       and x.response is r.ConsentResponse.GIVEN and x.written), default=None)
    until = min(d for d in (first_start, as_of) if d is not None)
    counter = _counter(case, consent or as_of, as_of, as_of)
    return {
        "initial_services_start": first_start,
        # services not started by as_of count up to as_of: the clock is still running
        "school_days_consent_to_services": counter.after(consent, until)
        if first_start is not None else None,
        "school_days_consent_to_services_consent": counter.after(consent, to_services),
        "school_years_without_safeguards_notice": _years_without_notice(case, as_of),
        "safeguards_notice_by_evaluation_consent": _notice_by(case, consent),
        # dates of disciplinary decisions: meetings held to meet their timelines are exempt
        # from New York's five-day meeting notice
        "removal_decision_dates": tuple(sorted(
            x.decision_date for x in case.removals
            if x.decision_date is not None and x.decision_date <= as_of)),
    }


def _notice_by(case: r.Case, consent: dt.date | None) -> bool | None:
    """Whether a procedural safeguards notice is dated on or before the consent to the initial
    evaluation. None (unknown) when notices are not recorded, or when the first one on file
    is from a later school year: the file then does not reach back to the referral."""
    if case.safeguards_notices is None or consent is None:
        return None
    if any(n.date <= consent for n in case.safeguards_notices):
        return True
    if any(_year_of(n.date) == _year_of(consent) for n in case.safeguards_notices):
        return False
    return None


def _years_without_notice(case: r.Case, as_of: dt.date) -> tuple[str, ...] | None:
    """School years (July-June) that ended by `as_of`, during which an IEP with recorded start
    and end was in effect on a school day (until the end of its span in the timeline: a
    graduation, a move or a not-eligible finding ends it before its projected end date), with no
    procedural safeguards notice dated in them.
    An IEP whose last (or first) weeks fall only in the summer does not make the district owe
    that year's notice: the school days of a recorded calendar decide, and without a calendar
    for the year, September to June."""
    if case.safeguards_notices is None or case.ieps is None:
        return None  # the notices, or the IEPs that make a year count, are not in the file
    given = {_year_of(n.date) for n in case.safeguards_notices if n.date <= as_of}
    counter = _counter(case, dt.date.min, as_of, as_of)
    # consents the file leaves out are read as no revocation, as the timeline reads them
    revoked = [x.date for x in known(case.consents) if x.kind is r.ConsentKind.INITIAL_SERVICES
               and x.response is r.ConsentResponse.REVOKED]
    history = build_timeline(case, as_of)
    years: set[int] = set()
    for index, iep in enumerate(case.ieps):
        if iep.start is None or iep.end is None or iep.start > as_of:
            continue
        # a written revocation of consent ends the IEP's services (300.300(b)(4)); an exit
        # (a regular diploma, a move, aging out) or a not-eligible finding ends it too, as the
        # timeline's span of the IEP says: its projected end date does not outlast them
        span = history.span_of(index)
        stops = [span.until] if span is not None and span.until is not None else []
        last = min([iep.end, as_of, *stops, *(d for d in revoked if d >= iep.start)])
        for year in range(_year_of(iep.start), _year_of(last) + 1):
            if dt.date(year + 1, 6, 30) <= as_of and _in_school_term(
                    counter, year, max(iep.start, dt.date(year, 7, 1)),
                    min(last, dt.date(year + 1, 6, 30))):
                years.add(year)
    return tuple(f"{y}-{y + 1}" for y in sorted(years - given))


def _in_school_term(counter: SchoolDayCounter, year: int, first: dt.date, last: dt.date
                    ) -> bool:
    """Whether [first, last] holds a school day of the July-June year starting in `year`."""
    july, june = dt.date(year, 7, 1), dt.date(year + 1, 6, 30)
    if any(july <= start <= june or july <= end <= june for start, end in counter.years):
        return bool(counter.count(first, last))
    return max(first, dt.date(year, 9, 1)) <= last


def _name(text: str) -> str:
    """A recorded name or code compared loosely: case, spacing, '_' and '-' do not matter
    (`Classroom Teacher` is `classroom_teacher`), so spelling cannot create a finding."""
    return " ".join(text.replace("_", " ").replace("-", " ").split()).casefold()


def same_language(a: str | None, b: str | None) -> bool | None:
    """Whether a notice in language(s) `a` is in the parent's language `b`, loosely compared.
    A notice printed in several languages ("English and Spanish", "English/Spanish") is in
    each of them."""
    if a is None or b is None:
        return None
    parts = re.split(r"\s*(?:/|,|;|&|\+|\band\b)\s*", _name(a))
    return _name(b) in {p for p in parts if p}


def evaluation_facts(case: r.Case, evaluation: r.Evaluation, as_of: dt.date
                     ) -> dict[str, Any]:
    """Derived facts of one evaluation: suspected areas left unassessed, and the first IEP
    meeting (on or before as_of) after it was completed."""
    missing = None
    if evaluation.suspected_areas is not None and evaluation.areas_assessed is not None:
        assessed = {_name(a) for a in evaluation.areas_assessed}
        missing = tuple(a for a in evaluation.suspected_areas if _name(a) not in assessed)
    done = evaluation.completed
    meetings = [i.meeting_date for i in case.ieps or () if i.meeting_date is not None]
    meetings += [m.date for m in case.meetings or ()]
    return {
        "areas_not_assessed": missing,
        "next_iep_meeting": None if done is None else min(
            (d for d in meetings if done <= d <= as_of), default=None),
    }


def request_facts(case: r.Case, request: r.ParentRequest) -> dict[str, Any]:
    """Derived facts of a parent's request for an independent educational evaluation: whether
    a district evaluation was completed by then (the right answers one, 300.502(b)(1)), and
    whether an earlier IEE request was already granted with no new district evaluation since
    (one IEE at public expense per district evaluation, 300.502(b)(5)). Only the district's own
    IDEA evaluations count (an IEE or a 504 evaluation does not). Unknown when the file does not
    carry `evaluations` (an earlier grant: a new evaluation may have followed it)."""
    if request.kind != "iee":
        return {"agency_evaluation_before": None, "iee_already_funded": None}
    done = sorted(e.completed for e in known(case.evaluations)
                  if counts_for_clocks(e) and e.completed is not None)
    granted = [other.date for other in known(case.parent_requests)
               if other is not request and other.kind == "iee"
               and other.response is r.RequestResponse.GRANTED and other.date < request.date]
    if case.evaluations is None:
        # an earlier grant may or may not have been followed by a new district evaluation
        return {"agency_evaluation_before": None, "iee_already_funded": None if granted else False}
    return {
        "agency_evaluation_before": any(d <= request.date for d in done),
        "iee_already_funded": any(not any(day < d <= request.date for d in done)
                                  for day in granted),
    }


def iep_facts(iep: r.IEP, last: dt.date | None, as_of: dt.date) -> dict[str, Any]:
    """Derived facts of one IEP; `last` is its last day in effect (the timeline's
    `in_effect_until`: its end, the day before the IEP replacing it started, the end of services
    after a revocation or an exit), None when not known."""
    copies: dict[str, list[r.IEPCopy]] = {}
    for copy in iep.distributed_to or ():
        copies.setdefault(_name(copy.recipient), []).append(copy)
    staff = iep.responsible_staff
    recorded = staff is not None and iep.distributed_to is not None
    without = after = None
    if recorded and staff is not None:
        without = tuple(p for p in staff
                        if not any(c.date <= as_of for c in copies.get(_name(p), ())))
        if iep.start is not None:
            start = iep.start
            # a provider assigned to a service after the start (a vacancy filled) becomes
            # responsible then: a copy by that assignment came before they began implementing
            assigned: dict[str, list[dt.date]] = {}
            for x in iep.services:
                if x.provider and x.provider_assigned_on and x.provider_assigned_on > start:
                    assigned.setdefault(_name(x.provider), []).append(x.provider_assigned_on)
            after = tuple(p for p in staff if copies.get(_name(p)) and start <= as_of
                          and (first := min(c.date for c in copies[_name(p)])) > start
                          and not any(first <= day for day in assigned.get(_name(p), ())))
    not_informed = None if iep.distributed_to is None else tuple(
        c.recipient for c in iep.distributed_to
        if c.informed_of_responsibilities is False and c.date <= as_of)
    return {
        "staff_without_copy": without,
        "staff_copy_after_start": after,
        "staff_not_informed": not_informed,
        "progress_reports_outstanding": _outstanding_reports(iep, last, as_of),
    }


def _outstanding_reports(iep: r.IEP, last: dt.date | None, as_of: dt.date
                         ) -> tuple[dt.date, ...] | None:
    """Due dates (on or before as_of, while the IEP was in force) with no report issued after
    the previous due date and before the next one: a report issued on or after the next due
    date is that period's report, not a late one for this period. A date after a later IEP
    replaced this one is that IEP's to keep, and none is owed after the child left special
    education."""
    if iep.progress_reports_due is None or iep.progress_reports_issued is None:
        return None
    until = as_of if last is None else min(last, as_of)
    issued = sorted(d for d in iep.progress_reports_issued if d <= as_of)
    every_due = sorted(iep.progress_reports_due)
    out: list[dt.date] = []
    previous: dt.date | None = None
    for due in (d for d in every_due if d <= until):
        following = next((d for d in every_due if d > due), None)
        match = next((d for d in issued if (previous is None or d > previous)
                      and (following is None or d < following)), None)
        if match is None:
            out.append(due)
        else:
            issued.remove(match)
        previous = due
    return tuple(out)


def service_facts(case: r.Case, iep: r.IEP, service: r.Service, as_of: dt.date,
                  until: dt.date | None = None, since: dt.date | None = None,
                  in_effect: bool | None = None) -> dict[str, Any]:
    """Derived facts of one service: dated checks that found it not in place, inside the
    service's term and the IEP's span in the timeline (`since` to `until`: from the day it took
    effect here to its last day in effect, before a replacing IEP, an exit or a revocation);
    whether the IEP ever takes effect here and from when the service is owed; when it started
    on the recorded calendar; whether its IEP is the one in effect (`in_effect`)."""
    lo = max(service.start or iep.start or dt.date.min, since or dt.date.min)
    hi = min(service.end or iep.end or dt.date.max, until or dt.date.max, as_of)
    start = service.start or iep.start
    if start is not None and since is not None:
        start = max(start, since)
    first_day = _first_school_day(case, start, hi, as_of)
    first_session = None
    if first_day is not None and start is not None:
        dates = _held_dates(case.sessions).get(service.id, ())
        at = bisect.bisect_left(dates, start)
        if at < len(dates) and dates[at] <= hi:
            first_session = dates[at]
    return {"provision_failures": tuple(sorted(
                c.date for c in case.provision_checks
                if c.service == service.id and not c.provided and lo <= c.date <= hi)),
            "iep_in_effect": in_effect,
            # never in effect here: the span ends before it begins (consent to services refused,
            # the child left first, or the previous agency's IEP ended before the enrolment)
            "iep_takes_effect": None if since is None else (until is None or until >= since),
            "owed_from": start,
            "start_school_day": first_day,
            "days_to_first_session": (None if first_day is None or first_session is None
                                      else max(0, (first_session - first_day).days))}


def _first_school_day(case: r.Case, start: dt.date | None, hi: dt.date, as_of: dt.date
                      ) -> dt.date | None:
    """The first recorded school day on or after `start` (up to `hi`); None when the start
    falls before the earliest recorded school year: the file does not show whether school was
    in session then, or whether sessions were owed and given."""
    calendars = case.calendars or ()
    if start is None or not calendars or start < min(c.year_start for c in calendars):
        return None
    days = _counter(case, start, min(hi, start + dt.timedelta(days=400)), as_of).days
    return days[0] if days else None  # the counter's days start on or after `start`


# The last log indexed (`_held_dates`), by the sessions tuple it came from: every service of a
# case reads it, and a frozen tuple's identity never reaches another case.
_HELD: list[tuple[tuple[r.SessionLog, ...], dict[str, list[dt.date]]]] = []


def _held_dates(sessions: tuple[r.SessionLog, ...] | None) -> dict[str, list[dt.date]]:
    """Per service id, the sorted dates of log entries that are not misses (delivered or
    make-up sessions): a service's first session is the first of them in its term."""
    if sessions is None:
        return {}
    for logged, index in _HELD:
        if logged is sessions:
            return index
    held: dict[str, list[dt.date]] = {}
    missed = r.SessionStatus.MISSED
    for s in sessions:
        if s.status is not missed:
            held.setdefault(s.service, []).append(s.date)
    for dates in held.values():
        dates.sort()
    _HELD[:] = [(sessions, held)]
    return held


def _counted(removal: r.Removal) -> bool:
    """Whether a removal counts toward the school days of removal: an in-school suspension
    counts only when the record says so; any other kind unless the record says it does not."""
    if removal.kind is r.RemovalKind.IN_SCHOOL_SUSPENSION:
        return removal.counts_as_removal is True
    return removal.counts_as_removal is not False


def removal_facts(case: r.Case, as_of: dt.date) -> list[dict[str, Any]]:
    """Derived facts for each removal, in case order, counted in school days."""
    if not case.removals:
        return []
    dates = [x.start for x in case.removals] + [x.decision_date for x in case.removals
                                                  if x.decision_date]
    reviews = [x.manifestation.date for x in case.removals
               if x.manifestation is not None and x.manifestation.date is not None]
    counter = _counter(case, min(dates), max([as_of, *reviews]), as_of)

    def days(removal: r.Removal, before: dt.date | None = None) -> int | None:
        last = min(removal.end or as_of, as_of)
        if before is not None:
            last = min(last, before - dt.timedelta(days=1))
        return counter.count(removal.start, last)

    plans = case.behavior_plans
    notices = case.safeguards_notices
    out = []
    for removal in case.removals:
        year = counter.school_year(removal.start)
        before: int | None = 0
        if not counter.known:
            before = None
        elif year is not None:
            for other in case.removals:
                if other is removal or not _counted(other) or other.start >= removal.start:
                    continue
                if year[0] <= other.start <= year[1]:
                    n = days(other, before=removal.start)
                    before = None if n is None or before is None else before + n
        own = days(removal) if removal.start <= as_of else 0
        review = removal.manifestation
        review_day = review.date if review is not None and review.held else None
        found = review is not None and review.held and (
            review.caused_by_disability is True or review.iep_not_implemented is True)
        decision = removal.decision_date
        out.append({
            "counted": _counted(removal),
            "school_days": own,
            "school_days_before_this_year": before,
            "cumulative_school_days": None if before is None or own is None
            else before + (own if _counted(removal) else 0),
            # a review dated after as_of still counts: by as_of it had not been held in time
            "manifestation_school_days": counter.after(decision, review_day),
            "school_days_since_decision": counter.after(decision, as_of)
            if decision is not None and decision <= as_of else None,
            "safeguards_notice_on_decision_date": None if notices is None or decision is None
            else any(n.date == decision for n in notices),
            "behavior_plans_recorded": plans is not None,
            "behavior_plan_action_after_manifestation": None if not found or plans is None
            or review_day is None else min(
                (p.date for p in plans if p.kind is not r.BehaviorPlanKind.FBA
                 and review_day <= p.date <= as_of), default=None),
        })
    return out
