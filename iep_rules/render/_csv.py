"""CSV for spreadsheets: one row per finding (and, in an audit, one per bad record). No cell
starts with =, +, -, @, tab or CR (OWASP's rule against CSV injection): see _inert.csv_cell."""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from typing import IO, Any

from .._findings import finding_to_json
from ..engine._deadlines import evidence_text
from ..lang._model import format_citations
from ._inert import csv_cell
from ._registry import (
    AuditOutput,
    CalendarInput,
    ReportInput,
    audit_format,
    calendar_format,
    report_format,
)

FIELDS = ["source", "line", "case_id", "rule_id", "severity", "topic", "subject", "message",
          "citations"]


class _InertWriter(csv.DictWriter):  # type: ignore[type-arg]  # not subscriptable at run time
    """Every cell through csv_cell: none starts a formula a spreadsheet would run."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({key: csv_cell(value) for key, value in rowdict.items()})


def _writer(out: IO[str]) -> csv.DictWriter[str]:
    writer = _InertWriter(out, FIELDS, lineterminator="\n")
    writer.writeheader()
    return writer


def _finding_row(source: str, line: int | None, case_id: str, f: dict[str, Any]
                 ) -> dict[str, Any]:
    return {"source": source, "line": line, "case_id": case_id, "rule_id": f["rule_id"],
            "severity": f["severity"], "topic": f["topic"], "subject": f["subject"],
            "message": f["message"], "citations": format_citations(f["citations"], unverified="")}


@report_format("csv")
def csv_report(data: ReportInput) -> str:
    out = io.StringIO()
    writer = _writer(out)
    for finding in data.report.findings:
        writer.writerow(_finding_row(data.source, None, data.report.case_id,
                                     finding_to_json(finding)))
    return out.getvalue()


@audit_format("csv")
class CsvAudit:
    def __init__(self, output: AuditOutput) -> None:
        self.out = output.out
        _writer(self.out)  # the header row

    @staticmethod
    def record_text(result: dict[str, Any]) -> str:
        """One result's rows (audit workers call this; see TextAuditWriter)."""
        buffer = io.StringIO()
        writer = _InertWriter(buffer, FIELDS, lineterminator="\n")
        if result["type"] == "error":
            writer.writerow({"source": result["source"], "line": result["line"],
                             "severity": "bad-record", "message": "; ".join(result["problems"])})
        else:
            for f in result["findings"]:
                writer.writerow(_finding_row(result["source"], result["line"],
                                             result["case_id"], f))
        return buffer.getvalue()

    def add(self, result: dict[str, Any]) -> None:
        self.add_text(self.record_text(result))

    def add_text(self, text: str) -> None:
        self.out.write(text)

    def finish(self, summary: dict[str, Any]) -> None:
        """CSV has no summary row: the counts are the rows."""


CALENDAR_FIELDS = ["case_id", "school", "due", "days_left", "label", "rule_id", "subject",
                   "overdue_from", "earliest", "computed_from", "citations"]


@calendar_format("csv")
def calendar_csv(data: CalendarInput) -> str:
    """One row per deadline."""
    out = io.StringIO()
    writer = csv.DictWriter(out, CALENDAR_FIELDS, lineterminator="\n")
    writer.writeheader()
    for cal in data.calendars:
        for d in cal.deadlines:
            writer.writerow({key: csv_cell(value) for key, value in {
                "case_id": d.case_id, "school": d.school or "", "due": d.due.isoformat(),
                "days_left": (d.due - data.as_of).days, "label": d.label, "rule_id": d.rule_id,
                "subject": d.subject,
                "overdue_from": d.overdue_from.isoformat() if d.overdue_from else "",
                "earliest": d.earliest.isoformat() if d.earliest else "",
                "computed_from": evidence_text(d.computed_from),
                "citations": format_citations(d.citations)}.items()})
    return out.getvalue()
