"""School calendars and mandate periods: which days are school days, and which periods a service
mandate counts in.

Work is bounded by the dates that matter, never by what a case claims: every calendar and
closure is clipped to the span the ledger asks about, so a closure running to the year 9999
costs no more than the school years inside that span.
"""

from __future__ import annotations

import bisect
import calendar
import datetime as dt
from collections.abc import Iterable, Iterator

import attrs
from dateutil.relativedelta import relativedelta

from ..case._records import WEEKDAY_NAMES, FrequencyUnit, SchoolCalendar

_ONE_DAY = dt.timedelta(days=1)
_SIX_DAYS = dt.timedelta(days=6)
_LAST_FULL_WEEK = dt.date.max - _SIX_DAYS  # later week starts end at date.max (saturated)
# bound once: reading a member off an Enum class goes through the enum's metaclass
_DAY, _WEEK, _MONTH = FrequencyUnit.DAY, FrequencyUnit.WEEK, FrequencyUnit.MONTH


def _days(start: dt.date, end: dt.date) -> Iterator[dt.date]:
    day = start
    while day <= end:
        yield day
        if day == end:
            return
        day += _ONE_DAY


def shift(day: dt.date, **delta: int) -> dt.date:
    """`day` moved by a relativedelta, saturating at the ends of the calendar (year 1, 9999).
    One unit at a time (the ledger's only use) is computed directly: relativedelta's general
    machinery was a sixth of the ledger's time; `_shift_one` gives the same dates."""
    try:
        if len(delta) == 1:
            return _shift_one(day, *delta.items())
        return day + relativedelta(**delta)  # type: ignore[arg-type]
    except (OverflowError, ValueError):
        return dt.date.max if any(v > 0 for v in delta.values()) else dt.date.min


def _shift_one(day: dt.date, item: tuple[str, int]) -> dt.date:
    """relativedelta(**{unit: n}) added to `day`: days exactly, months and years clipped to the
    month's last day (Jan 31 + 1 month = Feb 28/29). Raises as relativedelta does (out of range)."""
    unit, n = item
    if unit == "days":
        return day + dt.timedelta(days=n)
    if unit == "months":
        months = day.year * 12 + day.month - 1 + n
        year, month = divmod(months, 12)
        month += 1
    elif unit == "years":
        return add_years(day, n)
    else:
        return day + relativedelta(**{unit: n})  # type: ignore[arg-type]
    if not 1 <= year <= 9999:
        raise ValueError("year out of range")
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    """`day` moved by whole years, 29 February to the 28th in a common year (as relativedelta
    does); raises ValueError outside years 1-9999. The ledger's complaint deadline of every
    missed item, so without `shift`'s general path."""
    year = day.year + years
    if not 1 <= year <= 9999:
        raise ValueError("year out of range")
    if day.month == 2 and day.day == 29 and not calendar.isleap(year):
        return dt.date(year, 2, 28)
    return day.replace(year=year)


def add_years_saturating(day: dt.date, years: int) -> dt.date:
    """`shift(day, years=years)`: `add_years`, saturating at the ends of the calendar."""
    try:
        return add_years(day, years)
    except ValueError:
        return dt.date.max if years > 0 else dt.date.min


def _merged(cal: SchoolCalendar, first: dt.date, last: dt.date) -> list[tuple[int, int]]:
    """The calendar's closures clipped to [first, last], overlapping ones merged, as day
    ordinals (first, last + 1), so the days walked never exceed the span, however many."""
    spans = sorted((max(c.start, first).toordinal(), min(c.end, last).toordinal() + 1)
                   for c in cal.closures if c.start <= last and c.end >= first)
    out: list[tuple[int, int]] = []
    for start, stop in spans:
        if out and start < out[-1][1]:
            if stop > out[-1][1]:
                out[-1] = (out[-1][0], stop)
            continue
        out.append((start, stop))
    return out


@attrs.frozen
class SchoolDays:
    """Open school days (sorted) and closed ones (a weekday of a school year that a closure
    takes, open in no calendar), inside the span [lo, hi] only. Which closure closed a day is
    not kept: nothing reads it, and it would depend on where the span was cut."""

    open_days: tuple[dt.date, ...]
    closed: frozenset[dt.date]

    @classmethod
    def build(cls, calendars: Iterable[SchoolCalendar], lo: dt.date, hi: dt.date) -> SchoolDays:
        """Weekdays inside a school year, minus closures, clipped to [lo, hi]. Counted as day
        ordinals (ranges and set differences in C) and turned into dates once at the end."""
        open_days: set[int] = set()
        closed: set[int] = set()
        for cal in set(calendars):
            first, last = max(cal.year_start, lo), min(cal.year_end, hi)
            if first > last:
                continue
            head, tail = first.toordinal(), last.toordinal() + 1
            weekday = first.weekday()
            year = set(range(head, tail))
            year.difference_update(range(head + (5 - weekday) % 7, tail, 7),  # Saturdays
                                   range(head + (6 - weekday) % 7, tail, 7))  # Sundays
            for start, stop in _merged(cal, first, last):
                shut = year.intersection(range(start, stop))
                year -= shut
                closed |= shut
            open_days |= year
        closed -= open_days  # a day open in one calendar is open
        fromordinal = dt.date.fromordinal
        return cls(tuple(map(fromordinal, sorted(open_days))),
                   frozenset(map(fromordinal, closed)))

    def between(self, start: dt.date, end: dt.date) -> tuple[dt.date, ...]:
        """Open school days from start to end, both included."""
        lo = bisect.bisect_left(self.open_days, start)
        hi = bisect.bisect_right(self.open_days, end)
        return self.open_days[lo:hi]

    def clipped(self, lo: dt.date, hi: dt.date) -> SchoolDays:
        """What `build` gives for [lo, hi] when this was built for a span holding it: clipping
        a calendar never changes which days inside the span are open or closed."""
        if lo > hi:
            return SchoolDays((), frozenset())
        return SchoolDays(self.between(lo, hi),
                          frozenset(day for day in self.closed if lo <= day <= hi))


# The last few SchoolDays built, by the calendars tuple they came from (the same object: a
# case's records are frozen, so it is the same calendar): the ledger and each service's,
# removal's and deadline's school-day facts of one case then share one build. A tuple's
# identity never reaches another case, so nothing is shared between cases.
_RECENT: list[tuple[tuple[SchoolCalendar, ...], dt.date, dt.date, SchoolDays]] = []
_RECENT_SIZE = 4
# The span built when a fact as of some date asks first: every span the ledger (25 years back,
# facts/_ledger.py) and the area facts (five years either side, facts/_areas.py) read on that
# date lies inside it, so one build serves them all.
_SHARED_YEARS_BACK = 25
_SHARED_DAYS_AHEAD = dt.timedelta(days=5 * 366 + 1)


def school_days(calendars: Iterable[SchoolCalendar], lo: dt.date, hi: dt.date,
                as_of: dt.date | None = None) -> SchoolDays:
    """`SchoolDays.build(calendars, lo, hi)`, clipped from a recent build over a wider span of
    the same calendars tuple when there is one (a list may change, so it is never reused).
    With `as_of`, a new build covers every span a fact on that date reads."""
    days = _covering(calendars, lo, hi, as_of)
    return days[0] if days[1:] == (lo, hi) else days[0].clipped(lo, hi)


def open_school_days(calendars: Iterable[SchoolCalendar], lo: dt.date, hi: dt.date,
                     as_of: dt.date | None = None) -> tuple[dt.date, ...]:
    """`school_days(...).open_days`, without clipping the closed days nobody reads here."""
    days = _covering(calendars, lo, hi, as_of)
    return days[0].open_days if days[1:] == (lo, hi) else days[0].between(lo, hi)


def _covering(calendars: Iterable[SchoolCalendar], lo: dt.date, hi: dt.date,
              as_of: dt.date | None) -> tuple[SchoolDays, dt.date, dt.date]:
    """A build of the calendars over a span holding [lo, hi], with that span."""
    if type(calendars) is not tuple:
        return SchoolDays.build(calendars, lo, hi), lo, hi
    for cals, first, last, days in _RECENT:
        if cals is calendars and first <= lo and hi <= last:
            return days, first, last
    first, last = lo, hi
    if as_of is not None:
        wide = (shift(as_of, years=-_SHARED_YEARS_BACK),
                as_of + _SHARED_DAYS_AHEAD if dt.date.max - as_of > _SHARED_DAYS_AHEAD
                else dt.date.max)
        if wide[0] <= lo and hi <= wide[1]:
            first, last = wide
    days = SchoolDays.build(calendars, first, last)
    _RECENT.insert(0, (calendars, first, last, days))
    del _RECENT[_RECENT_SIZE:]
    return days, first, last


@attrs.frozen(order=True)
class Period:
    """One counting period of a mandate: an ISO week, a calendar month, a day, or a year of the
    IEP (from the mandate's start). A closed type: the unit is a FrequencyUnit."""

    start: dt.date
    end: dt.date
    unit: FrequencyUnit = attrs.field(order=False)

    @property
    def label(self) -> str:
        return period_label(self.unit, self.start, self.end)


def period_label(unit: FrequencyUnit, start: dt.date, end: dt.date) -> str:
    """A period's name: ISO week (2024-W41), month (2024-10), day, or `start..end` (a year)."""
    if unit is _WEEK:
        year, week, _ = start.isocalendar()
        return f"{year}-W{week:02d}"
    if unit is _MONTH:
        return f"{start.year}-{start.month:02d}"
    if unit is _DAY:
        return start.isoformat()
    return f"{start.isoformat()}..{end.isoformat()}"


def periods(unit: FrequencyUnit, anchor: dt.date, first: dt.date, last: dt.date,
            anchor_end: dt.date | None = None) -> Iterator[Period]:
    """The whole periods of `unit` that overlap [first, last], in order. Year periods run from
    `anchor` (the mandate's start) a year at a time, the last one ending at `anchor_end`."""
    for start, end in period_bounds(unit, anchor, first, last, anchor_end):
        yield Period(start, end, unit)


def period_bounds(unit: FrequencyUnit, anchor: dt.date, first: dt.date, last: dt.date,
                  anchor_end: dt.date | None = None) -> Iterable[tuple[dt.date, dt.date]]:
    """`periods` as (start, end) pairs: the ledger's loop, without a Period per period.
    Weeks come as a list made from day ordinals (the most common unit), the others one at a
    time."""
    if unit is not FrequencyUnit.WEEK or first > last:
        return _bounds(unit, anchor, first, last, anchor_end)
    # Mondays as day ordinals, seven apart; a week starting after the last full one ends at
    # date.max (saturated)
    monday = first.toordinal() - first.weekday()
    full = min(last.toordinal(), _LAST_FULL_WEEK.toordinal())
    from_ordinal = dt.date.fromordinal
    weeks = [(from_ordinal(o), from_ordinal(o + 6)) for o in range(monday, full + 1, 7)]
    following = max(monday, full + 1 + (monday - full - 1) % 7)  # the first Monday after
    if following <= last.toordinal():
        weeks.append((from_ordinal(following), dt.date.max))
    return weeks


def _bounds(unit: FrequencyUnit, anchor: dt.date, first: dt.date, last: dt.date,
            anchor_end: dt.date | None) -> Iterator[tuple[dt.date, dt.date]]:
    if first > last:
        return
    if unit is FrequencyUnit.DAY:
        for day in _days(first, last):
            yield day, day
    elif unit is FrequencyUnit.MONTH:
        start = first.replace(day=1)
        while start <= last:
            following = shift(start, months=1)
            end = following - _ONE_DAY if following != dt.date.max else following
            yield start, end
            if end == dt.date.max:
                return
            start = following
    else:
        k = 0
        while True:
            start = shift(anchor, years=k)
            if start > last:
                return
            following = shift(anchor, years=k + 1)
            end = following - _ONE_DAY if following != dt.date.max else following
            if anchor_end is not None:
                end = min(end, anchor_end)
            if end >= first:
                yield start, end
            if end == dt.date.max or (anchor_end is not None and end >= anchor_end):
                return
            k += 1


def fixed_day_dates(weekdays: Iterable[str], start: dt.date, end: dt.date) -> list[dt.date]:
    """Every date between start and end falling on one of the named weekdays."""
    wanted = {WEEKDAY_NAMES.index(w) for w in weekdays}
    return [d for d in _days(start, end) if d.weekday() in wanted]
