"""JSON: one report object for `check`, one {results, summary} object for an audit."""

from __future__ import annotations

import json
from typing import Any

from .._findings import Report, report_to_json
from ._registry import AuditOutput, ReportInput, audit_format, report_format


def to_json(report: Report) -> str:
    return json.dumps(report_to_json(report), indent=2, ensure_ascii=False) + "\n"


@report_format("json")
def json_report(data: ReportInput) -> str:
    return to_json(data.report)


@audit_format("json")
class JsonAudit:
    """Collects every result; writes one object at the end."""

    def __init__(self, output: AuditOutput) -> None:
        self.output = output
        self.results: list[dict[str, Any]] = []

    def add(self, result: dict[str, Any]) -> None:
        self.results.append(result)

    def finish(self, summary: dict[str, Any]) -> None:
        self.output.out.write(json.dumps({"results": self.results, "summary": summary},
                                         indent=2, sort_keys=True) + "\n")
