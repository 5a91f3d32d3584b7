"""The ledger's direct date steps give what dateutil's relativedelta gives (facts/_schedule.py)."""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta
from hypothesis import given
from hypothesis import strategies as st

from iep_rules.case._records import FrequencyUnit
from iep_rules.facts._schedule import Period, add_years_saturating, periods, shift


def _reference(day: dt.date, years: int) -> dt.date:
    try:
        return day + relativedelta(years=years)
    except (OverflowError, ValueError):
        return dt.date.max if years > 0 else dt.date.min


@given(st.dates(), st.integers(min_value=-30, max_value=30))
def test_whole_years_as_relativedelta_saturating(day, years):
    assert add_years_saturating(day, years) == _reference(day, years) == shift(day, years=years)


def test_leap_days_and_the_ends_of_the_calendar():
    assert add_years_saturating(dt.date(2024, 2, 29), 1) == dt.date(2025, 2, 28)
    assert add_years_saturating(dt.date(2024, 2, 29), 4) == dt.date(2028, 2, 29)
    assert add_years_saturating(dt.date(9999, 3, 1), 1) == dt.date.max
    assert add_years_saturating(dt.date(1, 3, 1), -1) == dt.date.min


def _weeks_by_relativedelta(first: dt.date, last: dt.date) -> list[Period]:
    out, start = [], first - dt.timedelta(days=first.weekday())
    while start <= last:
        try:
            end = start + relativedelta(days=6)
        except OverflowError:
            end = dt.date.max
        out.append(Period(start, end, FrequencyUnit.WEEK))
        if end == dt.date.max:
            break
        start = end + dt.timedelta(days=1)
    return out


@given(st.dates(), st.integers(min_value=0, max_value=60))
def test_week_periods_as_relativedelta(first, span):
    last = min(first + dt.timedelta(days=span), dt.date.max) if dt.date.max - first > \
        dt.timedelta(days=span) else dt.date.max
    assert list(periods(FrequencyUnit.WEEK, first, first, last)) == \
        _weeks_by_relativedelta(first, last)


def test_the_last_week_of_the_calendar_ends_at_its_last_day():
    first = dt.date.max - dt.timedelta(days=2)
    weeks = list(periods(FrequencyUnit.WEEK, first, first, dt.date.max))
    assert weeks == _weeks_by_relativedelta(first, dt.date.max)
    assert weeks[-1].end == dt.date.max
