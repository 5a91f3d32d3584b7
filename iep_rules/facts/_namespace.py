"""The facts a rule can read: each case item as a namespace, plus derived facts, as of a date.

Every scope (case, eligibility, iep, service, ...) yields items; each item is a plain mapping of
its recorded fields, `$path` (its JSON path in the case), its scope's derived facts, and shared
names: `as_of`, `student` (with `age`), and `case` (case-level derived facts such as
`last_annual_review`). Derived facts are declared once, in facts/_derived.py, and read the
case's timeline (facts/_timeline.py). The same descriptions drive load-time checking of the
fact paths a rule file names.
"""

from __future__ import annotations

import datetime as dt
import functools
import typing
from collections.abc import Collection, Iterator, Mapping
from enum import Enum
from typing import Any

import attrs

from .._vocab import FactKind
from ..case import _records as r
from . import _areas
from ._derived import AREA, LEDGER, STUDENT_AGE, ListOf, case_derived, kinds, scope_derived
from ._timeline import Timeline, build_timeline

__all__ = ["SCOPES", "Item", "ListOf", "case_facts", "items", "scope_description", "to_data"]

# scope -> (record class, attribute of Case holding the items)
SCOPES: dict[str, tuple[type, str | None]] = {
    "case": (r.Case, None),
    "eligibility": (r.Eligibility, "eligibility"),
    "evaluation": (r.Evaluation, "evaluations"),
    "iep": (r.IEP, "ieps"),
    "service": (r.Service, None),  # nested in each IEP
    "placement": (r.Placement, "placements"),
    "meeting": (r.Meeting, "meetings"),
    "parent_request": (r.ParentRequest, "parent_requests"),
    "consent": (r.Consent, "consents"),
    # issue-14 areas (facts computed in facts/_areas.py)
    "removal": (r.Removal, "removals"),
    "prior_written_notice": (r.PriorWrittenNotice, "prior_written_notices"),
    "parent_cost": (r.ParentCost, "parent_costs"),
    "transfer": (r.Transfer, "transfers"),
}


@attrs.frozen
class Item:
    scope: str
    subject: str  # JSON path of the item in the case, e.g. $.ieps[0].services[1]
    order: tuple[int, ...]  # natural sort key for the subject
    ns: Mapping[str, Any]


# Values that are their own plain data: returned as they are, without building their path.
_PLAIN = frozenset({str, int, float, bool, type(None), dt.date})
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}  # a record class's field names


def _field_names(kind: type) -> tuple[str, ...] | None:
    names = _FIELD_NAMES.get(kind, ())
    if names == ():
        fields = getattr(kind, "__attrs_attrs__", None)
        names = _FIELD_NAMES[kind] = None if fields is None else tuple(f.name for f in fields)
    return names


def to_data(value: Any, path: str) -> Any:
    """A record as nested plain data (enums as their strings), each mapping tagged with `$path`."""
    kind = type(value)
    if kind in _PLAIN:
        return value
    names = _field_names(kind)
    if names is not None:
        out: dict[str, Any] = {"$path": path}
        for name in names:
            field = getattr(value, name)
            out[name] = field if type(field) in _PLAIN else to_data(field, f"{path}.{name}")
        return out
    if isinstance(value, tuple):
        return tuple(item if type(item) in _PLAIN else to_data(item, f"{path}[{i}]")
                     for i, item in enumerate(value))
    if isinstance(value, Enum):
        return value._value_  # what `.value` gives, without the property's descriptor
    return value


class LazyRecord(Mapping[str, Any]):
    """A record as `to_data` would give it, each field converted on first read. The case item's
    namespace is one: a case's session logs and calendars (most of its size) are converted only
    if a rule reads them, not for every case. `extra` names override fields (shared facts)."""

    __slots__ = ("_done", "_names", "_path", "_record")

    def __init__(self, record: Any, path: str, extra: Mapping[str, Any] | None = None) -> None:
        self._record, self._path = record, path
        self._names = tuple(f.name for f in type(record).__attrs_attrs__)
        self._done: dict[str, Any] = {"$path": path, **(extra or {})}

    def get(self, key: str, default: Any = None) -> Any:
        done = self._done
        if key in done:
            return done[key]
        if key in self._names:
            value = done[key] = to_data(getattr(self._record, key), f"{self._path}.{key}")
            return value
        return default

    def __getitem__(self, key: str) -> Any:
        if key in self._done or key in self._names:
            return self.get(key)
        raise KeyError(key)

    def __iter__(self) -> Iterator[str]:
        yield from self._done
        yield from (name for name in self._names if name not in self._done)

    def __len__(self) -> int:
        return len(self._done) + sum(1 for name in self._names if name not in self._done)


def case_facts(case: r.Case, as_of: dt.date, timeline: Timeline | None = None) -> dict[str, Any]:
    """Case-level derived facts (facts/_derived.py); only events on or before `as_of` count."""
    history = timeline or build_timeline(case, as_of)
    out: dict[str, Any] = {"$path": None}
    for fact in case_derived():
        assert fact.compute is not None
        out[fact.name] = fact.compute(history)
    out.update(_areas.area_case_facts(case, as_of))  # issue-14 areas
    return out


class LazyCaseFacts(Mapping[str, Any]):
    """`case_facts` computed a fact at a time, on first read: most rulebooks (and every rule
    subset) read few of them, and each walks the case's history. Reading every key, or
    iterating, gives exactly `case_facts` (same keys, values and order)."""

    __slots__ = ("_all", "_done", "_history")

    def __init__(self, history: Timeline) -> None:
        self._history = history
        self._done: dict[str, Any] = {"$path": None}
        self._all: dict[str, Any] | None = None

    def get(self, key: str, default: Any = None) -> Any:
        if self._all is not None:
            return self._all.get(key, default)
        done = self._done
        if key in done:
            return done[key]
        fact = _case_fact_by_name().get(key)
        if fact is not None:
            assert fact.compute is not None
            value = done[key] = fact.compute(self._history)
            return value
        if key in _area_case_names():  # the areas compute their case facts together
            done.update(_areas.area_case_facts(self._history.case, self._history.as_of))
            return done[key]
        return default

    def whole(self) -> dict[str, Any]:
        if self._all is None:
            out: dict[str, Any] = {"$path": None}
            for name in _case_fact_by_name():
                out[name] = self.get(name)
            areas = {k: v for k, v in self._done.items() if k in _area_case_names()}
            out.update(areas or _areas.area_case_facts(self._history.case, self._history.as_of))
            self._all = out
        return self._all

    def __getitem__(self, key: str) -> Any:
        whole = self.whole() if key not in self._done else self._done
        return whole[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self.whole())

    def __len__(self) -> int:
        return len(self.whole())

    def __repr__(self) -> str:  # a message naming `{case}` shows what the dict showed
        return repr(self.whole())


@functools.cache
def _case_fact_by_name() -> dict[str, Any]:
    return {fact.name: fact for fact in case_derived()}


@functools.cache
def _area_case_names() -> frozenset[str]:
    return frozenset(kinds("case")) - frozenset(_case_fact_by_name())


def items(case: r.Case, as_of: dt.date, scopes: set[str] | None = None,
          ledgers: Mapping[str, Mapping[str, Any]] | None = None,
          timeline: Timeline | None = None, reads: Collection[str] | None = None
          ) -> Iterator[Item]:
    """Every item of the wanted scopes, in a fixed order, each with its namespace.
    `ledgers` maps a service's JSON path to its ledger facts (read as `ledger.*`); `timeline`
    is the case's history on `as_of` (built here when not given). `reads`, when given, holds
    every name the rules may read at the top of an item's namespace: a scope's derived facts
    outside it are not computed (an area's facts are computed together, when one is read)."""
    history = timeline or build_timeline(case, as_of)
    student = to_data(case.student, "$.student")
    assert STUDENT_AGE.compute is not None
    student["age"] = STUDENT_AGE.compute(case.student.date_of_birth, as_of)
    shared = {"as_of": as_of, "student": student, "case": LazyCaseFacts(history)}

    def wanted(scope: str) -> bool:
        return scopes is None or scope in scopes

    # converted once and only where read; every scope's items share these mappings
    whole = LazyRecord(case, "$", shared)
    if wanted("case"):
        yield Item("case", "$", (), whole)
    for scope, (_, attr) in SCOPES.items():
        if attr is None or not wanted(scope):
            continue
        records = getattr(case, attr) or ()
        order: list[int] = list(range(len(records)))
        if scope == "evaluation":
            order = sorted(order, key=lambda i: (records[i].completed or dt.date.max, i))
        extras = [f for f in scope_derived(scope) if reads is None or f.name in reads]
        areas = _areas_read(scope, reads)
        removals = _areas.removal_facts(case, as_of) if scope == "removal" and areas else []
        for index in order:
            if scope == "iep" and not history.iep_written_by_as_of(records[index]):
                continue  # an IEP written after the as-of date is not yet on file
            data = dict(whole.get(attr)[index])
            for fact in extras:
                assert fact.compute is not None
                data[fact.name] = fact.compute(history, index)
            if areas:
                data.update(_area_facts(history, scope, records[index], index, removals))
            yield Item(scope, data["$path"], (index,), {**data, **shared})
    if wanted("service"):
        areas = _areas_read("service", reads)
        for i, iep_data in enumerate(whole.get("ieps") or ()):
            if not history.iep_written_by_as_of((case.ieps or ())[i]):
                continue
            for j, data in enumerate(iep_data["services"]):
                ledger = (ledgers or {}).get(data["$path"])
                plan = (case.ieps or ())[i]
                span = history.span_of(i)
                if areas:
                    data = {**data, **_areas.service_facts(
                        case, plan, plan.services[j], as_of, span.until if span else None,
                        history.owed_here_from(span) if span else None,
                        history.in_effect_on_as_of(i))}
                yield Item("service", data["$path"], (i, j),
                           {**data, **shared, "iep": iep_data, "ledger": ledger})


def _areas_read(scope: str, reads: Collection[str] | None) -> bool:
    """Whether the issue-14 areas' facts of a scope are wanted: all or none of them, as
    `_area_facts` and `_areas.service_facts` compute them together."""
    return reads is None or any(name in reads for name in area_fact_names(scope))


@functools.cache
def area_fact_names(scope: str) -> frozenset[str]:
    """The names the areas' per-item facts of a scope are declared under (facts/_derived.py)."""
    return frozenset(d.name for d in AREA if d.scope == scope)


def _area_facts(history: Timeline, scope: str, record: Any, index: int,
                removals: list[dict[str, Any]]) -> dict[str, Any]:
    """The issue-14 areas' per-item facts (facts/_areas.py), declared in facts/_derived.py."""
    case, as_of = history.case, history.as_of
    if scope == "evaluation":
        return _areas.evaluation_facts(case, record, as_of)
    if scope == "iep":
        span = history.span_of(index)  # its last day in effect, as the timeline reads it
        return _areas.iep_facts(record, record.end if span is None else span.until, as_of)
    if scope == "parent_request":
        return _areas.request_facts(case, record)
    if scope == "prior_written_notice":
        return {"in_parent_language": _areas.same_language(record.language,
                                                           record.parent_language)}
    if scope == "removal":
        return dict(removals[index])
    return {}


# ---- descriptions used to check fact paths in rule files -------------------------------

@functools.cache
def _hints(cls: type) -> dict[str, Any]:
    """A record class's resolved type hints: resolving them compiles every annotation string,
    which was a third of loading the rulebook when done again for each rule."""
    return typing.get_type_hints(cls)


@functools.cache
def describe(cls: type) -> dict[str, Any]:
    """Field name -> kind ("date", "number", "string", "bool", a dict, or ListOf). Cached, as
    `scope_description`: shared, so callers read it and never change it."""
    hints = _hints(cls)
    return {f.name: _kind(hints[f.name]) for f in attrs.fields(cls)}


def _kind(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin is tuple:
        return ListOf(_kind(args[0]))
    if args and origin is not None and len(args) == 1:
        return _kind(args[0])
    if hint is dt.date:
        return FactKind.DATE
    if hint is bool:
        return FactKind.BOOL
    if hint in (int, float):
        return FactKind.NUMBER
    if isinstance(hint, type) and attrs.has(hint):
        return describe(hint)
    return FactKind.STRING  # str and the StrEnums


@functools.cache
def scope_description(scope: str) -> dict[str, Any]:
    """What a rule of this scope may name: the record's fields and the declared derived facts.
    Built once per scope (it was a sixth of parsing the rule files when built for each rule);
    the result is shared: read it, never change it."""
    cls = SCOPES[scope][0]
    desc = dict(describe(cls))
    desc.update(kinds(scope))
    student = {**describe(r.Student), STUDENT_AGE.name: STUDENT_AGE.kind}
    desc.update({"as_of": "date", "student": student, "case": kinds("case")})
    if scope == "service":
        desc["iep"] = describe(r.IEP)
        desc["ledger"] = {fact.name: fact.kind for fact in LEDGER}
    return desc
