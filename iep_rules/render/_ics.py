"""iCalendar (.ics): the compliance calendar as all-day events a calendar program imports.

Written by the `icalendar` package, not by hand: RFC 5545 line folding, escaping and date
values are its job, and its own parser reads the file back in the tests. A child is named by
case id only (a calendar file travels: mail, phones, shared calendars): no name, no student
id, no school, and the student's own recorded values (the date of birth behind a transition
date) are written as "(in the case file)".
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import Counter
from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..engine._deadlines import evidence_text
from ..lang._model import format_citations
from ._registry import CalendarInput, calendar_format

if TYPE_CHECKING:
    from ..engine._deadlines import Calendar

_PRODID = "-//iep-rules//compliance calendar//EN"


@calendar_format("ics")
def ics_calendar(data: CalendarInput) -> str:
    return calendars_ics(data.calendars).decode("utf-8")


def calendars_ics(calendars: Sequence[Calendar], generated: dt.datetime | None = None) -> bytes:
    """One all-day VEVENT per deadline. The summary names the case id, never the child; the
    description carries the rule, the citations and the facts the date came from."""
    import icalendar  # imported here: every CLI start registers this format, few use it

    cal = icalendar.Calendar()
    cal.add("prodid", _PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    stamp = generated or dt.datetime.now(dt.UTC)
    seen: Counter[str] = Counter()
    for calendar in calendars:
        for d in calendar.deadlines:
            event = icalendar.Event()
            key = f"{d.case_id}|{d.rule_id}|{d.subject}|{d.due.isoformat()}"
            seen[key] += 1
            event.add("uid", f"{_uid(key)}-{seen[key]}@iep-rules")
            event.add("dtstamp", stamp)
            event.add("dtstart", d.due)
            if d.due < dt.date.max:  # without DTEND an all-day event is that one day (RFC 5545)
                event.add("dtend", d.due + dt.timedelta(days=1))
            event.add("summary", f"Case {d.case_id}: {d.label}")
            description = [f"Due {d.due.isoformat()}: {d.label}.",
                           f"Rule: {d.rule_id} ({d.rule_title}).",
                           f"Law: {format_citations(d.citations)}.",
                           f"Computed from: {evidence_text(d.computed_from, private=True)}."]
            if d.earliest:
                description.append(f"Not before {d.earliest.isoformat()} without agreement.")
            if d.overdue_from:
                description.append(f"Overdue from {d.overdue_from.isoformat()} if nothing is "
                                   "recorded by then.")
            event.add("description", "\n".join(description))
            event.add("categories", [d.rule_id])
            cal.add_component(event)
    return bytes(cal.to_ical())


def _uid(key: str) -> str:
    """A stable id for an event (same case, rule, item and date -> same uid), so re-importing
    an updated calendar replaces events instead of doubling them."""
    return hashlib.sha256(key.encode("utf-8")).hexdigest()[:32]
