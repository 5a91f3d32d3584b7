"""Output formats, one module per format, each registering itself by name.

To add a format: write `render/_<name>.py` with a function decorated `@report_format("<name>")`
(a `ReportInput -> str`) and/or a writer class decorated `@audit_format("<name>")`, then import
the module below. The CLI's `--format` choices come from the registry. A writer whose text for
one result depends on that result alone may also define `record_text` and `add_text`
(`TextAuditWriter`): audits then have their worker processes write that text.
"""

from . import _csv, _html, _ics, _json, _jsonl, _markdown, _sarif, _text  # noqa: F401 (registration)
from ._registry import (
    AUDIT_FORMATS,
    CALENDAR_FORMATS,
    REPORT_FORMATS,
    SHOWS_DUE_NEXT,
    AuditOutput,
    AuditWriter,
    CalendarInput,
    FormatError,
    RecordText,
    ReportInput,
    TextAuditWriter,
    audit_format,
    audit_writer,
    calendar_format,
    record_text,
    render_calendar,
    render_report,
    report_format,
)

__all__ = [
    "AUDIT_FORMATS",
    "CALENDAR_FORMATS",
    "REPORT_FORMATS",
    "SHOWS_DUE_NEXT",
    "AuditOutput",
    "AuditWriter",
    "CalendarInput",
    "FormatError",
    "RecordText",
    "ReportInput",
    "TextAuditWriter",
    "audit_format",
    "audit_writer",
    "calendar_format",
    "record_text",
    "render_calendar",
    "render_report",
    "report_format",
]
