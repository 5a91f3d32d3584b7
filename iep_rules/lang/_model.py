"""What a loaded rule file is: citations, parameters, rules with examples, and their layer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._vocab import RULE_SEVERITIES, Expectation, Scope, Severity
from ._conditions import Call, Cond, Expr, Fact, Literal, Param

SEVERITIES = RULE_SEVERITIES


@attrs.frozen
class Citation:
    """A legal source. `when` (rules only) limits it to findings whose item meets the
    condition, so a rule covering several categories cites only the one found."""

    authority: str
    verified: bool
    kind: str = "regulation"
    note: str | None = None
    when: Cond | None = attrs.field(default=None, eq=False)


def format_citations(cites: Iterable[Citation | Mapping[str, Any]], *,
                     unverified: str = " [unverified]", guidance: str = "",
                     notes: bool = False) -> str:
    """Citations joined with "; ", each unverified one followed by `unverified` (and each of
    kind guidance by `guidance`; with `notes`, each note in parentheses, e.g. "verified
    (secondary)"): the one place every output spells a list of authorities.
    Takes Citation records or their JSON form (`authority`, `verified`, `kind`, `note`)."""
    parts = []
    for cite in cites:
        if isinstance(cite, Mapping):
            cite = Citation(cite["authority"], cite["verified"], cite.get("kind", "regulation"),
                            cite.get("note"))
        parts.append(cite.authority + ("" if cite.verified else unverified)
                     + (guidance if cite.kind == "guidance" else "")
                     + (f" ({cite.note})" if notes and cite.note else ""))
    return "; ".join(parts)


@attrs.frozen
class Source:
    """Where something was defined: file, line, and the jurisdiction layer that supplied it."""

    file: str
    line: int
    layer: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}"


@attrs.frozen
class Parameter:
    name: str
    values: tuple[tuple[dt.date, Any], ...]  # (effective from, value), ascending
    cite: tuple[Citation, ...]
    source: Source
    description: str = ""
    unit: str = ""

    def value_on(self, day: dt.date) -> Any:
        """The value in force on `day` (the earliest value if `day` precedes them all)."""
        current = self.values[0][1]
        for start, value in self.values:
            if start <= day:
                current = value
        return current


DUE_UNITS = {"days": "add_days", "months": "add_months", "years": "add_years",
             "school_days": ""}  # school days need the case's calendars (engine/_deadlines.py)


@attrs.frozen
class Offset:
    """How far after the clock's start a date falls: a whole number of a unit."""

    unit: str  # a DUE_UNITS key
    amount: Param | Literal
    start: Fact  # the date fact the clock runs from

    @property
    def text(self) -> str:
        amount = (f"param.{self.amount.name}" if isinstance(self.amount, Param)
                  else str(self.amount.value))
        return f"{amount} {self.unit.replace('_', ' ')}"


@attrs.frozen
class Due:
    """A rule's deadline as data (rule-file key `due:`): the date fact that starts the clock
    and what is added to it (`add`). The calendar (engine/_deadlines.py) and the rule's own
    `when` (through the value form `{due: date}`) read this one declaration, so the two cannot
    drift."""

    label: str
    add: Offset
    earliest: Offset | None = None  # the earliest date the act may happen (e.g. 300.303(b)(1))
    open: Cond | None = None  # still owed on `as_of`; when absent, the rule itself decides

    def date_expr(self, which: str = "date") -> Expr | None:
        """The due (or earliest) date as a condition-language expression; None for school days,
        which the condition language cannot count."""
        offset = self.add if which == "date" else self.earliest
        if offset is None or not DUE_UNITS[offset.unit]:
            return None
        return Call(DUE_UNITS[offset.unit], (offset.start, offset.amount))


@attrs.frozen
class Example:
    name: str
    case: dict[str, Any]
    expect: Expectation
    as_of: dt.date | None
    subjects: tuple[str, ...] | None
    where: str  # file:line:col, for messages
    line: int


@attrs.frozen
class Rule:
    id: str
    title: str
    topic: str
    severity: Severity
    scope: Scope
    when: Cond
    message: str
    cite: tuple[Citation, ...]
    source: Source
    remedy: str = ""
    clock: str = ""
    due: Due | None = None
    effective_from: dt.date | None = None
    effective_to: dt.date | None = None
    examples: tuple[Example, ...] = ()
    overrides: bool = False
    params_used: tuple[str, ...] = ()
    unchecked: tuple[str, ...] = ()  # parts of the requirement the record cannot show
    # (parameter, kind its uses need: number, string, bool or list), checked where the rule
    # meets the parameter values in force (a layer below may override them).
    param_kinds: tuple[tuple[str, str], ...] = ()

    def in_force(self, day: dt.date) -> bool:
        if self.effective_from is not None and day < self.effective_from:
            return False
        return self.effective_to is None or day <= self.effective_to


@attrs.frozen
class Disable:
    id: str
    reason: str
    source: Source


@attrs.frozen
class Layer:
    """One rule file's contribution to a jurisdiction."""

    jurisdiction: str
    file: str
    title: str
    parameters: tuple[Parameter, ...]
    rules: tuple[Rule, ...]
    disabled: tuple[Disable, ...]
