"""Markdown: the parent-readable report (as the HTML one, without the chart), for pasting into
a letter or an issue tracker."""

from __future__ import annotations

from .._findings import Finding, Report
from ..case._records import Case
from ..facts._ledger import TABLE_COLUMNS
from ..lang._model import format_citations
from ._html import _LABEL, _TOPIC, _grouped
from ._inert import markdown_text
from ._registry import ReportInput, report_format


def to_markdown(report: Report, case: Case) -> str:
    """Markdown with every piece of text escaped (case data and rule text alike, see
    _inert.markdown_text), so the document's structure is only this function's."""
    m = markdown_text
    lines = [f"# IEP review for {m(case.student.id)}", "",
             f"Jurisdiction {m(report.jurisdiction)}, as of {report.as_of.isoformat()}. "
             + ", ".join(f"{n} {_LABEL[k].lower()}" for k, n in report.summary.items()) + ".", "",
             *(f"Note: {m(note)}\n" for note in report.notes)]
    for topic, items in _grouped(report.findings):
        lines += [f"## {m(_TOPIC.get(topic, topic))}", ""]
        for f in sorted(items, key=Finding.sort_key):
            lines += [f"### {_LABEL[f.severity]}: {m(f.title)}", "", m(f.message), ""]
            if f.remedy:
                lines += [f"**What to ask for:** {m(f.remedy)}", ""]
            lines += ["Law: " + m(format_citations(f.citations, unverified=" (unverified)",
                                                      notes=True)), ""]
    if report.ledger:
        lines += ["## Services delivered", "",
                  "| service | " + " | ".join(TABLE_COLUMNS) + " |",
                  "|---" * (len(TABLE_COLUMNS) + 1) + "|"]
        lines += [f"| {m(lg.service_name)} ({m(lg.iep_id)}) | "
                  + " | ".join(lg.table_row()) + " |"  # figures and dates only
                  for lg in report.ledger]
    return "\n".join(lines) + "\n"


@report_format("markdown")
def markdown_report(data: ReportInput) -> str:
    return to_markdown(data.report, data.case)
