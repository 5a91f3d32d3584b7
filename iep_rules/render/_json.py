"""JSON: one report object for `check`, one {results, summary} object for an audit."""

from __future__ import annotations

import json
from typing import Any

from .._findings import Report, report_to_json
from ..engine._deadlines import deadline_to_json
from ._registry import (
    AuditOutput,
    CalendarInput,
    ReportInput,
    audit_format,
    calendar_format,
    report_format,
)


def to_json(report: Report) -> str:
    return json.dumps(report_to_json(report), indent=2, ensure_ascii=False) + "\n"


@report_format("json")
def json_report(data: ReportInput) -> str:
    return to_json(data.report)


def indented(text: str, spaces: int) -> str:
    pad = " " * spaces
    return "\n".join(pad + line for line in text.split("\n"))


@audit_format("json")
class JsonAudit:
    """One {results, summary} object (indent 2, sorted keys), written as the results arrive:
    byte for byte the object dumped whole, but memory stays flat in the number of records
    (sorted keys put "results" before "summary")."""

    def __init__(self, output: AuditOutput) -> None:
        self.output = output
        self.count = 0

    @staticmethod
    def record_text(result: dict[str, Any]) -> str:
        """One result as it sits in the results array (audit workers call this)."""
        return indented(json.dumps(result, indent=2, sort_keys=True), 4)

    def add(self, result: dict[str, Any]) -> None:
        self.add_text(self.record_text(result))

    def add_text(self, text: str) -> None:
        head = '{\n  "results": [\n' if self.count == 0 else ",\n"
        self.output.out.write(head + text)
        self.count += 1

    def finish(self, summary: dict[str, Any]) -> None:
        out = self.output.out
        out.write('{\n  "results": [],\n' if self.count == 0 else "\n  ],\n")
        text = json.dumps(summary, indent=2, sort_keys=True).replace("\n", "\n  ")
        out.write(f'  "summary": {text}\n}}\n')


@calendar_format("json")
def calendar_json(data: CalendarInput) -> str:
    """{as_of, until, deadlines: [...]}: one case's also names it; a district's adds summary."""
    items = [d for cal in data.calendars for d in cal.deadlines]
    doc: dict[str, Any] = {"as_of": data.as_of.isoformat(), "until": data.until.isoformat(),
                           "deadlines": [deadline_to_json(d, data.as_of) for d in items]}
    if len(data.calendars) == 1 and data.summary is None:
        doc = {"case_id": data.calendars[0].case_id,
               "jurisdiction": data.calendars[0].jurisdiction, **doc}
    if data.summary is not None:
        doc["summary"] = data.summary
    return json.dumps(doc, indent=2, sort_keys=True) + "\n"
