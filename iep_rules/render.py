"""Reports as text for people and JSON for programs."""

from __future__ import annotations

import json

from .findings import Report, report_to_json

_LABEL = {"violation": "VIOLATION", "warning": "WARNING", "notice": "NOTICE",
          "needs-data": "NEEDS DATA"}


def to_json(report: Report) -> str:
    return json.dumps(report_to_json(report), indent=2, ensure_ascii=False) + "\n"


def to_text(report: Report) -> str:
    lines = [f"Case {report.case_id} - {report.jurisdiction} - as of {report.as_of.isoformat()}",
             ""]
    if not report.findings:
        lines.append("No findings.")
    for f in report.findings:
        lines.append(f"{_LABEL[f.severity]}  {f.rule_id}  ({f.subject})")
        lines.append(f"  {f.title}")
        lines.append(f"  {f.message}")
        if f.remedy:
            lines.append(f"  What to ask for: {f.remedy}")
        cites = "; ".join(c.authority + ("" if c.verified else " [unverified]")
                          for c in f.citations)
        lines.append(f"  Law: {cites}")
        lines.append(f"  Rule: {f.source} ({f.layer} layer)")
        lines.append("")
    counts = ", ".join(f"{n} {k}" for k, n in report.summary.items())
    lines.append(f"Summary: {counts}")
    return "\n".join(lines) + "\n"
