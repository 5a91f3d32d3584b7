"""Output formats, one module per format, each registering itself by name.

To add a format: write `render/_<name>.py` with a function decorated `@report_format("<name>")`
(a `ReportInput -> str`) and/or a writer class decorated `@audit_format("<name>")`, then import
the module below. The CLI's `--format` choices come from the registry.
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
    ReportInput,
    audit_format,
    audit_writer,
    calendar_format,
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
    "ReportInput",
    "audit_format",
    "audit_writer",
    "calendar_format",
    "render_calendar",
    "render_report",
    "report_format",
]
