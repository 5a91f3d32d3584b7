"""Output formats behind one signature each, found by name in a registry.

A report format is a function `ReportInput -> str`; an audit format is a writer class built
from an `AuditOutput` that receives each result as it comes (so audits stream) and then the
summary. Each format is one module that registers itself with `@report_format(name)` or
`@audit_format(name)`; `render/__init__.py` imports the modules. Adding a format is one new
module plus its import line there.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from typing import IO, Any, Protocol, TypeVar

import attrs

from .._errors import IEPRulesError
from .._findings import Report
from ..case._records import Case
from ..engine._deadlines import Calendar
from ..lang._model import Rule


class FormatError(IEPRulesError, ValueError):
    """An output format nobody registered."""


@attrs.frozen
class ReportInput:
    """Everything a report format may show: the report, the case it is about, where that case
    came from (a file name, for formats that locate findings), the rules that were in force,
    and the case's deadline calendar (engine.deadlines), whose first dates the people-facing
    formats show as "due next"."""

    report: Report
    case: Case
    source: str
    rules: Sequence[Rule]
    calendar: Calendar | None = None


ReportRenderer = Callable[[ReportInput], str]


@attrs.frozen
class AuditOutput:
    """Where an audit writes: results to `out`, notes about bad records to `err`;
    `rules_for(codes)` gives the rules in force for those jurisdiction codes (for SARIF)."""

    out: IO[str]
    err: IO[str]
    rules_for: Callable[[Iterable[str]], list[Rule]]


class AuditWriter(Protocol):
    def add(self, result: dict[str, Any]) -> None:
        """One result or error object, in input order."""

    def finish(self, summary: dict[str, Any]) -> None:
        """The audit's summary object, after the last result."""


AuditWriterFactory = Callable[[AuditOutput], AuditWriter]
RecordText = Callable[[dict[str, Any]], str]


class TextAuditWriter(AuditWriter, Protocol):
    """A writer whose output for one result depends on that result alone (JSON Lines, JSON):
    `record_text` can then run in the audit's worker processes, beside the evaluation, and
    the process that writes the output only passes the text to `add_text` (on two cores,
    encoding every result in that one process made it the audit's bottleneck).
    `add(result)` must equal `add_text(record_text(result))`."""

    @staticmethod
    def record_text(result: dict[str, Any]) -> str:
        """One result's text, as `add` would write it."""

    def add_text(self, text: str) -> None:
        """Write one result's text from `record_text`, in input order."""

REPORT_FORMATS: dict[str, ReportRenderer] = {}
AUDIT_FORMATS: dict[str, AuditWriterFactory] = {}

_R = TypeVar("_R", bound=ReportRenderer)
_W = TypeVar("_W", bound=AuditWriterFactory)


# Report formats that show the deadline calendar's first dates ("due next"): the caller computes
# the calendar (engine.deadlines) for these only, as it costs evaluations on later dates.
SHOWS_DUE_NEXT: set[str] = set()


def report_format(name: str, *, due_next: bool = False) -> Callable[[_R], _R]:
    """Register a report format under `name` (e.g. `iep-rules check --format name`);
    `due_next`: it shows ReportInput.calendar, so the caller should compute it."""

    def register(fn: _R) -> _R:
        REPORT_FORMATS[name] = fn
        if due_next:
            SHOWS_DUE_NEXT.add(name)
        return fn

    return register


def audit_format(name: str) -> Callable[[_W], _W]:
    """Register an audit writer under `name` (e.g. `iep-rules audit --format name`)."""

    def register(factory: _W) -> _W:
        AUDIT_FORMATS[name] = factory
        return factory

    return register


_V = TypeVar("_V")


def _registered(kind: str, table: dict[str, _V], fmt: str) -> _V:
    """The entry of `table` named `fmt`; an unknown name is an error listing the known ones."""
    if fmt not in table:
        raise FormatError(f"unknown {kind} format {fmt!r}; choose one of {', '.join(table)}")
    return table[fmt]


def render_report(fmt: str, data: ReportInput) -> str:
    """The report in format `fmt`."""
    return _registered("report", REPORT_FORMATS, fmt)(data)


def audit_writer(fmt: str, output: AuditOutput) -> AuditWriter:
    """A writer for audit results in format `fmt`."""
    return _registered("audit", AUDIT_FORMATS, fmt)(output)


def record_text(fmt: str) -> RecordText | None:
    """Audit format `fmt`'s text for one result, if its writers take such text (see
    TextAuditWriter); None for formats that need the whole audit (tables, SARIF, CSV)."""
    fn: RecordText | None = getattr(_registered("audit", AUDIT_FORMATS, fmt), "record_text", None)
    return fn


# ---- the compliance calendar (engine/_deadlines.py) -------------------------------------------

@attrs.frozen
class CalendarInput:
    """A compliance calendar to show: one case's, or a district's with its `summary` (counts
    by school and by rule, bad records)."""

    calendars: Sequence[Calendar]
    as_of: dt.date
    until: dt.date
    summary: dict[str, Any] | None = None


CalendarRenderer = Callable[[CalendarInput], str]
CALENDAR_FORMATS: dict[str, CalendarRenderer] = {}
_C = TypeVar("_C", bound=CalendarRenderer)


def calendar_format(name: str) -> Callable[[_C], _C]:
    """Register a calendar format under `name` (`iep-rules deadlines --format name`)."""

    def register(fn: _C) -> _C:
        CALENDAR_FORMATS[name] = fn
        return fn

    return register


def render_calendar(fmt: str, data: CalendarInput) -> str:
    """The calendar in format `fmt`."""
    return _registered("calendar", CALENDAR_FORMATS, fmt)(data)
