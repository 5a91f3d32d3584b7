"""Counting school days between two dates, for the discipline and New York implementation rules.

The set of school days comes from `_schedule.school_days` (the ledger's calendar logic); this
module only clips each calendar to the span asked about, so a case's calendars cost no more than
the dates that matter, and counts. Days outside every recorded school year are not school days:
a missing calendar can only make a count smaller, so it can hide a finding, never create one.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

from ..case._records import Closure, SchoolCalendar
from ._schedule import school_days


class SchoolDayCounter:
    """School days of a case's calendars inside [lo, hi], with inclusive range counts."""

    def __init__(self, calendars: Sequence[SchoolCalendar], lo: dt.date, hi: dt.date) -> None:
        self.known = bool(calendars)
        clipped = []
        for cal in calendars:
            start, end = max(cal.year_start, lo), min(cal.year_end, hi)
            if start > end:
                continue
            closures = tuple(Closure(max(c.start, start), min(c.end, end), c.name)
                             for c in cal.closures if c.start <= end and c.end >= start)
            clipped.append(SchoolCalendar(start, end, closures))
        self.days = sorted(school_days(clipped))
        self.years = sorted((c.year_start, c.year_end) for c in calendars)

    def count(self, first: dt.date | None, last: dt.date | None) -> int | None:
        """School days from `first` to `last`, both inclusive; None when it cannot be counted."""
        if not self.known or first is None or last is None:
            return None
        if last < first:
            return 0
        return bisect.bisect_right(self.days, last) - bisect.bisect_left(self.days, first)

    def after(self, first: dt.date | None, last: dt.date | None) -> int | None:
        """School days after `first` up to and including `last` (a deadline's day count)."""
        if first is None:
            return None
        return self.count(first + dt.timedelta(days=1), last)

    def school_year(self, day: dt.date) -> tuple[dt.date, dt.date] | None:
        """The recorded school year (first and last day) that contains `day`."""
        for start, end in self.years:
            if start <= day <= end:
                return start, end
        return None
