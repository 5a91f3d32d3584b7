"""Reports as text for people and JSON for programs."""

from __future__ import annotations

import json
from typing import Any

from .._findings import Report, report_to_json
from ..facts._ledger import MandateLedger, ledger_to_json

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
    if report.ledger:
        lines += ["", ledger_text(report.ledger).rstrip("\n")]
    return "\n".join(lines) + "\n"


def ledger_text(ledgers: tuple[MandateLedger, ...] | list[MandateLedger]) -> str:
    """A table per mandate: totals, then owed sessions with the dates they come from."""
    lines = ["Service-delivery ledger"]
    head = f"{'service':40s} {'expected':>8s} {'delivered':>9s} {'missed':>6s} " \
           f"{'undoc.':>6s} {'made up':>7s} {'owed':>5s} {'owed min':>8s}"
    lines += [head, "-" * len(head)]
    for lg in ledgers:
        name = f"{lg.service_name} ({lg.iep_id})"[:40]
        lines.append(f"{name:40s} {lg.expected:8d} {lg.delivered:9d} {lg.missed:6d} "
                     f"{lg.undocumented:6d} {lg.made_up:7d} {lg.owed_sessions:5d} "
                     f"{lg.owed_minutes:8d}")
    for lg in ledgers:
        if lg.owed:
            owed = ", ".join(f"{o.source} ({o.reason.replace('_', ' ')})" for o in lg.owed)
            lines.append(f"  {lg.service_name} owed from: {owed}")
        if lg.late_start_days:
            lines.append(f"  {lg.service_name} first session {lg.late_start_days} days "
                         "after its start date")
    return "\n".join(lines) + "\n"


def audit_text(summary: dict[str, Any]) -> str:
    """Summary tables of an audit: counts, then findings by severity, rule, topic and school."""
    lines = [f"Records in: {summary['records_in']}  evaluated: {summary['results']}  "
             f"bad records: {summary['errors']}  "
             f"({'reconciled' if summary['reconciled'] else 'NOT RECONCILED'})",
             f"Cases with violations: {summary['cases_with_violations']}"]
    for title, key in (("Findings by severity", "findings_by_severity"),
                       ("Findings by rule", "findings_by_rule"),
                       ("Findings by topic", "findings_by_topic"),
                       ("Violations by school", "violations_by_school")):
        table = summary[key]
        if not table:
            continue
        width = max(len(k) for k in table)
        lines += ["", title]
        lines += [f"  {name:{width}s}  {count:7d}" for name, count in
                  sorted(table.items(), key=lambda kv: (-kv[1], kv[0]))]
    return "\n".join(lines) + "\n"


def ledger_json(ledgers: tuple[MandateLedger, ...] | list[MandateLedger]) -> str:
    return json.dumps([ledger_to_json(lg) for lg in ledgers], indent=2) + "\n"
