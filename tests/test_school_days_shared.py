"""One school-day build per case, shared by the ledger and the area facts (facts/_schedule.py):
a span cut from a wider build is exactly what a build of that span gives, day by day, and the
days are a plain walk of the calendar (weekdays of a school year, minus closures)."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules.case._records import Closure, SchoolCalendar
from iep_rules.facts._schedule import SchoolDays, open_school_days, school_days

DAYS = st.dates(min_value=dt.date(2019, 1, 1), max_value=dt.date(2027, 12, 31))


@st.composite
def calendars(draw: st.DrawFn) -> tuple[SchoolCalendar, ...]:
    out = []
    for _ in range(draw(st.integers(1, 3))):
        start = draw(DAYS)
        end = start + dt.timedelta(days=draw(st.integers(0, 400)))
        closures = []
        for _ in range(draw(st.integers(0, 5))):
            first = start + dt.timedelta(days=draw(st.integers(-40, 420)))
            closures.append(Closure(first, first + dt.timedelta(days=draw(st.integers(0, 40)))))
        out.append(SchoolCalendar(start, end, tuple(closures)))
    return tuple(out)


def _walk(cals: tuple[SchoolCalendar, ...], lo: dt.date, hi: dt.date
          ) -> tuple[list[dt.date], set[dt.date]]:
    """Open and closed days, one date at a time: the definition the build must meet."""
    opened, closed = set(), set()
    day = lo
    while day <= hi:
        for cal in cals:
            if cal.year_start <= day <= cal.year_end and day.weekday() < 5:
                if any(c.start <= day <= c.end for c in cal.closures):
                    closed.add(day)
                else:
                    opened.add(day)
        day += dt.timedelta(days=1)
    return sorted(opened), closed - opened


@settings(max_examples=40, deadline=None)
@given(calendars(), DAYS, st.integers(0, 900), st.integers(-3000, 300))
def test_a_span_cut_from_the_shared_build_is_its_own_build(cals, lo, length, ahead):
    hi = lo + dt.timedelta(days=length)
    as_of = lo - dt.timedelta(days=ahead)
    shared = school_days(cals, lo, hi, as_of)  # built wide around as_of, or exactly
    again = school_days(cals, lo, hi, as_of)  # from the recent build
    exact = SchoolDays.build(list(cals), lo, hi)  # a list is never shared
    opened, closed = _walk(cals, lo, hi)
    assert shared == again == exact
    assert list(exact.open_days) == opened and exact.closed == closed
    assert open_school_days(cals, lo, hi, as_of) == exact.open_days
