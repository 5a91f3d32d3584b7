"""What the readers hand to the case builder: one Ed-Fi record with where it came from.

XML and JSON inputs produce the same record shape (the one in the sample `*.records.json`
files): Ed-Fi element names as keys, values as text, Student/EducationOrganization/Staff
references flattened to their id, other references as objects of their identity fields. A
field may hold one value or a list, depending on how often it occurred; `as_list` evens that out.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import attrs

from iep_rules import IEPRulesError, Problem

_INDEX = re.compile(r"\[\d+\]$")


@attrs.frozen
class SourceRecord:
    """One Ed-Fi record (`kind` is the entity name, e.g. `StudentIEP`) and its location."""

    kind: str
    data: Mapping[str, Any]
    file: str
    line: int | None = None  # XML: the line the record starts on
    pointer: str | None = None  # JSON: the record's JSON path, e.g. $.StudentIEP[3]
    lines: Mapping[str, int] = attrs.field(factory=dict)  # XML: field path -> line
    # ODS/API JSON: element field path -> the API property path it came from
    fields: Mapping[str, str] | None = None

    def at(self, field: str = "") -> str:
        """`file:line` (XML), `file $.Kind[i].field` (element-name JSON), or `file $[i].apiPath`
        / `file:line $.apiPath` (ODS/API JSON arrays / JSON Lines) of the record or a field."""
        key = ".".join(p if _INDEX.search(p) else f"{p}[0]" for p in field.split(".")) \
            if field else ""
        if self.pointer is not None:
            base = f"{self.file}{':' + str(self.line) if self.line else ''} {self.pointer}"
            if not field:
                return base
            if self.fields is None:
                return f"{base}.{field}"
            api = self.fields.get(key)
            return f"{base}.{api}" if api else base
        if field:
            line = self.lines.get(key)
            if line is not None:
                return f"{self.file}:{line}"
        return f"{self.file}:{self.line}"


class EdfiInputError(IEPRulesError, ValueError):
    """An Ed-Fi file that cannot be read at all (malformed, hostile, not Ed-Fi), located."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.format_message())

    def format_message(self) -> str:
        head = f"{self.source}: cannot import this Ed-Fi file"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


def as_list(value: Any) -> list[Any]:
    """A field that may occur once or many times, as a list (absent -> empty)."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


def text(value: Any) -> str | None:
    """A scalar field as stripped text; None when absent or blank. Numbers (an API client may
    send ids as JSON numbers) become their text."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return str(value)
    if isinstance(value, str):
        stripped = value.strip()
        return stripped or None
    return None
