"""Counting school days between two dates, for the discipline and New York implementation rules.

The school days come from `_schedule.open_school_days` (the ledger's calendar logic, clipped to the
span asked about, so a case's calendars cost no more than the dates that matter); this module
counts them between dates and finds the school year a date falls in. Days outside every
recorded school year are not school days: a missing calendar can only make a count smaller, so
it can hide a finding, never create one.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Sequence

from ..case._records import SchoolCalendar
from ._schedule import open_school_days


class SchoolDayCounter:
    """School days of a case's calendars inside [lo, hi], with inclusive range counts."""

    def __init__(self, calendars: Sequence[SchoolCalendar], lo: dt.date, hi: dt.date,
                 as_of: dt.date | None = None) -> None:
        self.known = bool(calendars)
        # one build per case's calendars, shared with the ledger (`open_school_days`); `as_of` says
        # which date's facts ask, so the build covers what they will all read
        self.days = open_school_days(calendars, lo, hi, as_of) if lo <= hi else ()
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
