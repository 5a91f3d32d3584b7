"""Plain text for people: the report, the audit summary tables, the ledger table, and the
rule catalogue views (`rules list`, `rules explain`)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any

from .._findings import Report, Review
from .._vocab import Severity
from ..engine._deadlines import Calendar, Deadline, evidence_text
from ..facts._ledger import MandateLedger, ledger_to_json
from ..lang._explain import cond_lines, cond_text
from ..lang._model import Rule, format_citations
from ..rulebook._rulebook import Resolved
from ._inert import terminal_text
from ._plain import DUE_NEXT_COUNT, source_text
from ._registry import (
    AuditOutput,
    CalendarInput,
    ReportInput,
    audit_format,
    calendar_format,
    report_format,
)

_LABEL = {Severity.VIOLATION: "VIOLATION", Severity.WARNING: "WARNING",
          Severity.NOTICE: "NOTICE", Severity.NEEDS_DATA: "NEEDS DATA"}


def to_text(report: Report, calendar: Calendar | None = None) -> str:
    """The findings, the summary counts, what is due next (with `calendar`, from
    engine.deadlines: the first dates, as `iep-rules deadlines` prints them), the ledger."""
    lines = [f"Case {report.case_id} - {report.jurisdiction} - as of {report.as_of.isoformat()}",
             *(f"Note: {note}" for note in report.notes), ""]
    if not report.findings:
        lines.append("No findings.")
    for f in report.findings:
        lines.append(f"{_LABEL[f.severity]}  {f.rule_id}  ({f.subject})")
        lines.append(f"  {f.title}")
        lines.append(f"  {f.message}")
        if f.remedy:
            lines.append(f"  What to ask for: {f.remedy}")
        lines.append(f"  Law: {format_citations(f.citations, notes=True)}")
        lines.append(f"  Rule: {f.source} ({f.layer} layer)")
        if f.review is not None:
            lines.append(f"  {review_line(f.review)}")
        lines.append("")
    counts = ", ".join(f"{n} {k}{'s' if n != 1 and k != 'needs-data' else ''}"
                       for k, n in report.summary.items())
    reviewed = sum(1 for f in report.findings if f.review is not None and f.review.current)
    if any(f.review is not None for f in report.findings):
        counts += f"; {reviewed} of them reviewed"
    lines.append(f"Summary: {counts}")
    if calendar is not None:
        lines += due_next_text(calendar)
    if report.ledger:
        lines += ["", ledger_text(report.ledger).rstrip("\n")]
    return terminal_text("\n".join(lines) + "\n")


def due_next_text(calendar: Calendar) -> list[str]:
    """The first dates of the deadline calendar, each with its law."""
    first = sorted(calendar.deadlines, key=Deadline.sort_key)[:DUE_NEXT_COUNT]
    if not first:
        return [f"Due next: nothing falls due by {calendar.until.isoformat()}."]
    more = len(calendar.deadlines) - len(first)
    lines = [f"Due next (from the deadline calendar to {calendar.until.isoformat()}"
             + (f"; {more} more in `iep-rules deadlines`" if more else "") + "):"]
    for d in first:
        lines += [f"  {d.due.isoformat()}  {d.label}",
                  f"      law: {format_citations(d.citations)}"]
    return lines


def review_line(review: Review) -> str:
    """How a finding's review reads under it."""
    said = f"{review.decision} by {review.reviewer} on {review.date.isoformat()}"
    if not review.current:
        return (f"Reviewed before ({said}), but the facts it read have changed since: "
                f"review it again ({review.where})")
    return f"Reviewed: {said}: {review.reason}"


def _reasons(counts: dict[str, int]) -> str:
    return ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in counts.items()) or "none"


def ledger_text(ledgers: tuple[MandateLedger, ...] | list[MandateLedger]) -> str:
    """A table per mandate (expected, delivered, short minutes, missed when due, made up, owed,
    complaint-window date), then each mandate's misses by reason and its owed items grouped by
    the last day a state complaint can raise them."""
    lines = ["Service-delivery ledger: sessions (minutes); missed = not provided when due"]
    widths = (10, 10, 5, 9, 9, 9, 11)
    labels = ("expected", "delivered", "short", "missed", "made up", "owed", "complain by")
    head = f"{'service':34s} " + " ".join(f"{t:>{w}s}" for t, w in zip(labels, widths, strict=True))
    lines += [head, "-" * len(head)]
    for lg in ledgers:
        name = f"{lg.service_name} ({lg.iep_id})"[:34]
        lines.append(f"{name:34s} " + " ".join(
            f"{cell:>{w}s}" for cell, w in zip(lg.table_row(), widths, strict=True)))
    for lg in ledgers:
        unit = "minutes" if lg.measure == "minutes" else "sessions"
        lines += ["", f"{lg.service_name} ({lg.iep_id}): {lg.times} x {lg.duration_minutes} min "
                      f"per {lg.per} ({unit}), counted from {lg.start.isoformat()}"]
        lines.append(f"  missed by reason: {_reasons(lg.missed_by_reason)}; "
                     f"undocumented {lg.undocumented}")
        if lg.missed_when_due:
            lines.append(f"  not provided when due: {lg.missed_when_due_minutes} min; made up "
                         f"since: {lg.made_up_minutes} min; still owed: {lg.owed_minutes} min")
        if lg.owed:
            lines.append("  owed, by the last day a state complaint can raise it:")
            for day, items in lg.owed_by_deadline().items():
                owed = ", ".join(f"{source_text(o.source)} ({o.reason.replace('_', ' ')}, "
                                 f"{o.minutes} min)"
                                 for o in items)
                passed = " (passed: too late for a state complaint)" if day < lg.as_of else ""
                lines.append(f"    {day.isoformat()}{passed}: {owed}")
        if lg.wrong_setting_dates:
            lines.append("  delivered in a group although individual: "
                         + ", ".join(d.isoformat() for d in lg.wrong_setting_dates))
        if lg.late_start_days:
            lines.append(f"  first session {lg.late_start_days} days after its start date")
    return terminal_text("\n".join(lines) + "\n")


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
    if "baseline" in summary:
        left = summary["baseline"]["left_out"]
        lines += ["", f"Baseline {summary['baseline']['report']}: {left} "
                      f"finding{'' if left == 1 else 's'} already in it left out."]
    if "reviewed" in summary:
        r = summary["reviewed"]
        lines.append(f"Reviewed: {r['accepted']} accepted, {r['disputed']} disputed, "
                     f"{r['stale']} with facts changed since review.")
    return terminal_text("\n".join(lines) + "\n")


def ledger_json(ledgers: tuple[MandateLedger, ...] | list[MandateLedger]) -> str:
    return json.dumps([ledger_to_json(lg) for lg in ledgers], indent=2) + "\n"


@report_format("text", due_next=True)
def text_report(data: ReportInput) -> str:
    return to_text(data.report, data.calendar)


@audit_format("text")
class TextAudit:
    """Bad records as they come (on the error stream), the summary tables at the end."""

    def __init__(self, output: AuditOutput) -> None:
        self.output = output

    def add(self, result: dict[str, Any]) -> None:
        if result["type"] == "error":
            self.output.err.write(terminal_text(f"{result['source']}:{result['line']}: bad "
                                                f"record: {'; '.join(result['problems'])}\n"))

    def finish(self, summary: dict[str, Any]) -> None:
        self.output.out.write(audit_text(summary))


def rules_list_text(rows: Sequence[dict[str, Any]]) -> str:
    """`rules list`: one entry per rule in force, with its citations."""
    return "".join(f"{row['id']}  [{row['severity']}, {row['topic']}, {row['layer']}]  "
                   f"{row['source']}\n    {row['title']}\n    "
                   f"{format_citations(row['citations'])}\n" for row in rows)


def rule_explanation_text(rule: Rule, resolved: Resolved) -> str:
    """`rules explain`: a rule's condition, its parameters after overlays, citations, examples."""
    lines = [f"{rule.id}  [{rule.severity}, {rule.topic}, scope {rule.scope}]",
             f"  {rule.title}",
             f"  defined at {rule.source} ({rule.source.layer} layer)"]
    if rule.clock:
        lines.append(f"  clock: {rule.clock}")
    values = {name: resolved.parameters[name].values[-1][1] for name in rule.params_used}
    if rule.due:
        lines.append(f"  due: {rule.due.label}: {rule.due.add.start.text} + {rule.due.add.text}")
    lines.append("  fires when:")
    lines += cond_lines(rule.when, values, "    ")
    for name in rule.params_used:
        param = resolved.parameters[name]
        lines.append(f"  parameter {name} = {param.values[-1][1]} {param.unit} "
                     f"(from {param.source}; {format_citations(param.cite)})")
    for cite in rule.cite:
        note = f" - {cite.note}" if cite.note else ""
        only = f" [only when {cond_text(cite.when)}]" if cite.when is not None else ""
        lines.append(f"  cites {cite.authority} ({cite.kind}, "
                     f"{'verified' if cite.verified else 'UNVERIFIED'}){note}{only}")
    lines += [f"  not checked (the record cannot show it): {element}"
              for element in rule.unchecked]
    lines += [f"  example: {example.name} -> {example.expect}" for example in rule.examples]
    return terminal_text("\n".join(lines) + "\n")


# ---- the compliance calendar ------------------------------------------------------------------

@calendar_format("text")
def calendar_text(data: CalendarInput) -> str:
    """A table (due, days left, rule, what), then each date's facts and law; a district view
    adds counts by school and by rule."""
    as_of, until, summary = data.as_of, data.until, data.summary
    items = sorted((d for cal in data.calendars for d in cal.deadlines), key=Deadline.sort_key)
    one = len(data.calendars) == 1 and summary is None
    head = (f"Deadlines from {as_of.isoformat()} to {until.isoformat()}"
            + (f" for case {data.calendars[0].case_id} ({data.calendars[0].jurisdiction})"
               if one else ""))
    lines = [head, ""]
    if not items:
        lines.append("Nothing falls due in this period.")
    else:
        header = ["due", "in", *([] if one else ["case"]), "rule", "what"]
        rows = [[d.due.isoformat(), f"{(d.due - as_of).days}d",
                 *([] if one else [d.case_id]), d.rule_id, d.label] for d in items]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header) - 1)]
        for row in [header, *rows]:
            lines.append("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths,
                                                                      strict=False)), row[-1]]))
        lines += ["", "Why each date:"]
        for d in items:
            extra = f"; overdue from {d.overdue_from.isoformat()}" if d.overdue_from else ""
            early = f"; not before {d.earliest.isoformat()}" if d.earliest else ""
            lines.append(f"  {d.due.isoformat()} {d.case_id} {d.subject}: "
                         f"{evidence_text(d.computed_from)}{early}{extra}")
            lines.append(f"    law: {format_citations(d.citations)}")
    if summary is not None:
        lines += ["", f"Cases read: {summary['records_in']} ({summary['results']} evaluated, "
                      f"{summary['errors']} bad records)"]
        for key, title in (("by_school", "By school"), ("by_rule", "By rule")):
            lines += ["", f"{title}:"]
            lines += [f"  {count:5d}  {name}" for name, count in summary[key].items()] \
                or ["  (none)"]
    return terminal_text("\n".join(lines) + "\n")  # labels and facts carry case text
