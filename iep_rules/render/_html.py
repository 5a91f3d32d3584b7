"""HTML: the parent report (render/_parent.py), self-contained (inline SVG chart, no script, no
network assets), every piece of case data escaped by the template engine."""

from __future__ import annotations

from .._findings import Report
from ..case._records import Case
from ..engine._deadlines import Calendar
from ._parent import parent_html
from ._registry import ReportInput, report_format


@report_format("html", due_next=True)
def html_report(data: ReportInput) -> str:
    return parent_html(data.report, data.case, data.calendar)


def to_html(report: Report, case: Case, calendar: Calendar | None = None) -> str:
    """The HTML report of `report` about `case` (the name other code and tests use); with
    `calendar` (engine.deadlines), the summary says what is due next."""
    return parent_html(report, case, calendar)
