"""Descriptor mapping tables: Ed-Fi descriptor URIs to the case vocabulary, kept as YAML data.

The built-in tables ship as package data (`mappings/edfi.yaml`); overlay files of the same shape
add or replace entries (a district's own descriptor namespace). Every lookup is counted, so the
import summary can say which descriptors mapped, which were deliberately left unmapped (with the
table's reason) and which had no entry at all.
"""

from __future__ import annotations

from collections import Counter
from importlib import resources
from pathlib import Path
from typing import Any

import attrs
import yaml

from iep_rules import Problem

from ._source import EdfiInputError

TABLES = ("disability", "setting", "service", "idea_event", "evaluation_kind",
          "frequency_interval", "duration_interval", "location", "iep_status", "goal_area",
          "attendance", "staff_leave", "discipline", "exit_reason")


@attrs.frozen
class Unmapped:
    """A value that did not reach the case: its table, value, where it was, and why."""

    table: str
    value: str
    where: str
    reason: str
    placed_elsewhere: bool = False  # True: the value mapped, but the case has no place for it


@attrs.define
class _Tally:
    reason: str
    count: int
    first_at: str
    mapped: bool


@attrs.define
class DescriptorMap:
    """The loaded tables plus running tallies of what each lookup found.

    Tallies are aggregated per (table, value), so they stay small however many records pass.
    """

    tables: dict[str, dict[str, Any]]
    gaps: dict[str, str]
    sources: tuple[str, ...]
    mapped: Counter[tuple[str, str]] = attrs.field(factory=Counter)
    missed: dict[tuple[str, str], _Tally] = attrs.field(factory=dict)

    def lookup(self, table: str, value: str | None, where: str,
               sink: list[Unmapped] | None = None) -> Any:
        """The mapped value, or None (recorded as unmapped with its location and reason)."""
        if value is None:
            return None
        key = value.strip()
        entry = self.tables[table].get(key)
        if entry is None:
            self._miss(Unmapped(table, key, where, "no mapping entry"), sink)
            return None
        if isinstance(entry, dict) and "unmapped" in entry:
            self._miss(Unmapped(table, key, where, str(entry["unmapped"])), sink)
            return None
        self.mapped[(table, key)] += 1
        return entry

    def peek(self, table: str, value: str | None) -> Any:
        """The mapped value without counting it (for checks that re-read a value)."""
        entry = self.tables[table].get(value.strip()) if value else None
        return None if isinstance(entry, dict) and "unmapped" in entry else entry

    def not_placed(self, table: str, value: str, where: str, reason: str,
                   sink: list[Unmapped] | None = None) -> None:
        """A value (mapped or not) that the case format has no place for, e.g. exit reasons."""
        self._miss(Unmapped(table, value.strip(), where, reason, placed_elsewhere=True), sink)

    def _miss(self, item: Unmapped, sink: list[Unmapped] | None) -> None:
        tally = self.missed.get((item.table, item.value))
        if tally is None:
            self.missed[(item.table, item.value)] = _Tally(item.reason, 1, item.where,
                                                           item.placed_elsewhere)
        else:
            tally.count += 1
        if sink is not None:
            sink.append(item)


def _read(source: str, text: str) -> dict[str, Any]:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise EdfiInputError(source, [Problem(source, f"not valid YAML: {exc}")]) from None
    if not isinstance(data, dict) or not isinstance(data.get("tables", {}), dict):
        raise EdfiInputError(source, [Problem(source, "expected a mapping with 'tables:'")])
    problems: list[Problem] = []
    for name, table in data.get("tables", {}).items():
        if name not in TABLES:
            problems.append(Problem(f"{source} tables.{name}",
                                    f"unknown table; expected one of {', '.join(TABLES)}"))
            continue
        entries = table.get("entries") if isinstance(table, dict) else None
        if not isinstance(entries, dict):
            problems.append(Problem(f"{source} tables.{name}", "expected 'entries:' mapping"))
            continue
        for key, value in entries.items():
            if not isinstance(key, str) or "#" not in key:
                problems.append(Problem(f"{source} tables.{name}.{key}",
                                        "keys are descriptor URIs (namespace#CodeValue)"))
            if not isinstance(value, str | dict):
                problems.append(Problem(f"{source} tables.{name}.{key}",
                                        "expected a value or {unmapped: reason}"))
    gaps = data.get("source_gaps", {})
    if not isinstance(gaps, dict):
        problems.append(Problem(f"{source} source_gaps", "expected fact: reason pairs"))
    if problems:
        raise EdfiInputError(source, problems)
    return data


def load_mapping(*overlays: Path | str) -> DescriptorMap:
    """The built-in tables with each overlay's entries laid over them, in order."""
    builtin = resources.files(__package__).joinpath("mappings/edfi.yaml")
    layers = [("<built-in>/edfi.yaml", builtin.read_text(encoding="utf-8"))]
    layers += [(str(p), Path(p).read_text(encoding="utf-8")) for p in overlays]
    tables: dict[str, dict[str, Any]] = {name: {} for name in TABLES}
    gaps: dict[str, str] = {}
    for source, text in layers:
        data = _read(source, text)
        for name, table in data.get("tables", {}).items():
            tables[name].update(table["entries"])
        gaps.update({str(k): str(v) for k, v in data.get("source_gaps", {}).items()})
    return DescriptorMap(tables, gaps, tuple(s for s, _ in layers))


def coverage(mapping: DescriptorMap) -> dict[str, Any]:
    """Per table: values mapped (with counts), and values that did not reach the case (reason,
    count, first place seen; `not_placed` when the value mapped but the case has no field)."""
    out: dict[str, Any] = {}
    for (table, value), count in sorted(mapping.mapped.items()):
        out.setdefault(table, {"mapped": {}, "unmapped": {}})["mapped"][value] = count
    for (table, value), tally in sorted(mapping.missed.items()):
        slot = out.setdefault(table, {"mapped": {}, "unmapped": {}})["unmapped"]
        slot[value] = {"reason": tally.reason, "count": tally.count, "first_at": tally.first_at,
                       "not_placed": tally.mapped}
    return out
