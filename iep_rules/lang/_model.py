"""What a loaded rule file is: citations, parameters, rules with examples, and their layer."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from .._vocab import RULE_SEVERITIES, Expectation, Scope, Severity
from ._conditions import Cond

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
