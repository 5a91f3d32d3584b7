"""The report a parent can read, as self-contained HTML (inline SVG chart, no network assets);
render/_markdown.py shares its grouping and labels.
Findings are grouped by topic, most serious first; every piece of case data is escaped.
"""

from __future__ import annotations

import html
from collections import defaultdict
from collections.abc import Iterable

from .._findings import SEVERITY_ORDER, Finding, Report
from .._vocab import Severity
from ..case._records import Case
from ..engine._evaluate import format_value
from ..facts._ledger import TABLE_COLUMNS, MandateLedger
from ..lang._model import format_citations
from ._inert import terminal_text
from ._registry import ReportInput, report_format

_TOPIC = {"iep-contents": "IEP contents", "timelines": "Timelines", "eligibility": "Eligibility",
          "placement": "Placement and individual decisions", "consent": "Consent",
          "team": "Team, participation and notice", "services": "Services delivered"}
_LABEL = {Severity.VIOLATION: "Rule broken", Severity.WARNING: "Needs a look",
          Severity.NOTICE: "Worth asking about", Severity.NEEDS_DATA: "Record incomplete"}


def _e(text: str) -> str:
    """HTML-escaped, with control characters shown rather than passed on (they are not valid
    in HTML, and a terminal showing the file would obey them)."""
    return html.escape(terminal_text(text))


def _grouped(findings: Iterable[Finding]) -> list[tuple[str, list[Finding]]]:
    groups: dict[str, list[Finding]] = defaultdict(list)
    for f in findings:
        groups[f.topic].append(f)
    return sorted(groups.items(), key=lambda kv: (min(SEVERITY_ORDER[f.severity] for f in kv[1]),
                                                  kv[0]))


_CHART = (("expected", "#7a7a7a"), ("delivered", "#2e7d32"), ("missed when due", "#c62828"),
          ("made up", "#1565c0"), ("still owed", "#ef6c00"))


def monthly(ledger: MandateLedger) -> list[tuple[str, int, int, int, int, int]]:
    """(month, expected, delivered, missed when due, made up, still owed) in minutes: the
    ledger's own monthly figures, so the chart adds up to the table."""
    return [(m.month, m.expected_minutes, m.delivered_minutes, m.missed_when_due_minutes,
             m.made_up_minutes, m.owed_minutes) for m in ledger.by_month()]


def svg_chart(ledger: MandateLedger) -> str:
    """Bars per month, in minutes: expected, delivered, missed when due, made up, still owed.
    Plain SVG, no script; a table with the same figures follows it."""
    rows = monthly(ledger)
    if not rows:
        return ""
    top = max(max(r[1:]) for r in rows) or 1
    bar, gap, height = 8, 14, 120
    group = len(_CHART) * bar + gap
    width = len(rows) * group + 40
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height + 40}" '
             f'role="img" aria-label="minutes by month for {_e(ledger.service_name)}">']
    for i, (month, *values) in enumerate(rows):
        x = 30 + i * group
        for j, value in enumerate(values):
            h = round(height * value / top)
            parts.append(f'<rect x="{x + j * bar}" y="{height - h + 10}" width="{bar - 1}" '
                         f'height="{h}" fill="{_CHART[j][1]}"><title>{_CHART[j][0]}: {value} '
                         f"minutes</title></rect>")
        parts.append(f'<text x="{x}" y="{height + 25}" font-size="9">{month[2:]}</text>')
    parts.append("</svg>")
    table = ["<table><tr><th>Month</th>"
             + "".join(f"<th>{name.capitalize()} (min)</th>" for name, _ in _CHART) + "</tr>"]
    table += ["<tr>" + "".join(f"<td>{v}</td>" for v in row) + "</tr>" for row in rows]
    return "".join(parts) + "".join(table) + "</table>"


def ledger_table(ledgers: Iterable[MandateLedger]) -> list[str]:
    """The ledger table: the same figures as `iep-rules ledger` (sessions, minutes in brackets)."""
    e = _e
    out = ["<table><tr><th>Service</th><th>Missed by reason</th>"
           + "".join(f"<th>{e(c.capitalize())}</th>" for c in TABLE_COLUMNS) + "</tr>"]
    for lg in ledgers:
        reasons = ", ".join(f"{k.replace('_', ' ')} {n}" for k, n in lg.missed_by_reason.items())
        if lg.undocumented:
            reasons += f"{', ' if reasons else ''}undocumented {lg.undocumented}"
        out.append(f"<tr><td>{e(lg.service_name)} ({e(lg.iep_id)})</td>"
                   f"<td>{e(reasons or 'none')}</td>"
                   + "".join(f"<td>{e(cell)}</td>" for cell in lg.table_row()) + "</tr>")
    out.append("</table><p>Sessions, with minutes in brackets. Missed when due: not provided for a "
               "reason the district answers for, before any make-up. The chart shows minutes by "
               "month: grey expected, green delivered, red missed when due, blue made up, orange "
               "still owed.</p>")
    return out


def _count(records: tuple[object, ...] | None) -> str:
    """How many records a list holds, or that the file does not carry it."""
    return "not recorded" if records is None else str(len(records))


def to_html(report: Report, case: Case) -> str:
    e = _e
    student = case.student
    out = ["<!DOCTYPE html>", '<html lang="en"><head><meta charset="utf-8">',
           f"<title>IEP review for {e(student.id)}</title>",
           "<style>body{font-family:sans-serif;max-width:52em;margin:2em auto;line-height:1.4}"
           ".violation{border-left:6px solid #c62828}.warning{border-left:6px solid #ef6c00}"
           ".notice,.needs-data{border-left:6px solid #1565c0}section.finding{padding:.3em 1em;"
           "margin:1em 0;background:#fafafa}table{border-collapse:collapse}td,th{border:1px solid "
           "#ccc;padding:.2em .5em}</style></head><body>",
           f"<h1>IEP review for {e(student.id)}</h1>",
           '<section id="summary"><h2>The case</h2><ul>',
           f"<li>Jurisdiction: {e(report.jurisdiction)}; reviewed as of "
           f"{report.as_of.isoformat()}</li>",
           *(f"<li>Note: {e(note)}</li>" for note in report.notes),
           f"<li>School: {e(student.school or 'not recorded')}</li>",
           f"<li>IEPs on record: {_count(case.ieps)}; evaluations: {_count(case.evaluations)}; "
           f"eligibility decisions: {_count(case.eligibility)}</li>",
           "<li>" + ", ".join(f"{n} {e(_LABEL[k].lower())}" for k, n in report.summary.items())
           + "</li></ul></section>", '<section id="findings"><h2>What we found</h2>']
    if not report.findings:
        out.append("<p>No problems found in the record.</p>")
    for topic, items in _grouped(report.findings):
        out.append(f"<h3>{e(_TOPIC.get(topic, topic))}</h3>")
        for f in sorted(items, key=Finding.sort_key):
            out.append(f'<section class="finding {e(f.severity)}"><h4>{e(_LABEL[f.severity])}: '
                       f"{e(f.title)}</h4><p>{e(f.message)}</p>")
            if f.evidence:
                out.append("<p>What the record shows:</p><ul>" + "".join(
                    f"<li>{e(ev.path or ev.fact)}: {e(format_value(ev.value))}</li>"
                    for ev in f.evidence) + "</ul>")
            if f.remedy:
                out.append(f"<p><strong>What to ask for:</strong> {e(f.remedy)}</p>")
            out.append("<p><small>Law: " + e(format_citations(
                f.citations, unverified=" (citation not yet verified)", notes=True))
                + f" &middot; rule {e(f.rule_id)}</small></p></section>")
    out.append("</section>")
    if report.ledger:
        out.append('<section id="ledger"><h2>Services delivered</h2>')
        out += ledger_table(report.ledger)
        out += [f"<h3>{e(lg.service_name)}</h3>{svg_chart(lg)}" for lg in report.ledger]
        out.append("</section>")
    out.append("<p><small>Legal information, not legal advice. Generated by iep-rules.</small>"
               "</p></body></html>")
    return "\n".join(out) + "\n"


@report_format("html")
def html_report(data: ReportInput) -> str:
    return to_html(data.report, data.case)
