"""A case read as a history: what was in effect on each date, computed once per case and date.

The file is a set of dated records; the law asks about a history in which one IEP replaces
another, consent is given and withdrawn, an agreement covers one decision, and a child leaves
special education and may come back. This module turns the records into that history; derived
facts (facts/_derived.py), the rules and the ledger read it instead of re-reading the records.

Only events dated on or before the as-of date count. Every list the file does not carry is
unknown (`None`) and every answer that depends on it is unknown too. docs/timeline.md walks
through a worked history.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
from collections.abc import Mapping, Sequence
from typing import Any, TypeVar

import attrs
from dateutil.relativedelta import relativedelta

from .._errors import EvaluationError
from ..case import _records as r
from . import _age
from ._schedule import shift

T = TypeVar("T")
DAY = dt.timedelta(days=1)

# Defaults of the rule-file parameters the timeline reads (rules/us/idea/parameters.yaml).
DEFAULTS: dict[str, Any] = {
    "reevaluation_interval_months": 36,
    "reevaluation_waiver_restart": "due_date",
    "annual_review_interval_months": 12,
    "annual_review_parent_postponement_days": 30,
    "fape_end_age_years": 22,
}
WAIVER_RESTARTS = ("due_date", "agreement")

REVIEW_PURPOSES = (r.MeetingPurpose.INITIAL, r.MeetingPurpose.ANNUAL_REVIEW)
IEP_TEAM_PURPOSES = (r.MeetingPurpose.INITIAL, r.MeetingPurpose.ANNUAL_REVIEW,
                     r.MeetingPurpose.AMENDMENT, r.MeetingPurpose.REEVALUATION_REVIEW)
REEVALUATION_REQUEST_KINDS = ("reevaluation",)
RESCHEDULE_REQUEST_KINDS = ("reschedule_meeting",)
# A parent's due-process complaint (`parent_requests[].kind`), filed on `due_process_filed_on`
# (else the request's date); its `response_date` records the day the proceeding ended (a
# decision, a withdrawal, an agreement). While it is pending the child stays put (300.518(a)).
DUE_PROCESS_COMPLAINT_KINDS = ("due_process_complaint",)
# Agreements (`agreements[].kind`) by which the agency and the parents "agree otherwise"
# (300.518(a)) and end a dispute with a new IEP.
SETTLEMENT_AGREEMENT_KINDS = ("resolution_agreement", "mediation_agreement", "settlement_agreement")


def known(items: tuple[T, ...] | None) -> tuple[T, ...]:
    """The records of a list, () when the file does not carry it (callers check `is None`
    first wherever an unknown list must make the answer unknown)."""
    return items or ()


@attrs.frozen
class Stop:
    """A date after which no clock runs: an exit, a written revocation, a not-eligible finding."""

    date: dt.date
    reason: str  # an ExitReason value
    certain: bool  # False for a revocation whose being in writing is not recorded
    services_end: dt.date | None  # last day of services (a revocation: the notice's date)


@attrs.frozen
class IepSpan:
    """When one IEP was the IEP in effect."""

    index: int
    start: dt.date
    until: dt.date | None  # last day in effect; None: no end date recorded, nothing ended it
    replaced_on: dt.date | None  # start of the IEP that replaced it


@attrs.frozen
class ConsentPeriod:
    """Services consent: from a given consent to the day services stop after a revocation."""

    start: dt.date
    start_certain: bool  # False when the consent's being in writing is not recorded
    revoked_on: dt.date | None
    end: dt.date | None  # last lawful service day after a revocation; None while open
    end_certain: bool  # False when a revocation records no cessation date


def iep_start(iep: r.IEP) -> dt.date | None:
    """An IEP takes effect on its start date, else its meeting date, else its first service."""
    if iep.start or iep.meeting_date:
        return iep.start or iep.meeting_date
    return min((s.start for s in iep.services if s.start), default=None)


class Timeline:
    """The history of one case as of one date. Build with `build_timeline`."""

    def __init__(self, case: r.Case, as_of: dt.date,
                 params: Mapping[str, Any] | None = None) -> None:
        self.case = case
        self.as_of = as_of
        self._meeting_days: list[dt.date] | None = None
        values = {**DEFAULTS, **{k: v for k, v in (params or {}).items() if k in DEFAULTS}}
        if values["reevaluation_waiver_restart"] not in WAIVER_RESTARTS:
            raise EvaluationError(
                f"parameter reevaluation_waiver_restart is "
                f"{values['reevaluation_waiver_restart']!r}; expected one of "
                f"{', '.join(WAIVER_RESTARTS)}")
        self.interval = relativedelta(months=int(values["reevaluation_interval_months"]))
        self.restart = str(values["reevaluation_waiver_restart"])
        self.review_months = int(values["annual_review_interval_months"])
        self.postponement_days = int(values["annual_review_parent_postponement_days"])
        self.fape_end_age = int(values["fape_end_age_years"])
        self.stops = self._stops()
        self.periods = self._consent_periods()
        self.refusals = self._refusal_windows()
        self.stays = self._stay_put()
        self.spans = self._spans()
        self.reevaluation_clock_start, self.reevaluation_due = self._reevaluation_clock()

    # ---- exits and episodes ----------------------------------------------------------------

    def _stops(self) -> list[Stop]:
        """Exits, written revocations, not-eligible findings, and the last day before the
        birthday at which FAPE ends (parameter `fape_end_age_years`, 22: through age 21) when
        the date of birth is recorded; an earlier aging out under state law is an `exits`
        entry."""
        case, out = self.case, []
        for ex in known(case.exits):
            if ex.date <= self.as_of:
                out.append(Stop(ex.date, ex.reason.value, True, ex.date))
        for consent in known(case.consents):
            if (consent.kind is r.ConsentKind.INITIAL_SERVICES and consent.date <= self.as_of
                    and consent.response is r.ConsentResponse.REVOKED
                    and consent.written is not False):  # an oral revocation is not (b)(4)
                out.append(Stop(consent.date, r.ExitReason.REVOKED_CONSENT.value,
                                consent.written is True, consent.services_cease))
        dob = case.student.date_of_birth
        if dob is not None:  # FAPE is owed through age 21 (300.101(a)), not from the 22nd birthday
            try:
                last_day: dt.date | None = _age.date_turns(dob, self.fape_end_age) - DAY
            except (OverflowError, ValueError):  # past the end of the calendar: never reached
                last_day = None
            if last_day is not None and last_day <= self.as_of:
                out.append(Stop(last_day, r.ExitReason.AGED_OUT.value, True, last_day))
        for decision in known(case.eligibility):
            if decision.date <= self.as_of and decision.outcome is r.Outcome.NOT_ELIGIBLE:
                out.append(Stop(decision.date, r.ExitReason.NOT_ELIGIBLE.value, True,
                                decision.date))
        return sorted(out, key=lambda s: (s.date, s.reason))

    def stop_before(self, day: dt.date) -> Stop | None:
        """The latest stop strictly before `day`: events after it belong to a new episode."""
        return next((s for s in reversed(self.stops) if s.date < day), None)

    def since(self, day: dt.date) -> dt.date:
        """Events after this date are in the same episode of special education as `day`."""
        stop = self.stop_before(day)
        return stop.date if stop else dt.date.min

    def _restarted_after(self, day: dt.date) -> bool:
        return self._restarted_between(day, self.as_of)

    @property
    def current_stop(self) -> Stop | None:
        """The last stop on or before the as-of date, unless the child has come back since."""
        stop = self.stops[-1] if self.stops else None
        if stop is None or self._restarted_after(stop.date):
            return None
        return stop

    @property
    def episode_since(self) -> dt.date:
        """Events after this date belong to the current episode (dt.date.min: the whole file)."""
        stops = [s for s in self.stops if s.date <= self.as_of]
        return stops[-1].date if stops else dt.date.min

    @property
    def currently_eligible(self) -> bool | None:
        decisions = sorted((e for e in known(self.case.eligibility) if e.date <= self.as_of),
                           key=lambda e: e.date)
        return (decisions[-1].outcome is r.Outcome.ELIGIBLE) if decisions else None

    @property
    def in_special_education(self) -> bool | None:
        """False after an exit or written revocation (until a return), and while the parent's
        refusal of consent to initial services (or silence on the request) is in force; else
        the latest eligibility outcome. With no decision yet: false if the file carries its
        eligibility decisions and no IEP (a referred child not yet found eligible), else
        unknown; unknown too after a revocation that may have been oral."""
        stop = self.current_stop
        if stop is not None:
            return False if stop.certain else None
        if self.refusal_in_force(self.as_of) is not None:
            return False  # services refused or unanswered: no FAPE duty, no IEP (300.300(b)(3))
        eligible = self.currently_eligible
        if eligible is None and self.case.eligibility is not None and self.case.ieps is not None \
                and self.ieps_this_episode() == 0:
            return False
        return eligible

    # ---- the IEP in effect -------------------------------------------------------------------

    def _dated_ieps(self) -> list[tuple[int, r.IEP]]:
        """IEPs that existed on the as-of date (met or started by then)."""
        return [(index, iep) for index, iep in enumerate(known(self.case.ieps))
                if self.iep_written_by_as_of(iep)]

    def iep_written_by_as_of(self, iep: r.IEP) -> bool:
        """Whether the IEP existed on the as-of date: its meeting date (else its start) is on
        or before it, or it carries no date at all. A later IEP (or a draft for a meeting not
        yet held) is not part of the history a review on that date sees."""
        first = iep.meeting_date or iep_start(iep)
        return first is None or first <= self.as_of

    def _spans(self) -> list[IepSpan]:
        dated = []
        for start, never, index, iep in ((*self._consented_start(iep), index, iep)
                                         for index, iep in self._dated_ieps()):
            stay = self.stays.get(index)
            if stay is not None and start is not None:
                # contested before it began: it takes effect when the proceeding ends (a
                # decision for the district), or never when it ended in an agreement and a new
                # IEP, or is still pending (300.518(a))
                start, never = (start, True) if stay is None else (max(start, stay), False)
            elif index in self.stays:
                never = True
            dated.append((start, never, index, iep))
        refused = {index for start, never, index, iep in dated
                   if never or self._written_before_stop(iep, start)}
        ordered = sorted((start, index, iep) for start, _, index, iep in dated
                         if start is not None)
        effective = [item for item in ordered if item[1] not in refused]
        spans = []
        for start, index, iep in ordered:
            if index in refused:
                # consent to services was refused and never given since, or the child left
                # before the IEP was to begin, or the parent contested it before it began and
                # the dispute kept it from ever taking effect: it never took effect (it ended
                # the day before it would have begun) and replaced nothing
                spans.append(IepSpan(index, start, start - DAY, None))
                continue
            position = effective.index((start, index, iep))
            recorded_end = self._end_during_stay(index, start, iep.end)
            limits = [recorded_end] if recorded_end else []
            replaced_on = None
            if position + 1 < len(effective):
                following = effective[position + 1][0]
                if recorded_end is None or following - DAY <= recorded_end:
                    replaced_on = following
                    limits.append(following - DAY)
            stop = next((s for s in self.stops if s.date >= start), None)
            if stop is not None:
                limits.append(stop.services_end or stop.date)
            until = min(limits) if limits else None
            if replaced_on is not None and until is not None and until < replaced_on - DAY:
                replaced_on = None  # it ended (exit, revocation) before the next IEP began
            spans.append(IepSpan(index, start, until, replaced_on))
        return spans

    def _stay_put(self) -> dict[int, dt.date | None]:
        """IEPs a parent's due-process complaint held back: {index: the day it takes effect, or
        None when it never does in this view}. An IEP written by the filing day and due to
        begin after it was contested before it began; during the proceeding the child remains
        in the current placement, the IEP being carried out (300.518(a); ED's 2006 commentary:
        the setting in which the IEP is currently being implemented). It takes effect when the
        proceeding ends (the complaint's `response_date`, by the as-of date), unless the
        parties agreed otherwise (a settlement agreement from the filing to that end) and a new
        IEP written after the filing settled it, or the proceeding is still pending. An initial
        IEP is not held back (no placement to stay in; consent governs, 300.300(b))."""
        stays: dict[int, dt.date | None] = {}
        complaints = [(p.due_process_filed_on or p.date, p.response_date)
                      for p in known(self.case.parent_requests)
                      if p.kind in DUE_PROCESS_COMPLAINT_KINDS and p.due_process_filed is not False]
        for filed, ended in complaints:
            if filed > self.as_of:
                continue
            closed = ended if ended is not None and ended <= self.as_of else None
            settled = closed is not None and any(
                a.kind in SETTLEMENT_AGREEMENT_KINDS and filed <= a.date <= closed
                for a in known(self.case.agreements))
            for index, iep in self._dated_ieps():
                start = iep_start(iep)
                written = iep.meeting_date or start
                if start is None or written is None or not written <= filed < start:
                    continue
                if not any(other is not iep and (began := iep_start(other)) is not None
                           and began <= filed and (other.end is None or other.end >= filed)
                           for _, other in self._dated_ieps()):
                    continue  # no IEP being carried out to stay in: initial services go by consent
                new_iep = any(
                    other is not iep and (other.meeting_date or iep_start(other) or filed) > filed
                    for _, other in self._dated_ieps())
                stays[index] = None if closed is None or (settled and new_iep) else closed
        return stays

    def _end_during_stay(self, index: int, start: dt.date,
                         end: dt.date | None) -> dt.date | None:
        """The recorded end of IEP `index`, unless an IEP due to follow it was contested: the
        child stays put, so this IEP stays in effect past its projected end (300.518(a)) until
        the contested IEP takes effect, a new IEP replaces it, or (pending) the as-of date."""
        if end is None:
            return None
        held_back = [stay for held, stay in self.stays.items() if held != index
                     and (first := iep_start(known(self.case.ieps)[held])) is not None
                     and start < first <= end + DAY]
        if not held_back:
            return end
        return max(end, max((stay - DAY if stay else self.as_of) for stay in held_back))

    def _written_before_stop(self, iep: r.IEP, start: dt.date | None) -> bool:
        """Whether the IEP was written before a stop (an exit, a written revocation) and was to
        begin after it: the child left first, so it never took effect."""
        if start is None:
            return False
        written = iep.meeting_date or start
        return any(written <= stop.date < start for stop in self.stops)

    def _consented_start(self, iep: r.IEP) -> tuple[dt.date | None, bool]:
        """(the day the IEP took effect, whether it never did). Its start, unless the parent
        refused consent to initial services (or did not answer) for it: then the day the parent
        later consented, or never (300.300(b)(1), (b)(3)). A refusal covers an IEP that would
        have begun while it was in force, and one that began with no consent in force before
        the refusal was recorded (an IEP written to start at its meeting, refused days later)."""
        start = iep_start(iep)
        if start is None:
            return None, False
        window = next((w for w in self.refusals if w[0] <= start
                       and (w[1] is None or start < w[1])), None)
        if window is None and not any(p.start <= start and (p.end is None or start <= p.end)
                                      for p in self.periods):
            window = next((w for w in self.refusals if w[0] > start), None)
            if window is not None and any(start <= p.start < window[0] for p in self.periods):
                window = None
        if window is None:
            return start, False
        return (window[1], False) if window[1] is not None else (start, True)

    def refused_for_good(self, iep_index: int) -> bool:
        """Whether IEP `iep_index` never took effect because the parent refused consent to
        initial services for it (or did not answer): no consent given since by the as-of date,
        or the consent came with a new IEP that replaced it on its first day. No IEP need be
        developed while services are refused (300.300(b)(3)(iii)), so such a draft is no one's
        duty. False for an IEP written after the as-of date, or with no date at all."""
        iep = known(self.case.ieps)[iep_index]
        if not self.iep_written_by_as_of(iep):
            return False
        start, never = self._consented_start(iep)
        if never:
            return True
        if start is None or start == iep_start(iep):
            return False  # no refusal covered it
        span = self.span_of(iep_index)
        return span is not None and span.until is not None and span.until < span.start

    def contents_owed_here(self, iep_index: int) -> bool:
        """Whether this district answers for the contents of IEP `iep_index` (300.320): not for
        an initial IEP refused for good (`refused_for_good`), nor for the previous agency's IEP
        (written before the child enrolled here), for which comparable services are owed until
        this district adopts it at a meeting of its own or writes its own (300.323(e)-(f))."""
        return not (self.refused_for_good(iep_index)
                    or self.enrolled_after_written(iep_index) is not None)

    def _refusal_windows(self) -> list[tuple[dt.date, dt.date | None]]:
        """(refused on, consented on) for each refusal of consent to initial services, or
        request the parent did not answer, made while no consent was in force (300.300(b)(3));
        the window closes on the next consent given (None: not given by the as-of date)."""
        consents = sorted((c for c in known(self.case.consents)
                           if c.kind is r.ConsentKind.INITIAL_SERVICES and c.date <= self.as_of),
                          key=lambda c: c.date)
        windows: list[tuple[dt.date, dt.date | None]] = []
        for consent in consents:
            if consent.response in (r.ConsentResponse.REFUSED, r.ConsentResponse.NO_RESPONSE):
                covered = any(p.start <= consent.date and (p.end is None or consent.date <= p.end)
                              for p in self.periods)
                if not covered and not (windows and windows[-1][1] is None):
                    windows.append((consent.date, None))
            elif (consent.response is r.ConsentResponse.GIVEN and consent.written is not False
                  and windows and windows[-1][1] is None):
                windows[-1] = (windows[-1][0], consent.date)
        return windows

    def refusal_in_force(self, day: dt.date) -> dt.date | None:
        """Date of the parent's refusal of (or silence on) consent to initial services still
        in force on `day`: no consent was given between it and `day` (300.300(b)(3))."""
        return next((refused for refused, consented in self.refusals
                     if refused <= day and (consented is None or day < consented)), None)

    def services_refused_or_revoked(self, day: dt.date) -> bool:
        """Whether on `day` the parent had refused (or not answered) consent to initial services,
        or had revoked consent in writing, with no consent, eligible finding or IEP since: the
        district is not deemed to know of a disability then (300.534(c)(1))."""
        if self.refusal_in_force(day) is not None:
            return True
        revoked = [s for s in self.stops if s.reason == r.ExitReason.REVOKED_CONSENT.value
                   and s.certain and s.date <= day]
        return bool(revoked) and not self._restarted_between(revoked[-1].date, day)

    def _restarted_between(self, low: dt.date, high: dt.date) -> bool:
        """A given consent to services, an eligible finding or an IEP that took effect after
        `low` and by `high`: a return to special education."""
        case = self.case
        return (any(c.kind is r.ConsentKind.INITIAL_SERVICES and c.written is not False
                    and c.response is r.ConsentResponse.GIVEN and low < c.date <= high
                    for c in known(case.consents))
                or any(e.outcome is r.Outcome.ELIGIBLE and low < e.date <= high
                       for e in known(case.eligibility))
                or any(low < span.start <= high and (span.until is None or span.until >= span.start)
                       for span in self.spans))

    def span_of(self, iep_index: int) -> IepSpan | None:
        return next((s for s in self.spans if s.index == iep_index), None)

    def iep_in_effect(self, day: dt.date) -> int | None:
        """Index of the IEP in effect on `day` (None: none, or its start is not recorded)."""
        for span in self.spans:
            if span.start <= day and (span.until is None or day <= span.until):
                return span.index
        return None

    def iep_coverage(self, day: dt.date) -> bool | None:
        """Whether some IEP was in effect on `day`; unknown when an IEP without an end date or
        without a start could cover it."""
        index = self.iep_in_effect(day)
        if index is not None:
            span = self.span_of(index)
            return None if span is None or span.until is None else True
        if any(iep_start(iep) is None for _, iep in self._dated_ieps()):
            return None
        return False

    def in_effect_on_as_of(self, iep_index: int) -> bool | None:
        """Whether IEP `iep_index` is the one in effect on the as-of date: False once it was
        replaced, ended or stopped (or before it took effect); None when it cannot be placed
        in the history, or nothing ends it and an IEP with no recorded start could have."""
        span = self.span_of(iep_index)
        if span is None:
            return None
        if span.start > self.as_of or (span.until is not None and span.until < self.as_of):
            return False
        if span.until is None and not self._all_ieps_placed():
            return None
        return True

    def _all_ieps_placed(self) -> bool:
        return all(iep_start(iep) is not None for _, iep in self._dated_ieps())

    def away(self) -> list[tuple[dt.date, dt.date]]:
        """(left, enrolled) for each enrolment here recorded in `transfers`: the child was
        elsewhere after `left` (the last `moved_out` exit before the enrolment; dt.date.min when
        the child had not been here before) and until `enrolled`."""
        out = []
        for transfer in sorted(self.case.transfers, key=lambda x: x.enrolled):
            left = max((e.date for e in known(self.case.exits)
                        if e.reason is r.ExitReason.MOVED_OUT and e.date < transfer.enrolled),
                       default=dt.date.min)
            out.append((left, transfer.enrolled))
        return out

    def enrolled_after(self, day: dt.date) -> dt.date | None:
        """The enrolment here that ended the stay elsewhere during which `day` fell, if any."""
        return next((enrolled for left, enrolled in self.away() if left <= day < enrolled), None)

    def enrolled_after_written(self, iep_index: int) -> dt.date | None:
        """The enrolment here that came after IEP `iep_index` was written elsewhere (its
        meeting date, else start, falls while the child was away); None when written here."""
        iep = known(self.case.ieps)[iep_index]
        written = iep.meeting_date or iep_start(iep)
        return None if written is None else self.enrolled_after(written)

    def accrual_window(self, iep_index: int) -> tuple[dt.date, dt.date] | None:
        """When IEP `iep_index` accrues services: from its start (for an IEP the previous agency
        wrote, from the child's enrolment here) to the earliest of its end date,
        the day before the IEP replacing it starts, the last day of services after a written
        revocation, an exit date, and the as-of date. None when its start is not recorded, when
        nothing ends it and an IEP with no recorded start could have replaced it, or when it
        never took effect."""
        span = self.span_of(iep_index)
        if span is None:
            return None
        if span.until is None and not self._all_ieps_placed():
            return None
        end = min(span.until or self.as_of, self.as_of)
        start = self.owed_here_from(span)
        return (start, end) if start <= end else None

    def owed_here_from(self, span: IepSpan) -> dt.date:
        """The day an IEP's services are owed by this district: the day it took effect, or for
        an IEP the previous agency wrote, the child's enrolment here (300.323(e)-(f))."""
        return max(span.start, self.enrolled_after_written(span.index) or span.start)

    # ---- annual review -----------------------------------------------------------------------

    def ieps_this_episode(self) -> int:
        """IEPs of the current episode (an IEP with no date at all is counted: it may be)."""
        since = self.episode_since
        return sum(1 for _, iep in self._dated_ieps()
                   if (iep_start(iep) or iep.meeting_date or dt.date.max) > since)

    def last_annual_review(self) -> dt.date | None:
        """Latest initial or annual-review IEP meeting of the current episode (300.324(b)(1)).
        An IEP whose purpose is not recorded counts as a review unless a meeting on its date
        says otherwise: presuming a review can delay a finding, never invent one. Unknown when
        an IEP that may be later than every known review has no meeting date."""
        candidates, undated = self._review_dates()
        latest = max(candidates, default=None)
        if undated and (latest is None or any(d is None or d > latest for d in undated)):
            return None
        return latest

    def _review_dates(self) -> tuple[list[dt.date], list[dt.date | None]]:
        """Dates of the current episode's initial and annual-review meetings by the as-of date,
        and the starts of review IEPs with no meeting date (None: no start either). An IEP
        written at a reevaluation-review meeting is a review too: the team reviewed the IEP and
        revised it for the reevaluation's results (300.324(b)(1)(ii)(B)), and the next review
        falls due a year from that meeting; the meeting alone, with no IEP written, is not."""
        since, case = self.episode_since, self.case
        meetings = [m for m in known(case.meetings) if since < m.date <= self.as_of]
        other_purpose = {m.date for m in meetings if m.purpose not in REVIEW_PURPOSES}
        review_dates = {m.date for m in meetings if m.purpose in REVIEW_PURPOSES}
        candidates = [m.date for m in meetings if m.purpose in REVIEW_PURPOSES]
        undated: list[dt.date | None] = []
        for _, iep in self._dated_ieps():
            rewritten = (iep.purpose is r.MeetingPurpose.REEVALUATION_REVIEW
                         and iep.meeting_date is not None)
            if iep.purpose is not None and iep.purpose not in REVIEW_PURPOSES and not rewritten:
                continue  # a reevaluation review that wrote a new IEP reviewed the IEP
            day = iep.meeting_date
            if day is None:
                start = iep_start(iep)
                if start is None or start > since:
                    undated.append(start)
                continue
            if not since < day <= self.as_of:
                continue
            if iep.purpose is None and day in other_purpose and day not in review_dates:
                continue
            candidates.append(day)
        return candidates, undated

    def _parent_postponed(self, last: dt.date, due: dt.date) -> bool:
        """A parent's request to reschedule (not refused), made after `last` and by `due`."""
        return any(p.kind in RESCHEDULE_REQUEST_KINDS and last < p.date <= due
                   and p.response is not r.RequestResponse.REFUSED
                   for p in known(self.case.parent_requests))

    def late_annual_reviews(self) -> tuple[tuple[dt.date, dt.date], ...] | None:
        """(held, due) of each annual review of the current episode held after its due date
        (the previous initial or annual review plus `annual_review_interval_months`), by the
        as-of date. A review held inside a postponement the parent asked for (as in
        `review_postponed_by_parent`) is not late. None when a review IEP has no meeting date
        (it could sit between two known reviews)."""
        candidates, undated = self._review_dates()
        if undated:
            return None
        dates = sorted(set(candidates))
        late = []
        for last, held in itertools.pairwise(dates):
            due = shift(last, months=self.review_months)
            if held <= due or (held <= shift(due, days=self.postponement_days)
                               and self._parent_postponed(last, due)):
                continue
            arrived = self.enrolled_after(last)
            if arrived is not None and due < arrived:
                continue  # the previous agency's review, due before the child enrolled here
            late.append((held, due))
        return tuple(late)

    def review_postponed_by_parent(self) -> bool | None:
        """Whether an overdue annual review is inside a postponement the parent asked for: the
        as-of date is past the review's due date by no more than
        `annual_review_parent_postponement_days`, and the parent asked to reschedule
        (`parent_requests[].kind: reschedule_meeting`, not refused) after the last review and by
        its due date. A deadline does not outrank the parent (34 CFR 300.322(a)(2); LEGAL_NOTES
        5); past the grace the district must hold the meeting or document its attempts
        (300.322(d)). False outside that window, when no review date is known, and when the
        file carries no `parent_requests`: the postponement is the district's defence and must
        be on file (reading an absent list as unknown would turn every review's first 30
        overdue days, and the compliance calendar's entry, into needs-data)."""
        last = self.last_annual_review()
        if last is None:
            return False
        due = shift(last, months=self.review_months)  # saturates at the end of the calendar
        if not due < self.as_of <= shift(due, days=self.postponement_days):
            return False
        return self._parent_postponed(last, due)

    # ---- reevaluation clock ------------------------------------------------------------------

    def district_evaluations(self) -> list[tuple[int, r.Evaluation]]:
        """IDEA evaluations the district conducted and completed by the as-of date: the only
        ones that move the reevaluation clocks (an IEE or a 504 evaluation does not)."""
        out = [(i, e) for i, e in enumerate(known(self.case.evaluations))
               if counts_for_clocks(e) and e.completed is not None and e.completed <= self.as_of]
        return sorted(out, key=lambda pair: (pair[1].completed or dt.date.max, pair[0]))

    def last_evaluation_completed(self) -> dt.date | None:
        since = self.episode_since
        done = [e.completed for _, e in self.district_evaluations()
                if e.completed is not None and e.completed > since]
        return max(done, default=None)

    def _reevaluation_clock(self) -> tuple[dt.date | None, dt.date | None]:
        """(start, due) of the current three-year period (300.303(b)(2)). Each agreement that a
        reevaluation is unnecessary covers the period it was made in; the next period starts at
        the waived due date or at the agreement (parameter `reevaluation_waiver_restart`). An
        agreement made after its period's due date starts the next period at its own date. The
        parent's refusal of consent to a reevaluation (not an oral one, not silence) counts the
        same way: a district that declines to pursue the refused reevaluation does not violate
        its evaluation duties (300.300(c)(1)(iii))."""
        last = self.last_evaluation_completed()
        if last is None:
            return None, None
        start, due = last, last + self.interval
        waivers = sorted([a.date for a in known(self.case.agreements)
                          if a.kind == "reevaluation_unnecessary"
                          and last <= a.date <= self.as_of]
                         + [c.date for c in known(self.case.consents)
                            if c.kind is r.ConsentKind.REEVALUATION
                            and c.response is r.ConsentResponse.REFUSED
                            and c.written is not False and last <= c.date <= self.as_of])
        for day in waivers:
            if day < start:
                continue  # made in a period an earlier agreement already covered
            start = (due if self.restart == "due_date" else day) if day <= due else day
            due = start + self.interval
        return start, due

    def previous_district_evaluation(self, index: int) -> dt.date | None:
        """Completion of the district evaluation before evaluation `index`, same episode (for
        one not yet completed: the last district evaluation by the as-of date)."""
        evaluation = known(self.case.evaluations)[index]
        done = evaluation.completed or self.as_of
        since = self.since(done)
        earlier = [e.completed for i, e in self.district_evaluations()
                   if i != index and e.completed is not None
                   and since < e.completed <= done
                   and (e.completed < done or i < index or evaluation.completed is None)]
        return max(earlier, default=None)

    def more_frequent_agreed(self, index: int) -> bool | None:
        """Whether parent and district agreed to this reevaluation within a year of the last
        (300.303(b)(1)): an agreement made for it, or the parent's own request for it together
        with consent to it, both after the previous evaluation."""
        case = self.case
        evaluation = known(case.evaluations)[index]
        low = self.previous_district_evaluation(index)
        if evaluation.completed is None or low is None:
            return None

        def inside(day: dt.date) -> bool:
            return low < day <= (evaluation.completed or day)

        agreed = _or3(
            _shown(case.agreements, lambda a: a.kind == "more_frequent_reevaluation"
                   and inside(a.date)),
            _and3(_shown(case.parent_requests, lambda p: p.kind in REEVALUATION_REQUEST_KINDS
                         and inside(p.date)),
                  _shown(case.consents, lambda c: c.kind is r.ConsentKind.REEVALUATION
                         and c.response is r.ConsentResponse.GIVEN and inside(c.date))))
        return agreed

    # ---- consent -----------------------------------------------------------------------------

    def evaluation_consent(self, index: int) -> str | None:
        """Consent for evaluation `index`: "given", "no_response_with_efforts" (a reevaluation
        request the parent ignored despite documented reasonable efforts, 300.300(c)(2)), or
        "absent"; None when the file cannot say. A consent covers only the evaluation it was
        given for: for an initial evaluation, one in the same episode; for a reevaluation, one
        after the previous district evaluation (300.300(a)(1)(i), (c)(1)(i))."""
        case = self.case
        evaluation = known(case.evaluations)[index]
        done = evaluation.completed
        if done is None:
            return None
        if evaluation.consent_date is not None and evaluation.consent_date <= done:
            return "given"  # the file records when this evaluation's consent was received
        initial = evaluation.kind is r.EvaluationKind.INITIAL
        wanted = r.ConsentKind.INITIAL_EVALUATION if initial else r.ConsentKind.REEVALUATION
        low = self.since(done)
        if not initial:
            low = max(low, self.previous_district_evaluation(index) or low)
        if case.consents is None:
            return None
        window = [c for c in case.consents if c.kind is wanted and low < c.date <= done]
        given = [c for c in window if c.response is r.ConsentResponse.GIVEN]
        if any(c.written is True for c in given):
            return "given"
        if any(c.written is None for c in given):
            return None
        unanswered = [c for c in window if c.response is r.ConsentResponse.NO_RESPONSE]
        if not initial and any(c.reasonable_efforts is True for c in unanswered):
            return "no_response_with_efforts"
        if not initial and any(c.reasonable_efforts is None for c in unanswered):
            return None
        return "absent"

    def _consent_periods(self) -> list[ConsentPeriod]:
        periods: list[ConsentPeriod] = []
        services = sorted((c for c in known(self.case.consents)
                           if c.kind is r.ConsentKind.INITIAL_SERVICES and c.date <= self.as_of),
                          key=lambda c: c.date)
        for consent in services:
            open_period = periods[-1] if periods and periods[-1].revoked_on is None else None
            if consent.response is r.ConsentResponse.GIVEN and consent.written is not False:
                if open_period is None:
                    periods.append(ConsentPeriod(consent.date, consent.written is True,
                                                 None, None, True))
            elif consent.response is r.ConsentResponse.REVOKED and consent.written is not False:
                end = consent.services_cease or consent.date
                certain = consent.services_cease is not None and consent.written is True
                if open_period is None:
                    # A revocation presumes a consent the file does not carry: sessions before
                    # it may have been covered, so they are unknown, not "without consent".
                    open_period = ConsentPeriod(dt.date.min, False, None, None, True)
                    periods.append(open_period)
                periods[-1] = attrs.evolve(open_period, revoked_on=consent.date, end=end,
                                           end_certain=certain)
        return periods

    def uncovered_sessions(self) -> tuple[tuple[dt.date, ...] | None, tuple[dt.date, ...] | None]:
        """Delivered sessions outside every services-consent period, split into (before any
        consent, after services ceased on a written revocation). Each is the dates that are
        certainly uncovered, or None when none is certain but some could be, or when the file
        carries no consents or no sessions (300.300(b)(1), (b)(4))."""
        if self._uncovered is None:  # two facts read it: walk the log once
            self._uncovered = self._uncovered_sessions()
        return self._uncovered

    _uncovered: tuple[tuple[dt.date, ...] | None, tuple[dt.date, ...] | None] | None = None

    def _uncovered_sessions(self) -> tuple[tuple[dt.date, ...] | None,
                                           tuple[dt.date, ...] | None]:
        case = self.case
        if case.sessions is None or case.consents is None:
            return None, None
        before: list[dt.date] = []
        after: list[dt.date] = []
        unsure_before = unsure_after = False
        periods = self.periods
        # the last period (in list order) starting on or before a day; a revocation with no
        # open period adds one starting at date.min after the others, so bisect only when the
        # starts are in order
        starts = [p.start for p in periods]
        ordered = all(a <= b for a, b in itertools.pairwise(starts))
        missed = r.SessionStatus.MISSED
        for session in case.sessions:
            if session.status is missed or session.date > self.as_of:
                continue
            day = session.date
            if ordered:
                at = bisect.bisect_right(starts, day)
                period = periods[at - 1] if at else None
            else:
                period = next((p for p in reversed(periods) if p.start <= day), None)
            if period is None:
                before.append(day)
            elif period.end is None or day <= period.end:
                unsure_before |= not period.start_certain
            elif not period.end_certain:
                unsure_after = True
            else:
                after.append(day)

        def answer(dates: list[dt.date], unsure: bool) -> tuple[dt.date, ...] | None:
            return tuple(sorted(dates)) if dates else (None if unsure else ())

        return answer(before, unsure_before), answer(after, unsure_after)

    # ---- eligibility -------------------------------------------------------------------------

    def determination(self, index: int) -> str | None:
        """"initial" or "continuing" for an eligible finding; None when the file does not reach
        back far enough to tell. Continuing: an earlier eligible finding or an IEP in effect in
        the same episode, or the last district evaluation before it was a reevaluation. Initial:
        the last district evaluation before it was an initial evaluation of this episode."""
        case = self.case
        decision = known(case.eligibility)[index]
        day, since = decision.date, self.since(decision.date)
        if decision.outcome is not r.Outcome.ELIGIBLE:
            return None
        earlier = [e for i, e in enumerate(known(case.eligibility))
                   if e.outcome is r.Outcome.ELIGIBLE and since < e.date <= day
                   and (e.date < day or i < index)]
        if earlier:
            return "continuing"
        in_effect = self.iep_in_effect(day)
        if in_effect is not None:
            span = self.span_of(in_effect)
            if span is not None and span.start > since:
                return "continuing"
        evaluations = [e for _, e in self.district_evaluations()
                       if e.completed is not None and since < e.completed <= day]
        if evaluations:
            latest = evaluations[-1]
            return "initial" if latest.kind is r.EvaluationKind.INITIAL else "continuing"
        return None

    def first_iep_meeting(self, index: int) -> tuple[dt.date | None, bool]:
        """(earliest IEP team meeting on or after eligibility finding `index` and by the as-of
        date, whether the file carries every list that could hold an earlier one)."""
        case = self.case
        day = known(case.eligibility)[index].date
        days = self._iep_meeting_days()
        at = bisect.bisect_left(days, day)
        complete = case.meetings is not None and case.ieps is not None
        return (days[at] if at < len(days) else None), complete

    def _iep_meeting_days(self) -> list[dt.date]:
        """IEP team meeting dates up to the as-of date, sorted once per timeline, so that many
        eligibility decisions times many IEPs and meetings is bisection, not quadratic work."""
        if self._meeting_days is None:
            days = [iep.meeting_date for _, iep in self._dated_ieps()
                    if iep.meeting_date is not None and iep.meeting_date <= self.as_of]
            days += [m.date for m in known(self.case.meetings)
                     if m.purpose in IEP_TEAM_PURPOSES and m.date <= self.as_of]
            self._meeting_days = sorted(days)
        return self._meeting_days

    def days_to_iep_meeting(self, index: int) -> int | None:
        """Days from eligibility finding `index` to the first IEP meeting after it, or to the
        as-of date while none is recorded; unknown when none is found within 30 days and the
        file may hold an earlier one elsewhere (no `meetings` or `ieps`, or a meeting recorded
        with purpose `other` within the 30 days)."""
        case = self.case
        day = known(case.eligibility)[index].date
        first, complete = self.first_iep_meeting(index)
        days = ((first or self.as_of) - day).days
        if first is not None and days <= 30:
            return days
        # A meeting recorded only as `other` within the 30 days may have been the IEP meeting.
        unclear = any(m.purpose is r.MeetingPurpose.OTHER and day <= m.date <= self.as_of
                      and (m.date - day).days <= 30 for m in known(case.meetings))
        return days if complete and not unclear and not self._presumes_earlier_iep(first) \
            else None

    def _presumes_earlier_iep(self, day: dt.date | None) -> bool:
        """Whether every record of the IEP meeting on `day` says it reviewed or changed an IEP
        that already existed (an annual review, an amendment, a reevaluation review): then an
        earlier IEP meeting happened that the file does not carry (300.324(b)(1), (a)(4))."""
        if day is None:
            return False
        purposes = [iep.purpose for _, iep in self._dated_ieps() if iep.meeting_date == day]
        purposes += [m.purpose for m in known(self.case.meetings)
                     if m.date == day and m.purpose in IEP_TEAM_PURPOSES]
        later = (r.MeetingPurpose.ANNUAL_REVIEW, r.MeetingPurpose.AMENDMENT,
                 r.MeetingPurpose.REEVALUATION_REVIEW)
        return bool(purposes) and all(p in later for p in purposes)

    # ---- school years ------------------------------------------------------------------------

    def school_years_without_iep(self) -> tuple[dt.date, ...] | None:
        """First days of school years (by the as-of date) on which the child, already served
        under an IEP in the same episode and not since found ineligible or exited, had no IEP
        in effect (300.323(a)). None when some year cannot be decided and none is certain."""
        case = self.case
        if case.calendars is None:
            return None
        found: list[dt.date] = []
        unsure = False
        for calendar in case.calendars:
            day = calendar.year_start
            if day > self.as_of:
                continue
            since = self.since(day)
            stop = next((s for s in self.stops if s.date == day), None)
            served_before = any(since < span.start < day for span in self.spans)
            if not served_before or stop is not None:
                continue
            coverage = self.iep_coverage(day)
            if coverage is False:
                found.append(day)
            elif coverage is None:
                unsure = True
        return tuple(sorted(found)) if found else (None if unsure else ())


    def school_years_without_iep_not_from_late_review(self) -> tuple[dt.date, ...] | None:
        """The school years without an IEP (above) that did not begin while an annual review
        was late: after a review's due date and by the day it was held (or the as-of date,
        while it is still overdue). Those lapsed only because the review was late, since the
        IEP's recorded end is its projected review date; the review rules report that lateness
        (docs/timeline.md, "Limits"). All of them when the review dates are not known."""
        years = self.school_years_without_iep()
        last = self.last_annual_review()
        late = self.late_annual_reviews()
        if not years or last is None or late is None:
            return years
        current_due = shift(last, months=self.review_months)
        return tuple(day for day in years if day <= current_due
                     and not any(due < day <= held for held, due in late))


def counts_for_clocks(evaluation: r.Evaluation) -> bool:
    """Only the district's own IDEA evaluations start or crowd the reevaluation clocks."""
    return evaluation.purpose == "idea" and evaluation.conducted_by is r.Evaluator.DISTRICT


def _shown(items: Sequence[T] | None, test: Any) -> bool | None:
    """True if a record passes `test`; False if the list is known and none does; else None."""
    if items is not None and any(test(item) for item in items):
        return True
    return None if items is None else False


def _or3(*values: bool | None) -> bool | None:
    if any(v is True for v in values):
        return True
    return None if any(v is None for v in values) else False


def _and3(*values: bool | None) -> bool | None:
    if any(v is False for v in values):
        return False
    return None if any(v is None for v in values) else True


def build_timeline(case: r.Case, as_of: dt.date,
                   params: Mapping[str, Any] | None = None) -> Timeline:
    """The case's history as of `as_of`; `params` are the rule parameters in force (only
    those the timeline reads are used; the rest are ignored)."""
    return Timeline(case, as_of, params)


def iep_accrual_windows(case: r.Case, as_of: dt.date, params: Mapping[str, Any] | None = None,
                        timeline: Timeline | None = None
                        ) -> tuple[tuple[dt.date, dt.date] | None, ...]:
    """Every IEP's accrual window, in `case.ieps` order: what the ledger counts sessions in."""
    history = timeline or build_timeline(case, as_of, params)
    return tuple(history.accrual_window(i) for i in range(len(case.ieps or ())))


def accrual_window(case: r.Case, iep_index: int, as_of: dt.date,
                   timeline: Timeline | None = None) -> tuple[dt.date, dt.date] | None:
    """The dates IEP `iep_index` accrues services on (see `Timeline.accrual_window`): the hook
    the ledger uses so a replaced, revoked or exited IEP stops counting sessions."""
    return (timeline or build_timeline(case, as_of)).accrual_window(iep_index)
