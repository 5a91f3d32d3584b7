"""School calendars and service schedules: which dates a service mandate expects sessions on.

A mandate with fixed weekdays expects a session on each of those weekdays that is a school day.
A mandate with only a frequency ("2 per week", "3 per month") expects that many sessions in each
period, but never more than the period's school days: a week with no school days expects none.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from dateutil.rrule import DAILY, FR, MO, SA, SU, TH, TU, WE, rrule

from ..case._records import FrequencyUnit, SchoolCalendar

WEEKDAYS = {"monday": MO, "tuesday": TU, "wednesday": WE, "thursday": TH, "friday": FR,
            "saturday": SA, "sunday": SU}


def school_days(calendars: Iterable[SchoolCalendar]) -> set[dt.date]:
    """Monday-to-Friday dates inside any school year, minus closures and recesses."""
    days: set[dt.date] = set()
    for cal in calendars:
        weekdays = rrule(DAILY, dtstart=cal.year_start, until=cal.year_end,
                         byweekday=(MO, TU, WE, TH, FR))
        open_days = {d.date() for d in weekdays}
        for closure in cal.closures:
            open_days -= {d.date() for d in rrule(DAILY, dtstart=closure.start,
                                                  until=closure.end)}
        days |= open_days
    return days


def closure_days(calendars: Iterable[SchoolCalendar]) -> dict[dt.date, str]:
    """Weekdays inside a school year that a closure removes, with the closure's name."""
    out: dict[dt.date, str] = {}
    for cal in calendars:
        for closure in cal.closures:
            for d in rrule(DAILY, dtstart=closure.start, until=closure.end,
                           byweekday=(MO, TU, WE, TH, FR)):
                if cal.year_start <= d.date() <= cal.year_end:
                    out[d.date()] = closure.name or "closure"
    return out


def period_key(day: dt.date, unit: FrequencyUnit) -> str:
    """The period a date belongs to: ISO week 2024-W37, month 2024-09, day, or school year."""
    if unit is FrequencyUnit.WEEK:
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    if unit is FrequencyUnit.MONTH:
        return f"{day.year}-{day.month:02d}"
    if unit is FrequencyUnit.DAY:
        return day.isoformat()
    start_year = day.year if day.month >= 7 else day.year - 1  # school years run July-June
    return f"{start_year}-{start_year + 1}"


def fixed_day_dates(weekdays: Iterable[str], start: dt.date, end: dt.date) -> list[dt.date]:
    """Every date between start and end falling on one of the named weekdays."""
    by = tuple(WEEKDAYS[w] for w in weekdays)
    return [d.date() for d in rrule(DAILY, dtstart=start, until=end, byweekday=by)]
