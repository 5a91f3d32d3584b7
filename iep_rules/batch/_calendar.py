"""A district's compliance calendar: what falls due in the next N days, case by case.

Reads the same inputs as `audit` (JSON Lines, a folder, standard input). A bad record is
reported with its source and line and counted; the good ones are still read: records in ==
calendars + errors.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from typing import Any

import attrs

from .._errors import CaseError
from ..case._io import case_from_json, case_from_mapping
from ..engine._deadlines import Calendar, deadlines
from ..rulebook._rulebook import Rulebook
from ._audit import CaseRecord


@attrs.frozen
class BadRecord:
    source: str
    line: int
    problems: tuple[str, ...]


@attrs.frozen
class DistrictCalendar:
    calendars: tuple[Calendar, ...]
    errors: tuple[BadRecord, ...]
    records_in: int

    def summary(self) -> dict[str, Any]:
        """Counts of deadlines by school and by rule (the calendar's two district views)."""
        by_school: Counter[str] = Counter()
        by_rule: Counter[str] = Counter()
        for cal in self.calendars:
            for d in cal.deadlines:
                by_school[d.school or "(no school recorded)"] += 1
                by_rule[d.rule_id] += 1
        return {"records_in": self.records_in, "results": len(self.calendars),
                "errors": len(self.errors),
                "reconciled": self.records_in == len(self.calendars) + len(self.errors),
                "by_school": dict(sorted(by_school.items())),
                "by_rule": dict(sorted(by_rule.items())),
                "bad_records": [{"source": e.source, "line": e.line, "problems": list(e.problems)}
                                for e in self.errors]}


def district_deadlines(records: Iterable[CaseRecord], *, book: Rulebook, as_of: dt.date,
                       within: int | dt.timedelta | str, jurisdiction: str | None = None
                       ) -> DistrictCalendar:
    calendars: list[Calendar] = []
    errors: list[BadRecord] = []
    count = 0
    for rec in records:
        count += 1
        if rec.problems:
            errors.append(BadRecord(rec.source, rec.line, tuple(map(str, rec.problems))))
            continue
        try:
            case = (case_from_mapping(rec.document, source=rec.source)
                    if rec.document is not None
                    else case_from_json(rec.text or "", rec.source))
            calendars.append(deadlines(book, case, as_of=as_of, within=within,
                                       jurisdiction=jurisdiction))
        except CaseError as exc:  # also an unknown jurisdiction in the record
            errors.append(BadRecord(rec.source, rec.line, tuple(str(p) for p in exc.problems)))
    return DistrictCalendar(tuple(calendars), tuple(errors), count)
