"""The service-delivery ledger: what a mandate expected, what the log shows, what was missed when
due, what was made up, and what is still owed.

Per mandate (an IEP service) and counting period, up to the as-of date (docs/ledger.md):
  expected = delivered + missed + undocumented       (sessions; entries beyond `expected` in a
                                                      period are `excess`, not counted)
Only periods that have ended count (or, for a fixed-day schedule, the dates that have passed).
Every shortfall is an item with its date, reason and minutes; the items whose reason the policy
treats as the district's are *missed when due* (a failure to implement, whatever happens
later). Make-up sessions then reduce those items, minute by minute, the one they name first and
then the oldest; what remains is *owed*. So, per mandate:
  owed minutes = missed-when-due minutes - made-up minutes >= 0.
The ledger reports quantities; deciding compensatory services is for the IEP team.
"""

from __future__ import annotations

import bisect
import datetime as dt
import itertools
import operator
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from enum import StrEnum
from typing import Any

import attrs

from .._errors import Problem, RuleFileError
from ..case._records import (
    IEP,
    Case,
    FrequencyUnit,
    Measure,
    MissReason,
    SessionLog,
    SessionStatus,
)
from ._schedule import (
    SchoolDays,
    add_years_saturating,
    fixed_day_dates,
    period_bounds,
    period_label,
    school_days,
    shift,
)
from ._timeline import iep_accrual_windows

# Enum members read in the per-period loop, bound once (a class attribute lookup on an Enum
# goes through a descriptor, which was a tenth of the ledger's time).
_DELIVERED, _WEEK, _DAY, _YEAR = (SessionStatus.DELIVERED, FrequencyUnit.WEEK, FrequencyUnit.DAY,
                                  FrequencyUnit.YEAR)
_MONTH = FrequencyUnit.MONTH
_MINUTES = Measure.MINUTES
NOT_RECORDED = "reason_not_recorded"  # a missed entry with no reason
UNDOCUMENTED = "undocumented"  # an expected session with no log entry
SHORT = "delivered_short"  # minutes missing from a shortened session
IN_GROUP = "delivered_in_group"  # an individual session delivered in a group
CHILD_REASONS = frozenset({MissReason.STUDENT_ABSENCE.value, MissReason.STUDENT_UNAVAILABLE.value})
MISS_REASONS = tuple(r.value for r in MissReason)
SHORTFALL_REASONS = frozenset({*MISS_REASONS, NOT_RECORDED, UNDOCUMENTED, SHORT, IN_GROUP})

# How far back the ledger looks from the as-of date: longer than any child's schooling, so it
# never hides a real mandate, and it bounds the work a hostile date range can cause.
LOOKBACK_YEARS = 25
# How far past the as-of date school days are read: the longest period (an IEP year), to tell
# whether the period holding the as-of date has ended.
LOOKAHEAD_DAYS = 400


class WeeklyBasis(StrEnum):
    """What a weekly mandate with fixed weekdays expects (parameter `makeup_weekly_basis`)."""

    FREQUENCY = "frequency"  # n sessions in every week with school, whatever the weekday
    FIXED_DAYS = "fixed_days"  # a session on each fixed weekday that is a school day


# Defaults; each is a rule-file parameter of the same name (rules/us/idea/parameters.yaml, a test
# keeps them equal) that a state or district layer can override.
DEFAULT_POLICY: dict[str, Any] = {
    "makeup_owed_reasons": ("provider_absence", "provider_vacancy", "provider_other_duties",
                            "school_caused", "disciplinary_removal", NOT_RECORDED),
    "makeup_weekly_basis": WeeklyBasis.FREQUENCY.value,
    "makeup_closure_on_fixed_day_owed": False,
    "makeup_undocumented_owed": True,
    "makeup_partial_minutes_owed": True,
    "makeup_removal_days_before_services": 10,
    "makeup_year_cut_short_prorated": True,
    "state_complaint_limit_years": 1,
}


def _problem(name: str, expected: str, value: Any) -> RuleFileError:
    shown = repr(value)
    shown = shown if len(shown) <= 60 else shown[:57] + "..."
    return RuleFileError("parameters", [Problem(name, f"expected {expected}, got {shown}")])


def _flag(values: Mapping[str, Any], name: str) -> bool:
    value = values[name]
    if not isinstance(value, bool):
        raise _problem(name, "true or false", value)
    return value


def _count(values: Mapping[str, Any], name: str, least: int = 0) -> int:
    value = values[name]
    if isinstance(value, bool) or not isinstance(value, int) or not least <= value <= 1000:
        raise _problem(name, f"a whole number from {least} to 1000", value)
    return value


@attrs.frozen
class Policy:
    """The ledger policy, read (and type-checked) from the parameters in force."""

    owed_reasons: frozenset[str]
    weekly_basis: WeeklyBasis
    closure_on_fixed_day_owed: bool
    undocumented_owed: bool
    partial_minutes_owed: bool
    removal_days_before_services: int
    year_cut_short_prorated: bool
    complaint_limit_years: int

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Policy:
        values = {**DEFAULT_POLICY, **params}
        reasons = values["makeup_owed_reasons"]
        if (not isinstance(reasons, list | tuple)
                or not all(isinstance(r, str) and r in SHORTFALL_REASONS for r in reasons)):
            raise _problem("makeup_owed_reasons",
                           f"a list of reasons from: {', '.join(sorted(SHORTFALL_REASONS))}",
                           reasons)
        basis = values["makeup_weekly_basis"]
        if basis not in {b.value for b in WeeklyBasis}:
            raise _problem("makeup_weekly_basis", "frequency or fixed_days", basis)
        return cls(frozenset(reasons), WeeklyBasis(basis),
                   _flag(values, "makeup_closure_on_fixed_day_owed"),
                   _flag(values, "makeup_undocumented_owed"),
                   _flag(values, "makeup_partial_minutes_owed"),
                   _count(values, "makeup_removal_days_before_services"),
                   _flag(values, "makeup_year_cut_short_prorated"),
                   _count(values, "state_complaint_limit_years", least=1))


@attrs.frozen
class Shortfall:
    """Service not delivered as the IEP says: a missed session, an undocumented one, or the
    minutes missing from a short one. `owed` says whether the policy makes it the district's;
    `complaint_deadline` is the last day a state complaint can raise it (34 CFR 300.153(c))."""

    source: str  # the date (YYYY-MM-DD), or the period of undocumented sessions
    reason: str
    due: dt.date
    minutes: int
    sessions: int  # whole sessions it stands for (0 for missing minutes)
    owed: bool
    complaint_deadline: dt.date


# (period start, period end, then PeriodLine's fields from `start` on): a period's figures
PeriodRow = tuple[dt.date, dt.date, dt.date, dt.date, dt.date, bool, int, int, int, int, int, int]


@attrs.frozen
class PeriodLine:
    period: str
    start: dt.date
    end: dt.date
    due: dt.date  # the last school day counted in it
    counted: bool  # False while the period has not ended (nothing is expected of it yet)
    expected: int
    delivered: int
    missed: int
    undocumented: int
    expected_minutes: int
    delivered_minutes: int


@attrs.frozen
class MonthLine:
    """One month of a mandate, in minutes: the figures the report's chart draws."""

    month: str
    expected_minutes: int
    delivered_minutes: int
    missed_when_due_minutes: int
    made_up_minutes: int
    owed_minutes: int


@attrs.frozen
class MandateLedger:
    as_of: dt.date
    subject: str
    iep_id: str
    service_id: str
    service_name: str
    per: str
    measure: str
    times: int
    duration_minutes: int
    start: dt.date
    end: dt.date | None
    expected: int
    expected_minutes: int
    delivered: int
    delivered_minutes: int
    excess: int
    missed_items: tuple[Shortfall, ...]  # every shortfall when due, owed or not
    made_up: int
    made_up_minutes: int
    makeups: tuple[tuple[dt.date, int], ...]  # (date, minutes applied) per counted make-up
    owed: tuple[Shortfall, ...]  # what is left after make-ups (minutes = still owed)
    wrong_setting_dates: tuple[dt.date, ...]
    first_delivered: dt.date | None
    late_start_days: int | None
    # each period's figures (`PeriodRow`); `periods` gives them as PeriodLines, named, when
    # a report asks: rules read only the totals, and a line per period cost a fifth of the
    # ledger's time
    period_rows: tuple[PeriodRow, ...] = attrs.field(repr=False)
    _lines: list[PeriodLine] = attrs.field(factory=list, init=False, eq=False, repr=False)

    @property
    def periods(self) -> tuple[PeriodLine, ...]:
        """One line per counting period, in order (made on first read, then kept)."""
        if len(self._lines) != len(self.period_rows):
            unit = FrequencyUnit(self.per)
            self._lines[:] = [PeriodLine(period_label(unit, row[0], row[1]), *row[2:])
                              for row in self.period_rows]
        return tuple(self._lines)

    def _sessions(self, reasons: frozenset[str] | None = None, *, exclude: bool = False) -> int:
        return sum(s.sessions for s in self.missed_items
                   if reasons is None or ((s.reason in reasons) != exclude))

    @property
    def missed(self) -> int:
        """Sessions logged as missed (and counted) in ended periods."""
        return self._sessions(frozenset({UNDOCUMENTED, SHORT}), exclude=True)

    @property
    def undocumented(self) -> int:
        return self._sessions(frozenset({UNDOCUMENTED}))

    @property
    def missed_by_reason(self) -> dict[str, int]:
        """Sessions missed per reason (undocumented and short minutes left out)."""
        out: Counter[str] = Counter()
        for s in self.missed_items:
            if s.reason not in (UNDOCUMENTED, SHORT):
                out[s.reason] += s.sessions
        return dict(sorted(out.items()))

    @property
    def missed_minutes_by_reason(self) -> dict[str, int]:
        out: Counter[str] = Counter()
        for s in self.missed_items:
            out[s.reason] += s.minutes
        return dict(sorted(out.items()))

    @property
    def missed_when_due(self) -> tuple[Shortfall, ...]:
        return tuple(s for s in self.missed_items if s.owed)

    @property
    def missed_when_due_sessions(self) -> int:
        return sum(s.sessions for s in self.missed_when_due)

    @property
    def missed_when_due_minutes(self) -> int:
        return sum(s.minutes for s in self.missed_when_due)

    @property
    def short_minutes(self) -> int:
        return sum(s.minutes for s in self.missed_items if s.reason == SHORT)

    @property
    def partial_sessions(self) -> int:
        return sum(1 for s in self.missed_items if s.reason == SHORT)

    @property
    def owed_minutes(self) -> int:
        return sum(s.minutes for s in self.owed)

    @property
    def owed_sessions(self) -> int:
        return sum(s.sessions for s in self.owed)

    @property
    def child_absences(self) -> int:
        return self._sessions(CHILD_REASONS)

    @property
    def complaint_window_ends(self) -> dt.date | None:
        """The earliest last day a state complaint can raise an owed item."""
        return min((s.complaint_deadline for s in self.owed), default=None)

    def _percent(self, minutes: int) -> int:
        return 100 * minutes // self.expected_minutes if self.expected_minutes else 0

    def table_row(self) -> tuple[str, ...]:
        """The figures of the ledger table, as every format shows them (TABLE_COLUMNS):
        sessions with minutes in brackets (sessions shown as "-" where the mandate counts
        minutes), short minutes, and the complaint-window date."""
        def pair(sessions: int, minutes: int, counted: bool = True) -> str:
            return f"{sessions if counted else '-'} ({minutes})"

        by_sessions = self.measure == Measure.SESSIONS.value
        window = self.complaint_window_ends
        return (pair(self.expected, self.expected_minutes, by_sessions),
                pair(self.delivered, self.delivered_minutes),
                str(self.short_minutes),
                pair(self.missed_when_due_sessions, self.missed_when_due_minutes, by_sessions),
                pair(self.made_up, self.made_up_minutes),
                pair(self.owed_sessions, self.owed_minutes, by_sessions),
                window.isoformat() if window else "-")

    def owed_by_deadline(self) -> dict[dt.date, tuple[Shortfall, ...]]:
        """Owed items grouped by the last day a state complaint can raise them."""
        groups: dict[dt.date, list[Shortfall]] = defaultdict(list)
        for s in self.owed:
            groups[s.complaint_deadline].append(s)
        return {day: tuple(items) for day, items in sorted(groups.items())}

    def by_month(self) -> tuple[MonthLine, ...]:
        """The ledger's minutes per calendar month (of each period's last counted school day,
        each shortfall's due date and each make-up's date); the months add up to the totals."""
        rows: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0, 0])
        for line in self.periods:
            if line.counted:
                row = rows[line.due.strftime("%Y-%m")]
                row[0] += line.expected_minutes
                row[1] += line.delivered_minutes
        for s in self.missed_when_due:
            rows[s.due.strftime("%Y-%m")][2] += s.minutes
        for day, minutes in self.makeups:
            rows[day.strftime("%Y-%m")][3] += minutes
        for s in self.owed:
            rows[s.due.strftime("%Y-%m")][4] += s.minutes
        return tuple(MonthLine(month, *values) for month, values in sorted(rows.items()))

    def facts(self) -> dict[str, Any]:
        """The figures rules read as `ledger.*` (LEDGER_FACTS_DECLARED): what the properties
        above give, from one pass over the shortfalls."""
        missed = undocumented = partial = short = child = child_minutes = 0
        for s in self.missed_items:
            reason = s.reason
            if reason == UNDOCUMENTED:
                undocumented += s.sessions
            elif reason == SHORT:
                partial += 1
                short += s.minutes
            else:
                missed += s.sessions
                if reason in CHILD_REASONS:
                    child += s.sessions
                    child_minutes += s.minutes
        when_due = self.missed_when_due
        when_due_minutes = sum(s.minutes for s in when_due)
        owed_minutes = sum(s.minutes for s in self.owed)
        window = self.complaint_window_ends
        return {
            "$path": None,
            "measure": self.measure,
            "expected": self.expected,
            "expected_minutes": self.expected_minutes,
            "delivered": self.delivered,
            "delivered_minutes": self.delivered_minutes,
            "missed": missed,
            "undocumented": undocumented,
            "missed_when_due": sum(s.sessions for s in when_due),
            "missed_when_due_minutes": when_due_minutes,
            "missed_when_due_dates": tuple(s.source for s in when_due),
            "missed_percent": self._percent(when_due_minutes),
            "made_up": self.made_up,
            "made_up_minutes": self.made_up_minutes,
            "owed_sessions": sum(s.sessions for s in self.owed),
            "owed_minutes": owed_minutes,
            "owed_dates": tuple(s.source for s in self.owed),
            "shortfall_percent": self._percent(owed_minutes),
            "partial_sessions": partial,
            "short_minutes": short,
            "late_start_days": self.late_start_days,
            "child_absences": child,
            "child_absence_percent": self._percent(child_minutes),
            "wrong_setting_sessions": len(self.wrong_setting_dates),
            "wrong_setting_dates": tuple(d.isoformat() for d in self.wrong_setting_dates),
            # text, not a date: the durable backend posts `ledger` whole, as JSON
            "complaint_window_ends": window.isoformat() if window else None,
        }


# What rules may read as `ledger.*` (name, kind, meaning): the declarations the fact
# descriptions are built from; `MandateLedger.facts()` gives exactly these.
LEDGER_FACTS_DECLARED: tuple[tuple[str, str, str], ...] = (
    ("measure", "string", "how the mandate counts: sessions, or minutes in any session lengths"),
    ("expected", "number", "sessions expected in the periods that have ended"),
    ("expected_minutes", "number", "minutes expected in the periods that have ended"),
    ("delivered", "number", "expected sessions delivered (individually when so mandated)"),
    ("delivered_minutes", "number", "minutes delivered, up to the session length"),
    ("missed", "number", "expected sessions logged as missed, any reason"),
    ("undocumented", "number", "expected sessions with no log entry"),
    ("missed_when_due", "number", "sessions not provided when due for a reason the district "
                                  "answers for, before make-ups"),
    ("missed_when_due_minutes", "number", "minutes not provided when due (with short sessions' "
                                          "missing minutes), before make-ups"),
    ("missed_when_due_dates", "list of string", "the date (or period) of each such shortfall"),
    ("missed_percent", "number", "missed-when-due minutes as a share of expected minutes"),
    ("made_up", "number", "make-up sessions counted against owed items"),
    ("made_up_minutes", "number", "minutes of make-up counted against owed items"),
    ("owed_sessions", "number", "sessions still owed after make-ups"),
    ("owed_minutes", "number", "minutes still owed after make-ups"),
    ("owed_dates", "list of string", "the date (or period) of each item still owed"),
    ("shortfall_percent", "number", "owed minutes as a share of expected minutes"),
    ("partial_sessions", "number", "delivered sessions shorter than the session length"),
    ("short_minutes", "number", "minutes missing from those sessions"),
    ("late_start_days", "number", "days from the window's start to the first session"),
    ("child_absences", "number", "sessions missed for the child's own absence or unavailability"),
    ("child_absence_percent", "number", "their minutes as a share of expected minutes"),
    ("wrong_setting_sessions", "number", "individual sessions delivered in a group"),
    ("wrong_setting_dates", "list of string", "their dates"),
    ("complaint_window_ends", "string", "YYYY-MM-DD: the last day a state complaint can raise "
                                        "the earliest owed item (34 CFR 300.153(c))"),
)

TABLE_COLUMNS = ("expected", "delivered", "short (min)", "missed when due", "made up", "owed",
                 "complaint window ends")


# ---- accrual windows ------------------------------------------------------------------------

Window = tuple[dt.date | None, dt.date | None]  # first and last day an IEP accrues services


def accrual_windows(case: Case) -> tuple[Window, ...]:
    """Per IEP (same order as `case.ieps`): from its start to its end, or to the day before the
    next IEP (by start date) takes effect, whichever is first: a replaced IEP stops accruing."""
    starts = sorted({iep.start for iep in case.ieps or () if iep.start is not None})
    out: list[Window] = []
    for iep in case.ieps or ():
        end = iep.end
        if iep.start is not None:
            later = bisect.bisect_right(starts, iep.start)
            if later < len(starts):
                replaced = starts[later] - dt.timedelta(days=1)
                end = replaced if end is None else min(end, replaced)
        out.append((iep.start, end))
    return tuple(out)


# ---- the ledger of one mandate -----------------------------------------------------------------

def _sort_key(log: SessionLog) -> tuple[dt.date, str, str, int, dt.date, int]:
    # the status itself: a StrEnum orders as its text, without the enum's `value` lookup
    return (log.date, log.status, log.reason or "", log.minutes or 0,
            log.makeup_for or dt.date.min, log.group_size or 0)


# A service's log: its regular entries, then its make-ups, each in _sort_key order and each
# with its dates (for bisecting a mandate's window out of them)
ServiceLog = tuple[list[SessionLog], list[dt.date], list[SessionLog], list[dt.date]]


def _service_log(entries: Sequence[SessionLog]) -> ServiceLog:
    """A service's log, split and sorted (`ServiceLog`)."""
    return _sorted_log([log for log in entries if log.status is not _MAKEUP],
                       [log for log in entries if log.status is _MAKEUP])


def _sorted_log(regular: list[SessionLog], makeups: list[SessionLog]) -> ServiceLog:
    # sorting each part alone orders it as sorting the whole log would (a stable sort)
    return (*_in_order(regular), *_in_order(makeups))


def _in_order(entries: list[SessionLog]) -> tuple[list[SessionLog], list[dt.date]]:
    """Log entries in _sort_key order (sorted in place), with their dates. A log in date
    order, as logs usually come, only needs its runs of same-day entries sorted."""
    dates = [log.date for log in entries]
    if not all(map(operator.le, dates, dates[1:])):
        entries.sort(key=_sort_key)
        return entries, [log.date for log in entries]
    # i where dates[i] == dates[i + 1]: each run of consecutive i is one day's entries
    ties = list(itertools.compress(range(len(dates) - 1), map(operator.eq, dates, dates[1:])))
    k = 0
    while k < len(ties):
        first = k
        while k + 1 < len(ties) and ties[k + 1] == ties[k] + 1:
            k += 1
        lo, hi = ties[first], ties[k] + 2
        entries[lo:hi] = sorted(entries[lo:hi], key=_sort_key)
        k += 1
    return entries, dates


def logs_by_service(sessions: Sequence[SessionLog]) -> dict[str, ServiceLog]:
    """The case's log, per service id, split and sorted once for every mandate of that
    service."""
    regular: dict[str, list[SessionLog]] = defaultdict(list)
    makeups: dict[str, list[SessionLog]] = defaultdict(list)
    for log in sessions:
        (makeups if log.status is _MAKEUP else regular)[log.service].append(log)
    return {service: _sorted_log(regular.get(service, []), makeups.get(service, []))
            for service in {**regular, **makeups}}


def _min_date(*days: dt.date | None) -> dt.date | None:
    present = [d for d in days if d is not None]
    return min(present) if present else None


def school_days_for(case: Case, as_of: dt.date) -> SchoolDays:
    """The case's school days, read only inside the span a ledger as of `as_of` can need."""
    return school_days(case.calendars or (), shift(as_of, years=-LOOKBACK_YEARS),
                       shift(as_of, days=LOOKAHEAD_DAYS), as_of)


def removal_ranks(case: Case) -> dict[dt.date, int]:
    """For each date a log records a disciplinary removal: its rank among the removal days of
    its school year (1 = the first). The ledger sees only the days some service log records,
    a lower bound of the days removed, so it never calls services owed too early."""
    removal = MissReason.DISCIPLINARY_REMOVAL
    days = sorted({s.date for s in case.sessions or () if s.reason is removal})

    def school_year(day: dt.date) -> dt.date:
        for cal in case.calendars or ():
            if cal.year_start <= day <= cal.year_end:
                return cal.year_start
        return dt.date(day.year if day.month >= 7 else day.year - 1, 7, 1)

    seen: Counter[dt.date] = Counter()
    ranks = {}
    for day in days:
        key = school_year(day)
        seen[key] += 1
        ranks[day] = seen[key]
    return ranks


@attrs.define
class _Tally:
    """Running totals of one mandate while its periods are counted."""

    items: list[Shortfall] = attrs.Factory(list)
    lines: list[PeriodRow] = attrs.Factory(list)
    excess: int = 0
    wrong_setting: list[dt.date] = attrs.Factory(list)
    # sums over the counted lines
    expected: int = 0
    expected_minutes: int = 0
    delivered: int = 0
    delivered_minutes: int = 0


_CLOSURE, _REMOVAL = MissReason.SCHOOL_CLOSURE.value, MissReason.DISCIPLINARY_REMOVAL.value
_MAKEUP, _SESSIONS = SessionStatus.MAKEUP, Measure.SESSIONS
_BY_DUE = operator.attrgetter("due", "source")  # the order of a mandate's shortfalls


class _Counter:
    """Counts one mandate's periods against its log (one instance per mandate). Per period it
    works on indices into the sorted school days and log (bisections), and what the mandate
    and policy fix is read once here."""

    def __init__(self, iep: IEP, service_index: int, as_of: dt.date, policy: Policy,
                 days: SchoolDays, ranks: Mapping[dt.date, int],
                 window: tuple[dt.date, dt.date | None], log: ServiceLog) -> None:
        self.service = service = iep.services[service_index]
        freq = service.frequency
        assert freq is not None and service.duration_minutes is not None
        self.freq, self.duration = freq, service.duration_minutes
        self.as_of, self.policy, self.days, self.ranks = as_of, policy, days, ranks
        self.open_days = days.open_days
        self.start, self.end = window
        self.individual = service.group_size == 1
        regular, dates, makeups, makeup_dates = log
        first, last = bisect.bisect_left(dates, self.start), bisect.bisect_right(dates, as_of)
        self.logs, self.log_dates = regular[first:last], dates[first:last]
        self.makeup_logs = makeups[bisect.bisect_left(makeup_dates, self.start):
                                   bisect.bisect_right(makeup_dates, as_of)]
        self.on_weekdays = bool(service.weekdays) and freq.per is _WEEK
        self.fixed_days = (self.on_weekdays and policy.weekly_basis is WeeklyBasis.FIXED_DAYS
                           and freq.measure is _SESSIONS)
        self.by_minutes = freq.measure is _MINUTES
        # whole weeks or months of sessions on no fixed weekdays: the common mandate, counted
        # by `count_plain` (every other kind by `count`)
        self.plain = (not self.by_minutes and not self.on_weekdays
                      and freq.per in (_WEEK, _MONTH))
        self.owed_by_reason: dict[str, bool] = {}  # every reason but a removal's (by day)
        self.tally = _Tally()

    # -- what is owed ---------------------------------------------------------------------

    def _owed(self, reason: str, day: dt.date) -> bool:
        policy = self.policy
        if reason == _CLOSURE:
            # the frequency is the mandate: a closure is excused only where sessions are
            # counted on fixed days and the policy excuses closures on them
            return (reason in policy.owed_reasons or policy.closure_on_fixed_day_owed
                    or not self.fixed_days)
        if reason == _REMOVAL:
            return (reason in policy.owed_reasons
                    and self.ranks.get(day, 0) > policy.removal_days_before_services)
        if reason == UNDOCUMENTED:
            return policy.undocumented_owed or reason in policy.owed_reasons
        if reason == SHORT:
            return policy.partial_minutes_owed or reason in policy.owed_reasons
        return reason in policy.owed_reasons

    def _item(self, source: str, reason: str, due: dt.date, minutes: int,
              sessions: int) -> Shortfall:
        owed = self.owed_by_reason.get(reason)
        if owed is None:
            owed = self._owed(reason, due)
            if reason != _REMOVAL:
                self.owed_by_reason[reason] = owed
        years = self.policy.complaint_limit_years
        year = due.year + years
        if 1 <= year <= 9999 and (due.month != 2 or due.day != 29):
            deadline = due.replace(year=year)  # add_years_saturating's common case
        else:
            deadline = add_years_saturating(due, years)
        return Shortfall(source, reason, due, minutes, sessions, owed, deadline)

    # -- what a period expects -------------------------------------------------------------

    def _open_count(self, start: dt.date, end: dt.date) -> int:
        """len(self.days.between(start, end))."""
        days = self.open_days
        return max(bisect.bisect_right(days, end) - bisect.bisect_left(days, start), 0)

    def _expected(self, start: dt.date, end: dt.date, lo: dt.date, top: dt.date,
                  first_open: int, after: int, upto: int) -> tuple[bool, int, int, list[dt.date]]:
        """(counted, sessions, minutes, closed fixed days standing as misses) for the period
        [start, end], counted from lo to hi: its open school days are open_days[first_open:
        after], those passed by the as-of date open_days[first_open:upto]; top = min(hi,
        as_of)."""
        freq, unit = self.freq, self.freq.per
        closed_fixed = [d for d in fixed_day_dates(self.service.weekdays, lo, top)
                        if d in self.days.closed] if self.on_weekdays else []
        if self.fixed_days:
            on_fixed = fixed_day_dates(self.service.weekdays, lo, top)
            open_passed = set(self.open_days[first_open:upto])
            sessions = sum(1 for d in on_fixed if d in open_passed)
            if not self.policy.closure_on_fixed_day_owed:
                closed_fixed = []
            sessions += len(closed_fixed)
            return True, sessions, sessions * self.duration, closed_fixed
        n_open, n_passed = after - first_open, upto - first_open
        ended = n_passed == n_open
        amount = freq.times * self.duration  # minutes a whole period holds
        if unit is _DAY:
            sessions = freq.times if n_passed else 0
            return True, sessions, sessions * self.duration, []
        if unit is _YEAR:
            full = self._open_count(start, end)
            if ended:
                share = (n_open, full) if (
                    n_open < full and self.policy.year_cut_short_prorated) else (1, 1)
            elif freq.prorated:
                share = (n_passed, full)
            else:
                return False, 0, 0, []
            if self.by_minutes:
                return True, 0, amount * share[0] // max(share[1], 1), closed_fixed
            sessions = min(freq.times * share[0] // max(share[1], 1), n_open)
            return True, sessions, sessions * self.duration, closed_fixed
        if not ended:
            return False, 0, 0, []
        if self.by_minutes:
            full = self._open_count(start, end)  # only these two need it
            minutes = amount * n_open // full if full else 0
            return True, 0, minutes, closed_fixed
        sessions = min(freq.times, n_open)
        return True, sessions, sessions * self.duration, closed_fixed

    # -- counting -----------------------------------------------------------------------------

    def label(self, start: dt.date, end: dt.date) -> str:
        return period_label(self.freq.per, start, end)

    def count(self, start: dt.date, end: dt.date) -> None:
        """Counts the period [start, end], inside the mandate's window."""
        as_of, window_end = self.as_of, self.end
        lo = start if start > self.start else self.start
        hi = end if window_end is None or end < window_end else window_end
        top = hi if hi < as_of else as_of
        # open days from lo to hi, and from lo to min(hi, as_of), as slices of open_days
        days = self.open_days
        first_open, after = bisect.bisect_left(days, lo), bisect.bisect_right(days, hi)
        upto = after if hi <= as_of else max(bisect.bisect_right(days, as_of), first_open)
        counted, want, want_minutes, closed = self._expected(start, end, lo, top, first_open,
                                                             after, upto)
        logs, log_dates = self.logs, self.log_dates
        entries = logs[bisect.bisect_left(log_dates, lo):bisect.bisect_right(log_dates, top)]
        due = days[upto - 1] if upto > first_open else top
        tally = self.tally
        delivered: list[SessionLog] = entries
        missed: list[SessionLog] = []
        if entries and self.individual:  # a session delivered in a group is not delivered
            delivered = []
            for log in entries:
                if log.status is not _DELIVERED:
                    missed.append(log)
                elif log.group_size is not None and log.group_size > 1:
                    missed.append(log)
                    tally.wrong_setting.append(log.date)
                else:
                    delivered.append(log)
        elif entries:
            missed = [log for log in entries if log.status is not _DELIVERED]
            if missed:
                delivered = [log for log in entries if log.status is _DELIVERED]
        if not counted:
            tally.lines.append((start, end, lo, hi, due, False, 0, len(delivered), len(missed),
                                0, 0, 0))
            return
        synthetic: list[SessionLog] = []
        if closed:  # entries are already in _sort_key order: sort again only when adding
            logged_days = {log.date for log in entries}
            synthetic = [SessionLog(d, self.service.id, SessionStatus.MISSED,
                                    reason=MissReason.SCHOOL_CLOSURE)
                         for d in closed if d not in logged_days]
            missed = sorted(missed + synthetic, key=_sort_key)
        if self.by_minutes:
            row = self._count_minutes(start, end, lo, hi, due, want_minutes, delivered, missed)
        else:
            row = self._count_sessions(start, end, lo, hi, due, want, delivered, missed)
        n_delivered, n_missed = row[7], row[8]
        used_real = n_delivered + (sum(
            1 for log in missed[:n_missed] if not any(log is s for s in synthetic))
            if synthetic else min(n_missed, len(missed)))
        tally.excess += len(entries) - used_real
        tally.lines.append(row)
        tally.expected += row[6]
        tally.expected_minutes += row[10]
        tally.delivered += n_delivered
        tally.delivered_minutes += row[11]

    def count_plain(self, bounds: Iterable[tuple[dt.date, dt.date]]) -> None:
        """`count` of each period, for a plain mandate (whole weeks or months of sessions on
        no fixed weekdays, the common one): the same rows, items and totals, from running
        counts of the log's delivered (and short) entries instead of per-period lists, so a
        period whose log is as expected costs a few bisections and a row."""
        days, as_of, window_end, first_day = self.open_days, self.as_of, self.end, self.start
        logs, log_dates, duration = self.logs, self.log_dates, self.duration
        times, individual = self.freq.times, self.individual
        # per entry: whether it counts as delivered (not in a group when individual), and
        # whether it is such an entry shorter than the session; running totals of both
        counts = [log.status is _DELIVERED and not (
            individual and log.group_size is not None and log.group_size > 1) for log in logs]
        shorts = [counted and log.minutes is not None and log.minutes < duration
                  for counted, log in zip(counts, logs, strict=True)]
        delivered_upto = [0, *itertools.accumulate(counts)]
        shorts_upto = [0, *itertools.accumulate(shorts)]
        tally = self.tally
        items, rows = tally.items, tally.lines
        left, right = bisect.bisect_left, bisect.bisect_right
        passed_all = right(days, as_of)  # open days up to the as-of date
        expected = delivered_total = minutes_total = excess = 0
        for start, end in bounds:
            lo = start if start > first_day else first_day
            hi = end if window_end is None or end < window_end else window_end
            top = hi if hi < as_of else as_of
            first_open, after = left(days, lo), right(days, hi)
            upto = after if hi <= as_of else max(passed_all, first_open)
            due = days[upto - 1] if upto > first_open else top
            first, last = left(log_dates, lo), right(log_dates, top)
            entries = last - first
            delivered = delivered_upto[last] - delivered_upto[first]
            if individual and delivered < entries:
                tally.wrong_setting.extend(
                    logs[i].date for i in range(first, last)
                    if not counts[i] and logs[i].status is _DELIVERED)
            if upto != after:  # the period has not ended: nothing expected yet
                rows.append((start, end, lo, hi, due, False, 0, delivered, entries - delivered,
                             0, 0, 0))
                continue
            want = after - first_open
            if want > times:
                want = times
            used = delivered if delivered < want else want
            room = want - used
            missed = entries - delivered
            if missed > room:
                missed = room
            delivered_minutes = used * duration
            if used and shorts_upto[last] != shorts_upto[first]:
                seen = 0  # the first `used` delivered entries: their short minutes
                for i in range(first, last):
                    if counts[i]:
                        seen += 1
                        if shorts[i]:
                            log = logs[i]
                            minutes = log.minutes or 0
                            delivered_minutes -= duration - minutes
                            items.append(self._item(log.date.isoformat(), SHORT, log.date,
                                                    duration - minutes, 0))
                        if seen == used:
                            break
            if missed:
                taken = 0  # the first `missed` entries not delivered
                for i in range(first, last):
                    if not counts[i]:
                        log = logs[i]
                        items.append(self._item(log.date.isoformat(), self._reason(log),
                                                log.date, duration, 1))
                        taken += 1
                        if taken == missed:
                            break
            undocumented = room - missed
            if undocumented:
                items.append(self._item(self.label(start, end), UNDOCUMENTED, due,
                                        undocumented * duration, undocumented))
            excess += entries - used - missed
            rows.append((start, end, lo, hi, due, True, want, used, missed, undocumented,
                         want * duration, delivered_minutes))
            expected += want
            delivered_total += used
            minutes_total += delivered_minutes
        tally.excess += excess
        tally.expected += expected
        tally.expected_minutes += expected * duration
        tally.delivered += delivered_total
        tally.delivered_minutes += minutes_total

    def _in_group(self, log: SessionLog) -> bool:
        return self.individual and log.group_size is not None and log.group_size > 1

    def _reason(self, log: SessionLog) -> str:
        if log.status is _DELIVERED:  # delivered in a group, mandate individual
            return IN_GROUP
        # str() of a StrEnum is its text, without the enum's `value` lookup
        return str(log.reason) if log.reason is not None else NOT_RECORDED

    def _count_sessions(self, start: dt.date, end: dt.date, lo: dt.date, hi: dt.date,
                        due: dt.date, want: int, delivered: list[SessionLog],
                        missed: list[SessionLog]) -> PeriodRow:
        duration, items = self.duration, self.tally.items
        if len(delivered) > want:
            delivered = delivered[:want]
        room = want - len(delivered)
        if len(missed) > room:
            missed = missed[:room] if room > 0 else []
        delivered_minutes = 0
        for log in delivered:
            minutes = log.minutes
            if minutes is None or minutes >= duration:
                delivered_minutes += duration
            else:
                delivered_minutes += minutes
                items.append(self._item(log.date.isoformat(), SHORT, log.date,
                                        duration - minutes, 0))
        for log in missed:
            items.append(self._item(log.date.isoformat(), self._reason(log), log.date,
                                    duration, 1))
        undocumented = room - len(missed)
        if undocumented:
            items.append(self._item(self.label(start, end), UNDOCUMENTED, due,
                                    undocumented * duration, undocumented))
        return (start, end, lo, hi, due, True, want, len(delivered), len(missed), undocumented,
                want * duration, delivered_minutes)

    def _count_minutes(self, start: dt.date, end: dt.date, lo: dt.date, hi: dt.date,
                       due: dt.date, want: int, delivered: list[SessionLog],
                       missed: list[SessionLog]) -> PeriodRow:
        given = sum(self.duration if log.minutes is None else log.minutes for log in delivered)
        delivered_minutes = min(given, want)
        gap, used = want - delivered_minutes, 0
        for log in missed:
            if gap <= 0:
                break
            take = min(self.duration, gap)
            self.tally.items.append(self._item(log.date.isoformat(), self._reason(log), log.date,
                                               take, 1))
            gap -= take
            used += 1
        if gap > 0:
            self.tally.items.append(self._item(self.label(start, end), UNDOCUMENTED, due, gap,
                                               0))
        return (start, end, lo, hi, due, True, 0, len(delivered), used, 0, want,
                delivered_minutes)

    # -- make-ups -------------------------------------------------------------------------

    def apply_makeups(self, shortfalls: Sequence[Shortfall]
                      ) -> tuple[list[Shortfall], list[tuple[dt.date, int]]]:
        """Make-ups reduce owed items, minute by minute: the item they name first, then the
        oldest. A make-up is delivered service whatever the miss it names, so it is never lost
        while anything is owed; owed never goes negative. `shortfalls` are the mandate's, in
        (due, source) order."""
        items = [s for s in shortfalls if s.owed]
        left = [s.minutes for s in items]
        by_source: dict[str, list[int]] = defaultdict(list)
        if any(log.makeup_for for log in self.makeup_logs):
            for i, item in enumerate(items):
                by_source[item.source].append(i)
        oldest = 0  # every item before it is fully made up
        applied: list[tuple[dt.date, int]] = []
        for log in self.makeup_logs:
            todo = self.duration if log.minutes is None else log.minutes
            used = 0
            named = by_source.get(log.makeup_for.isoformat(), []) if log.makeup_for else []
            for i in named:
                take = min(left[i], todo - used)
                left[i] -= take
                used += take
            while used < todo and oldest < len(items):
                take = min(left[oldest], todo - used)
                left[oldest] -= take
                used += take
                if left[oldest] == 0:
                    oldest += 1
            if used:
                applied.append((log.date, used))
        # an item nothing made up is kept as it is: its sessions are already its minutes in
        # whole sessions (one per missed session, n for n undocumented ones)
        owed = [s if rest == s.minutes else
                Shortfall(s.source, s.reason, s.due, rest,
                          -(-rest // self.duration) if s.sessions else 0, s.owed,
                          s.complaint_deadline)  # attrs.evolve, without its generic cost
                for s, rest in zip(items, left, strict=True) if rest > 0]
        return owed, applied


def mandate_ledger(case: Case, iep_index: int, service_index: int, as_of: dt.date,
                   policy: Policy, days: SchoolDays | None = None,
                   window: Window | None = None,
                   ranks: Mapping[dt.date, int] | None = None,
                   by_service: Mapping[str, ServiceLog] | None = None
                   ) -> MandateLedger | None:
    """The ledger of one service, or None when its mandate or the calendar is not recorded or
    it has not started by `as_of`. `window` is the IEP's accrual window (default: from
    `accrual_windows`); `days`, `ranks` and `by_service` (the case's logs per service id, from
    `logs_by_service`) are passed in when several services share them."""
    iep = (case.ieps or ())[iep_index]
    service = iep.services[service_index]
    if (service.frequency is None or service.duration_minutes is None or not case.calendars
            or case.sessions is None):  # an unrecorded log (None) is unknown, not empty
        return None
    accrual = window if window is not None else accrual_windows(case)[iep_index]
    iep_end, service_end = iep.end, service.end
    if accrual[1] is not None and iep.end is not None and accrual[1] > iep.end:
        # the timeline kept the IEP past its projected end: the child stayed put while a
        # due-process complaint held the next IEP back (300.518(a)); services that were to end
        # with the IEP continue with it
        iep_end = accrual[1] if accrual[1] < as_of else None  # still open on the as-of date
        service_end = iep_end if service.end == iep.end else service.end
    if accrual[1] is not None and accrual[1] >= as_of:
        # a window ending on or after the as-of date (a timeline clips open windows to it) is
        # still open: the period holding the as-of date has not ended because of it
        accrual = (accrual[0], None)
    anchor = service.start or iep.start
    if anchor is None:
        return None
    start = max(d for d in (anchor, accrual[0], shift(as_of, years=-LOOKBACK_YEARS))
                if d is not None)
    end = _min_date(service_end, iep_end, accrual[1])
    last = as_of if end is None else min(end, as_of)
    if start > last:
        return None
    log = (by_service.get(service.id, ([], [], [], [])) if by_service is not None else
           _service_log([s for s in case.sessions if s.service == service.id]))
    counter = _Counter(iep, service_index, as_of, policy, days or school_days_for(case, as_of),
                       removal_ranks(case) if ranks is None else ranks, (start, end), log)
    bounds = period_bounds(service.frequency.per, anchor, start, last,
                           _min_date(service_end, iep_end))
    if counter.plain:
        counter.count_plain(bounds)
    else:
        for period_start, period_end in bounds:
            counter.count(period_start, period_end)
    tally = counter.tally
    shortfalls = sorted(tally.items, key=_BY_DUE)
    owed, applied = counter.apply_makeups(shortfalls)
    # the logs are in date order: the first delivered entry and the first make-up
    first_dates = [d for d in (
        next((log.date for log in counter.logs
              if log.status is _DELIVERED and not counter._in_group(log)), None),
        counter.makeup_logs[0].date if counter.makeup_logs else None) if d is not None]
    first = min(first_dates, default=None)
    return MandateLedger(
        as_of=as_of, subject=f"$.ieps[{iep_index}].services[{service_index}]", iep_id=iep.id,
        service_id=service.id, service_name=service.name, per=service.frequency.per.value,
        measure=service.frequency.measure.value, times=service.frequency.times,
        duration_minutes=service.duration_minutes, start=start, end=end,
        expected=tally.expected, expected_minutes=tally.expected_minutes,
        delivered=tally.delivered, delivered_minutes=tally.delivered_minutes,
        excess=tally.excess,
        missed_items=tuple(shortfalls),
        made_up=len(applied), made_up_minutes=sum(m for _, m in applied),
        makeups=tuple(applied), owed=tuple(owed),
        wrong_setting_dates=tuple(sorted(set(tally.wrong_setting))),
        first_delivered=first,
        late_start_days=None if first is None else (first - start).days,
        period_rows=tuple(tally.lines),
    )


def case_ledger(case: Case, as_of: dt.date, params: Mapping[str, Any] | None = None,
                windows: Sequence[Window | None] | None = None) -> list[MandateLedger]:
    """Every service's ledger (services whose mandate or calendar is unrecorded are left out).
    `windows` gives each IEP's accrual window, in `case.ieps` order (default: the timeline's,
    facts/_timeline.py: an IEP stops accruing when the next one takes effect, when services
    cease after a written revocation, or at an exit); None for an IEP that accrues nothing (it
    never took effect, or its dates are unknown)."""
    policy = Policy.from_params(params or {})
    if not case.calendars or not any(iep.services for iep in case.ieps or ()):
        return []
    accrual = iep_accrual_windows(case, as_of, params) if windows is None else tuple(windows)
    days = school_days_for(case, as_of)
    ranks = removal_ranks(case)
    by_service = logs_by_service(case.sessions or ())
    out = []
    for i, iep in enumerate(case.ieps or ()):
        window = accrual[i]
        for j in range(len(iep.services) if window is not None else 0):
            ledger = mandate_ledger(case, i, j, as_of, policy, days, window, ranks, by_service)
            if ledger is not None:
                out.append(ledger)
    return out


def _plain(value: Any) -> Any:
    """Tuples to lists and dates to text, all the way down, so the JSON form round-trips."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def source_dates(source: str) -> tuple[dt.date, dt.date]:
    """The first and last day of a shortfall's source: a date (YYYY-MM-DD), or the label of
    the period it stands for (`Period.label`: ISO week, month, or `start..end`)."""
    if ".." in source:
        start, end = source.split("..", 1)
        return dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    if "-W" in source:
        monday = dt.date.fromisocalendar(int(source[:4]), int(source[6:]), 1)
        return monday, monday + dt.timedelta(days=6)
    if len(source) == 7:  # YYYY-MM
        first = dt.date(int(source[:4]), int(source[5:]), 1)
        following = first.replace(year=first.year + first.month // 12,
                                   month=first.month % 12 + 1)
        return first, following - dt.timedelta(days=1)
    day = dt.date.fromisoformat(source)
    return day, day


def _shortfall_json(item: Shortfall) -> dict[str, Any]:
    """A shortfall as JSON: its source (a date or a period code) with that period's dates."""
    start, end = source_dates(item.source)
    return {**attrs.asdict(item), "start": start, "end": end}


def ledger_to_json(ledger: MandateLedger) -> dict[str, Any]:
    """The ledger as JSON: the same figures the text table shows, and every item behind them."""
    data: dict[str, Any] = _plain({
        "as_of": ledger.as_of, "subject": ledger.subject, "iep_id": ledger.iep_id,
        "service_id": ledger.service_id,
        "service_name": ledger.service_name, "per": ledger.per, "measure": ledger.measure,
        "times": ledger.times, "duration_minutes": ledger.duration_minutes,
        "start": ledger.start, "end": ledger.end,
        "expected": ledger.expected, "expected_minutes": ledger.expected_minutes,
        "delivered": ledger.delivered, "delivered_minutes": ledger.delivered_minutes,
        "short_minutes": ledger.short_minutes, "partial_sessions": ledger.partial_sessions,
        "missed": ledger.missed, "undocumented": ledger.undocumented, "excess": ledger.excess,
        "missed_by_reason": ledger.missed_by_reason,
        "missed_minutes_by_reason": ledger.missed_minutes_by_reason,
        "missed_when_due": ledger.missed_when_due_sessions,
        "missed_when_due_items": [_shortfall_json(s) for s in ledger.missed_when_due],
        "missed_when_due_minutes": ledger.missed_when_due_minutes,
        "made_up": ledger.made_up, "made_up_minutes": ledger.made_up_minutes,
        "owed": ledger.owed_sessions, "owed_sessions": ledger.owed_sessions,
        "owed_minutes": ledger.owed_minutes,
        "owed_items": [_shortfall_json(s) for s in ledger.owed],
        "complaint_window_ends": ledger.complaint_window_ends,
        "owed_past_complaint_window": sum(
            1 for s in ledger.owed if s.complaint_deadline < ledger.as_of),
        "owed_by_complaint_deadline": {
            day.isoformat(): [s.source for s in items]
            for day, items in ledger.owed_by_deadline().items()},
        "wrong_setting_dates": ledger.wrong_setting_dates,
        "first_delivered": ledger.first_delivered, "late_start_days": ledger.late_start_days,
        "periods": [attrs.asdict(line) for line in ledger.periods],
        "by_month": [attrs.asdict(line) for line in ledger.by_month()],
    })
    return data
