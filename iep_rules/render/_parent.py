"""The parent report: a one-page summary (what is wrong, what is owed, what is due next), then
the findings in plain words, then a chart per service and month. HTML from a Jinja2 template
with autoescaping on (every case value is escaped by the template engine, not by hand), and the
same content as Markdown.

Jinja2 is used because a page assembled by string concatenation is where escaping bugs live;
it is the most widely used, well-kept Python template engine, and autoescaping makes escaping
the default rather than something each line must remember.
"""

from __future__ import annotations

from collections import defaultdict
from functools import cache
from typing import TYPE_CHECKING, Any

from .._findings import SEVERITY_ORDER, Finding, Report
from ..case._records import Case
from ..engine._deadlines import Calendar, Deadline
from ..facts._ledger import TABLE_COLUMNS, MandateLedger
from ..lang._model import format_citations
from . import _plain as p
from ._inert import markdown_text, terminal_text

if TYPE_CHECKING:
    import jinja2

_COLORS = {"required": "#9e9e9e", "delivered": "#2e7d32", "made up": "#1565c0"}
# Missed minutes by reason: the district answers for the reds, the child's or family's own
# reasons are greys/purples, unknown is black.
_REASON_COLORS = {
    "provider_absence": "#c62828", "provider_vacancy": "#8e0000",
    "provider_other_duties": "#e53935", "school_caused": "#ef6c00", "school_closure": "#ffa726",
    "disciplinary_removal": "#6d4c41", "student_absence": "#7e57c2",
    "student_unavailable": "#9575cd", "parent_cancellation": "#b39ddb", "other": "#757575",
    "undocumented": "#212121", "delivered_short": "#f06292",
}


@cache
def _template() -> jinja2.Template:
    import jinja2  # imported here: every CLI start registers the html format, few use it

    env = jinja2.Environment(loader=jinja2.PackageLoader("iep_rules.render", "templates"),
                             autoescape=True, undefined=jinja2.StrictUndefined,
                             trim_blocks=True, lstrip_blocks=True)
    return env.get_template("parent.html.j2")


def _law(f: Finding) -> str:
    return format_citations(f.citations, unverified=" (citation not yet verified)", notes=True)


def _review(f: Finding) -> tuple[str, bool]:
    r = f.review
    if r is None:
        return "", False
    said = f"{r.decision} by {r.reviewer} on {p.day(r.date)}"
    if not r.current:
        return f"Reviewed before ({said}); the file has changed since.", True
    return f"Reviewed: {said}. {r.reason}", False


def _finding(case: Case, f: Finding) -> dict[str, Any]:
    review, stale = _review(f)
    gaps = set(f.missing)
    return {
        "severity": f.severity, "heading": p.SEVERITY_HEADINGS[f.severity], "title": f.title,
        "message": f.message if f.severity != "needs-data" else "",
        "missing": p.missing_line(case, f) if f.severity == "needs-data" else "",
        "evidence": [p.evidence_line(case, e, f.subject) for e in f.evidence
                     if not (e.value is None and (e.path in gaps or e.fact in gaps))
                     and e.fact != "as_of"],
        "remedy": f.remedy, "law": _law(f), "rule_id": f.rule_id,
        "review": review, "review_stale": stale,
    }


def headline(report: Report) -> str:
    parts = [p.severity_count(k, n) for k, n in report.summary.items() if n]
    if not parts:
        return "This review found no problems in the file."
    return "This review found " + ", ".join(parts) + "."


def due_next(calendar: Calendar | None) -> tuple[Deadline, ...]:
    """The first DUE_NEXT_COUNT obligations of the deadline calendar, soonest first."""
    if calendar is None:
        return ()
    return tuple(sorted(calendar.deadlines, key=Deadline.sort_key)[:p.DUE_NEXT_COUNT])


def _due_words(d: Deadline, report: Report) -> str:
    """`26 June 2025: make up 150 owed minutes of speech therapy (...) (law: ...)`."""
    label = d.label
    for lg in report.ledger:
        if lg.service_name:
            label = label.replace(lg.service_name, p.service_name(lg.service_name).lower())
    return f"{p.day(d.due)}: {label} (law: {format_citations(d.citations)})"


def _summary(report: Report, case: Case, calendar: Calendar | None) -> dict[str, Any]:
    wrong = [f.title for f in report.findings if f.severity == "violation"]
    owed = [p.ledger_line(case, lg) for lg in report.ledger if lg.owed]
    due = [_due_words(d, report) for d in due_next(calendar)]
    due_note = ""
    if calendar is not None and not due:
        due_note = f"nothing falls due by {p.day(calendar.until)} on the deadline calendar."
    elif calendar is not None and len(calendar.deadlines) > len(due):
        more = len(calendar.deadlines) - len(due)
        due_note = (f"and {p.count(more, 'more date')} up to {p.day(calendar.until)} (the "
                    "iep-rules deadlines command lists them all).")
    unknown = [f for f in report.findings if f.severity == "needs-data"]
    owed_none = ("nothing is owed on the sessions logged." if report.ledger else
                 "the file has no log of sessions delivered, so what is owed cannot be counted.")
    return {"headline": headline(report), "wrong": wrong, "owed": owed, "due": due,
            "due_note": due_note, "owed_none": owed_none,
            "unknown": (p.severity_count("needs-data", len(unknown)) + " (listed below)")
            if unknown else ""}


def chart(ledger: MandateLedger) -> dict[str, Any]:
    """Geometry for one service's chart: per month, horizontal bars for required, delivered,
    missed (one segment per reason) and made-up minutes, with a value at each bar's end."""
    months: dict[str, dict[str, Any]] = defaultdict(
        lambda: {"expected": 0, "delivered": 0, "made_up": 0, "missed": defaultdict(int)})
    for line in ledger.by_month():
        row = months[line.month]
        row["expected"] += line.expected_minutes
        row["delivered"] += line.delivered_minutes
        row["made_up"] += line.made_up_minutes
    for s in ledger.missed_items:
        months[s.due.strftime("%Y-%m")]["missed"][s.reason] += s.minutes
    left, right, bar, gap = 78, 330, 15, 3
    width = right + 46
    top = 6
    scale_max = max([1] + [max(r["expected"], r["delivered"], r["made_up"],
                               sum(r["missed"].values())) for r in months.values()])
    step = _nice_step(scale_max)
    scale_max = step * -(-scale_max // step)

    def x(minutes: int) -> float:
        return float(round(left + (right - left) * minutes / scale_max, 1))

    rows, y = [], top
    reasons_seen: list[str] = []
    for month in sorted(months):
        r = months[month]
        bars = []
        for name, minutes in (("required", r["expected"]), ("delivered", r["delivered"])):
            bars.append({"y": y, "end": x(minutes), "total": minutes, "segments": [
                {"x": left, "w": x(minutes) - left, "color": _COLORS[name], "name": name,
                 "minutes": minutes}]})
            y += bar + gap
        segments, start = [], 0
        for reason_code, minutes in sorted(r["missed"].items()):
            if reason_code not in reasons_seen:
                reasons_seen.append(reason_code)
            segments.append({"x": x(start), "w": x(start + minutes) - x(start),
                             "color": _REASON_COLORS.get(reason_code, "#000"),
                             "name": "missed, " + p.reason(reason_code), "minutes": minutes})
            start += minutes
        bars.append({"y": y, "end": x(start), "total": start, "segments": segments})
        y += bar + gap
        bars.append({"y": y, "end": x(r["made_up"]), "total": r["made_up"], "segments": [
            {"x": left, "w": x(r["made_up"]) - left, "color": _COLORS["made up"],
             "name": "made up", "minutes": r["made_up"]}]})
        y += bar + gap
        rows.append({"label": p.month_label(month), "y": bars[0]["y"], "bars": bars,
                     "expected": r["expected"], "delivered": r["delivered"], "missed": start,
                     "made_up": r["made_up"]})
        y += 10
    ticks = [{"x": x(v), "label": v} for v in range(0, scale_max + 1, step)]
    legend = [{"name": "required", "color": _COLORS["required"]},
              {"name": "delivered", "color": _COLORS["delivered"]}]
    legend += [{"name": "missed: " + p.reason(code), "color": _REASON_COLORS.get(code, "#000")}
               for code in sorted(reasons_seen)]
    legend.append({"name": "made up later", "color": _COLORS["made up"]})
    return {"months": rows, "ticks": ticks, "legend": legend, "left": left, "right": right,
            "bar": bar, "top": top, "axis_y": y, "width": width, "height": y + 44}


def _nice_step(top: int) -> int:
    """A round tick step giving four or five ticks up to `top`."""
    for step in (10, 15, 20, 30, 50, 60, 100, 120, 150, 200, 300, 500, 600, 1000, 1200, 1500,
                 2000, 3000, 5000):
        if top / step <= 5:
            return step
    return 10_000


def ledger_rows(ledgers: tuple[MandateLedger, ...]) -> list[list[str]]:
    """The ledger table, as `iep-rules ledger` prints it (sessions, minutes in brackets)."""
    rows = []
    for lg in ledgers:
        reasons = ", ".join(f"{p.reason(k)} {n}" for k, n in lg.missed_by_reason.items())
        if lg.undocumented:
            reasons += f"{', ' if reasons else ''}{p.reason('undocumented')} {lg.undocumented}"
        rows.append([f"{p.service_name(lg.service_name)} ({lg.iep_id})", reasons or "none",
                     *lg.table_row()])
    return rows


def _service(case: Case, ledger: MandateLedger) -> dict[str, Any]:
    owed = []
    for deadline, items in ledger.owed_by_deadline().items():
        for s in items:
            owed.append(f"{p.period(s.source)}: {s.minutes} minutes ({p.reason(s.reason)}); "
                        f"a state complaint can raise it until {p.day(deadline)}")
    return {"line": p.ledger_line(case, ledger), "owed_items": owed, **chart(ledger)}


def _context(report: Report, case: Case, calendar: Calendar | None = None) -> dict[str, Any]:
    findings = sorted(report.findings,
                      key=lambda f: (SEVERITY_ORDER[f.severity], f.topic, f.rule_id, f.order))
    return {"student": case.student.id, "jurisdiction": report.jurisdiction,
            "as_of": p.day(report.as_of), "school": case.student.school or "",
            **_summary(report, case, calendar),
            "findings": [_finding(case, f) for f in findings],
            "services": [_service(case, lg) for lg in report.ledger],
            "notes": list(report.notes),
            "ledger_head": ["Service", "Missed by reason",
                            *(c.capitalize() for c in TABLE_COLUMNS)],
            "ledger_rows": ledger_rows(report.ledger)}


def _each_text(value: Any, fn: Any) -> Any:
    if isinstance(value, str):
        return fn(value)
    if isinstance(value, list):
        return [_each_text(v, fn) for v in value]
    if isinstance(value, dict):
        return {k: _each_text(v, fn) for k, v in value.items()}
    return value


def parent_html(report: Report, case: Case, calendar: Calendar | None = None) -> str:
    """The parent report as one self-contained HTML page; `calendar` (engine.deadlines) gives
    the summary's "due next"."""
    # Controls in case text are shown, not obeyed (render/_inert.py); Jinja2 escapes markup.
    return _template().render(**_each_text(_context(report, case, calendar), terminal_text))


# The parts of the context that carry text from the case (or a review file): only these are
# Markdown-escaped, so the report's own words and citations read as written.
_CASE_TEXT = ("student", "school", "owed", "due", "notes", "ledger_rows")
_CASE_TEXT_IN_FINDING = ("message", "missing", "evidence", "review")
_CASE_TEXT_IN_SERVICE = ("line", "owed_items")


def _markdown_context(ctx: dict[str, Any]) -> dict[str, Any]:
    ctx = _each_text(ctx, terminal_text)
    out = {k: _each_text(v, markdown_text) if k in _CASE_TEXT else v for k, v in ctx.items()}
    out["findings"] = [{k: _each_text(v, markdown_text) if k in _CASE_TEXT_IN_FINDING else v
                        for k, v in f.items()} for f in ctx["findings"]]
    out["services"] = [{k: _each_text(v, markdown_text) if k in _CASE_TEXT_IN_SERVICE else v
                        for k, v in s.items()} for s in ctx["services"]]
    return out


def parent_markdown(report: Report, case: Case, calendar: Calendar | None = None) -> str:
    """The same report as Markdown: summary first, findings in words, a table per service.
    Case text is made inert (render/_inert.markdown_text: no link, image, HTML or table cell
    can come from it); the report's own words are left as written."""
    ctx = _markdown_context(_context(report, case, calendar))
    lines = [f"# IEP review for {ctx['student']}", "",
             f"{ctx['jurisdiction']} rules, as of {ctx['as_of']}.", "", "## Summary", "",
             ctx["headline"], ""]
    lines.append("- **What is wrong:** " + ("; ".join(ctx["wrong"]) + "." if ctx["wrong"]
                                            else "nothing this review could find."))
    lines.append("- **What is owed:** " + ("; ".join(ctx["owed"]) + "." if ctx["owed"]
                                           else ctx["owed_none"]))
    if ctx["due"] or ctx["due_note"]:
        if ctx["due"]:
            lines.append("- **What is due next:**")
            lines += [f"  - {d}" for d in ctx["due"]]
            lines += [f"  - {ctx['due_note']}"] if ctx["due_note"] else []
        else:
            lines.append(f"- **What is due next:** {ctx['due_note']}")
    if ctx["unknown"]:
        lines.append(f"- **What the file does not say:** {ctx['unknown']}.")
    lines += [f"- {note}" for note in ctx["notes"]]
    lines += ["", "## What we found", ""]
    if not ctx["findings"]:
        lines += ["No problems found in the file.", ""]
    for f in ctx["findings"]:
        lines += [f"### {f['heading']}: {f['title']}", ""]
        lines += [x for x in (f["message"], f["missing"]) if x]
        if f["evidence"]:
            lines += ["", "What the file shows:", ""] + [f"- {e}" for e in f["evidence"]]
        if f["remedy"]:
            lines += ["", f"**What to ask for:** {f['remedy']}"]
        if f["review"]:
            lines += ["", f"*{f['review']}*"]
        lines += ["", f"Law: {f['law']} (rule {f['rule_id']})", ""]
    if ctx["services"]:
        lines += ["## Services: required and delivered", "",
                  "| " + " | ".join(ctx["ledger_head"]) + " |",
                  "|---" * len(ctx["ledger_head"]) + "|"]
        lines += ["| " + " | ".join(row) + " |" for row in ctx["ledger_rows"]]
        lines += ["", "Sessions, with minutes in brackets.", ""]
        for s in ctx["services"]:
            lines += [f"**{s['line']}** (minutes)", "",
                      "| month | required | delivered | missed | made up |",
                      "|---|---|---|---|---|"]
            lines += [f"| {m['label']} | {m['expected']} | {m['delivered']} | {m['missed']} | "
                      f"{m['made_up']} |" for m in s["months"]]
            if s["owed_items"]:
                lines += ["", "Still owed:", ""] + [f"- {o}" for o in s["owed_items"]]
            lines.append("")
    lines += ["## About this report", "",
              "Legal information, not legal advice. When the file does not record something a "
              "rule needs, the report says so instead of guessing.", ""]
    return "\n".join(lines)
