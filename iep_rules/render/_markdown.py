"""Markdown: the parent report (render/_parent.py) without the chart, for pasting into a letter
or an issue tracker."""

from __future__ import annotations

from .._findings import Report
from ..case._records import Case
from ..engine._deadlines import Calendar
from ._parent import parent_markdown
from ._registry import ReportInput, report_format


@report_format("markdown", due_next=True)
def markdown_report(data: ReportInput) -> str:
    return parent_markdown(data.report, data.case, data.calendar)


def to_markdown(report: Report, case: Case, calendar: Calendar | None = None) -> str:
    """The Markdown report of `report` about `case` (the name other code and tests use); with
    `calendar` (engine.deadlines), the summary says what is due next."""
    return parent_markdown(report, case, calendar)
