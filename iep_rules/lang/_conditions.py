"""The condition language: a small typed AST parsed from rule-file data, and its meaning.

Truth is three-valued, encoded as ints so both backends share it: FALSE=0, UNKNOWN=1, TRUE=2
(Kleene: `all` is min, `any` is max, `not` is 2-x). A comparison that reads a missing fact is
UNKNOWN, which the engine reports as a needs-data finding instead of passing or failing.

`evaluate` here is the reference meaning; `compiler.py` generates faster code that must agree,
and a property test holds them to it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeAlias

import attrs
from dateutil.relativedelta import relativedelta

from .._vocab import Truth
from ..facts._age import age_on, date_turns

# Plain ints (the generated code and the Rete backend compare them); the type is _vocab.Truth.
FALSE, UNKNOWN, TRUE = int(Truth.FALSE), int(Truth.UNKNOWN), int(Truth.TRUE)

Scalar: TypeAlias = str | int | float | bool | dt.date
Value: TypeAlias = Any  # a fact value: scalar, tuple, mapping or None


# ---- expressions -------------------------------------------------------------------------

@attrs.frozen
class Fact:
    path: tuple[str, ...]

    @property
    def text(self) -> str:
        return ".".join(self.path)


@attrs.frozen
class Param:
    name: str


@attrs.frozen
class Literal:
    value: Scalar | tuple[Scalar, ...]


@attrs.frozen
class Call:
    """A whitelisted function: see FUNCTIONS for names and arities."""

    name: str
    args: tuple[Expr, ...]


@attrs.frozen
class Count:
    of: Fact
    where: Cond | None


Expr: TypeAlias = Fact | Param | Literal | Call | Count


# ---- conditions --------------------------------------------------------------------------

@attrs.frozen
class All:
    items: tuple[Cond, ...]


@attrs.frozen
class AnyOf:
    items: tuple[Cond, ...]


@attrs.frozen
class Not:
    item: Cond


@attrs.frozen
class Compare:
    left: Expr
    op: str
    right: Expr
    # The operator as the rule file spells it (before, at_least, ...), for readable text only.
    word: str = attrs.field(default="", eq=False)


@attrs.frozen
class Exists:
    fact: Fact
    present: bool  # True for `exists:`, False for `missing:`


@attrs.frozen
class Quantifier:
    kind: str  # some | every | none
    of: Fact
    where: Cond


Cond: TypeAlias = All | AnyOf | Not | Compare | Exists | Quantifier

# Operator spelling in rule files -> canonical operator.
OPERATORS: dict[str, str] = {
    "is": "eq", "is_not": "ne", "in": "in", "not_in": "not_in",
    "contains": "contains", "not_contains": "not_contains", "contains_any": "contains_any",
    "less_than": "lt", "at_most": "le", "greater_than": "gt", "at_least": "ge",
    "before": "lt", "on_or_before": "le", "after": "gt", "on_or_after": "ge",
}

FUNCTIONS: dict[str, int] = {
    "age_on": 1, "date_turns": 1, "days_between": 2, "months_between": 2, "years_between": 2,
    "add_days": 2, "add_months": 2, "add_years": 2,
}


# ---- meaning -----------------------------------------------------------------------------

def _months(a: dt.date, b: dt.date) -> int:
    delta = relativedelta(b, a)
    return delta.years * 12 + delta.months


def _date_turns(years: Any, dob: dt.date | None) -> Value:
    return None if dob is None else date_turns(dob, int(years))


def _age_on(day: Any, dob: dt.date | None) -> Value:
    return None if dob is None else age_on(dob, day)


# name -> implementation(args, student date of birth); arguments are never None here.
FUNCTION_IMPLS: dict[str, Callable[[Sequence[Any], dt.date | None], Value]] = {
    "age_on": lambda a, dob: _age_on(a[0], dob),
    "date_turns": lambda a, dob: _date_turns(a[0], dob),
    "days_between": lambda a, _: (a[1] - a[0]).days,
    "months_between": lambda a, _: _months(a[0], a[1]),
    "years_between": lambda a, _: relativedelta(a[1], a[0]).years,
    "add_days": lambda a, _: a[0] + dt.timedelta(days=int(a[1])),
    "add_months": lambda a, _: a[0] + relativedelta(months=int(a[1])),
    "add_years": lambda a, _: a[0] + relativedelta(years=int(a[1])),
}


def _saturating(impl: Callable[[Sequence[Any], dt.date | None], Value],
                ) -> Callable[[Sequence[Any], dt.date | None], Value]:
    """Date arithmetic that stops at the ends of the calendar instead of raising: a date
    pushed past 9999-12-31 (a huge parameter, a birth date near the end of the calendar)
    is later than every recorded date, which is what a comparison needs to know."""

    def run(args: Sequence[Any], dob: dt.date | None) -> Value:
        try:
            return impl(args, dob)
        except (OverflowError, ValueError):
            amount = args[-1] if len(args) > 1 else args[0]
            return dt.date.min if isinstance(amount, int | float) and amount < 0 else dt.date.max

    return run


for _name in ("date_turns", "add_days", "add_months", "add_years"):
    FUNCTION_IMPLS[_name] = _saturating(FUNCTION_IMPLS[_name])


def apply_function(name: str, args: Sequence[Value], student_dob: dt.date | None) -> Value:
    """Apply a whitelisted function; None in, None out (unknown propagates)."""
    if any(a is None for a in args):
        return None
    return FUNCTION_IMPLS[name](args, student_dob)


def compare(op: str, left: Value, right: Value) -> int:
    """Two-valued comparison of known values, as FALSE/TRUE."""
    if op == "eq":
        result = left == right
    elif op == "ne":
        result = left != right
    elif op == "in":
        result = left in right
    elif op == "not_in":
        result = left not in right
    elif op == "contains":
        result = right in left
    elif op == "not_contains":
        result = right not in left
    elif op == "contains_any":
        result = any(item in left for item in right)
    elif op == "lt":
        result = left < right
    elif op == "le":
        result = left <= right
    elif op == "gt":
        result = left > right
    else:  # "ge"
        result = left >= right
    return TRUE if result else FALSE


def lookup(ns: Mapping[str, Value], path: Sequence[str]) -> Value:
    """Follow a dotted path through nested mappings; None when any step is unrecorded."""
    value: Value = ns
    for key in path:
        # a plain dict (most steps) is a Mapping, known without the slower ABC check
        if type(value) is not dict and not isinstance(value, Mapping):
            return None
        value = value.get(key)
    return value


# trace(fact name, value, presence_only): presence_only is True when the fact was only tested
# with exists:/missing:, so its absence is an answer, not a gap in the record.
Trace = Callable[[str, Value, bool], None]


@attrs.frozen
class Context:
    """What an evaluation reads besides the item: parameter values and the student's birth date."""

    params: Mapping[str, Value]
    student_dob: dt.date | None


def value_of(expr: Expr, ns: Mapping[str, Value], ctx: Context, trace: Trace | None) -> Value:
    if isinstance(expr, Fact):
        value = lookup(ns, expr.path)
        if trace is not None:
            trace(expr.text, value, False)
        return value
    if isinstance(expr, Literal):
        return expr.value
    if isinstance(expr, Param):
        return ctx.params[expr.name]
    if isinstance(expr, Call):
        args = [value_of(a, ns, ctx, trace) for a in expr.args]
        if expr.name in ("age_on", "date_turns") and trace is not None:
            trace("student.date_of_birth", ctx.student_dob, False)
        return apply_function(expr.name, args, ctx.student_dob)
    # Count
    items = value_of(expr.of, ns, ctx, trace)
    if items is None:
        return None
    if expr.where is None:
        return len(items)
    results = _each(expr.where, items, ns, ctx, trace)
    if UNKNOWN in results:
        return None
    return results.count(TRUE)


def _each(cond: Cond, items: Sequence[Value], ns: Mapping[str, Value], ctx: Context,
          trace: Trace | None) -> list[int]:
    """Truth of `cond` for each list element. When tracing, facts read on an element are
    reported by the element's JSON path (e.g. $.ieps[0].goals[1].measurable)."""
    out = []
    for item in items:
        inner = None
        if trace is not None:
            inner = _element_trace(item, trace)
        out.append(truth(cond, _scoped(item, ns), ctx, inner))
    return out


def _element_trace(item: Value, trace: Trace) -> Trace:
    base = item.get("$path") if isinstance(item, Mapping) else None

    def inner(name: str, value: Value, presence_only: bool) -> None:
        head = name.split(".")[0]
        if base and isinstance(item, Mapping) and head in item:
            name = f"{base}.{name}"
        trace(name, value, presence_only)

    return inner


class _Scoped(Mapping[str, Value]):
    """The element's names over the enclosing item's, without copying either (the enclosing
    namespace can be a whole case, converted only where read)."""

    __slots__ = ("_inner", "_outer")

    def __init__(self, inner: Mapping[str, Value], outer: Mapping[str, Value]) -> None:
        self._inner, self._outer = inner, outer

    def get(self, key: str, default: Value = None) -> Value:
        if key in self._inner:
            return self._inner[key]
        return self._outer.get(key, default)

    def __getitem__(self, key: str) -> Value:
        return self._inner[key] if key in self._inner else self._outer[key]

    def __iter__(self) -> Iterator[str]:
        return iter(dict.fromkeys([*self._outer, *self._inner]))

    def __len__(self) -> int:
        return len(dict.fromkeys([*self._outer, *self._inner]))


def _scoped(item: Value, outer: Mapping[str, Value]) -> Mapping[str, Value]:
    """Inside `where`, names resolve on the list element first, then on the enclosing item."""
    if isinstance(item, Mapping):
        return _Scoped(item, outer)
    return _Scoped({"item": item}, outer)


def truth(cond: Cond, ns: Mapping[str, Value], ctx: Context, trace: Trace | None) -> int:
    """The three-valued truth of `cond` for one item's namespace."""
    if isinstance(cond, All):
        result = TRUE
        for sub in cond.items:
            result = min(result, truth(sub, ns, ctx, trace))
            if result == FALSE and trace is None:
                return FALSE
        return result
    if isinstance(cond, AnyOf):
        result = FALSE
        for sub in cond.items:
            result = max(result, truth(sub, ns, ctx, trace))
            if result == TRUE and trace is None:
                return TRUE
        return result
    if isinstance(cond, Not):
        return TRUE - truth(cond.item, ns, ctx, trace)
    if isinstance(cond, Compare):
        left = value_of(cond.left, ns, ctx, trace)
        right = value_of(cond.right, ns, ctx, trace)
        if left is None or right is None:
            return UNKNOWN
        return compare(cond.op, left, right)
    if isinstance(cond, Exists):
        value = value_of(cond.fact, ns, ctx, None)
        if trace is not None:
            trace(cond.fact.text, value, True)
        return TRUE if (value is not None) == cond.present else FALSE
    # Quantifier
    items = value_of(cond.of, ns, ctx, trace)
    if items is None:
        return UNKNOWN
    results = _each(cond.where, items, ns, ctx, trace)
    some = max(results, default=FALSE)
    if cond.kind == "some":
        return some
    if cond.kind == "none":
        return TRUE - some
    return min(results, default=TRUE)  # every


# One read of a traced walk: a fact of the item (its name, its path, presence only), or a
# node whose reads depend on the data (a list quantifier, a count with `where`), walked again.
TraceStep: TypeAlias = tuple[str, tuple[str, ...] | None, bool] | Quantifier | Count
_DOB: tuple[str, ...] | None = None  # the path of a step reading the student's birth date


def trace_steps(cond: Cond) -> tuple[TraceStep, ...]:
    """The reads `truth(cond, ns, ctx, trace)` reports, in its order, worked out once per rule:
    replaying them (`replay`) reports the same names, values and presence flags without
    walking the tree again or evaluating any comparison."""
    steps: list[TraceStep] = []

    def value(expr: Expr) -> None:
        if isinstance(expr, Fact):
            steps.append((expr.text, expr.path, False))
        elif isinstance(expr, Call):
            for arg in expr.args:
                value(arg)
            if expr.name in ("age_on", "date_turns"):
                steps.append(("student.date_of_birth", _DOB, False))
        elif isinstance(expr, Count):
            if expr.where is None:
                value(expr.of)
            else:
                steps.append(expr)

    def walk(node: Cond) -> None:
        if isinstance(node, All | AnyOf):
            for sub in node.items:
                walk(sub)
        elif isinstance(node, Not):
            walk(node.item)
        elif isinstance(node, Compare):
            value(node.left)
            value(node.right)
        elif isinstance(node, Exists):
            steps.append((node.fact.text, node.fact.path, True))
        else:  # Quantifier
            steps.append(node)

    walk(cond)
    return tuple(steps)


def replay(steps: Sequence[TraceStep], ns: Mapping[str, Value], ctx: Context,
           trace: Trace) -> None:
    """Report to `trace` what a traced walk of the condition `steps` came from would."""
    for step in steps:
        if isinstance(step, tuple):
            name, path, presence_only = step
            trace(name, ctx.student_dob if path is None else lookup(ns, path), presence_only)
        elif isinstance(step, Count):
            value_of(step, ns, ctx, trace)
        else:
            truth(step, ns, ctx, trace)


def facts_read(cond: Cond | Expr, *, inside_lists: bool = False) -> list[Fact]:
    """Every fact a condition names outside list quantifiers (with `inside_lists`, inside them
    too: the `where` of a quantifier or count), in order, without repeats."""
    found: list[Fact] = []

    def walk(node: object) -> None:
        if isinstance(node, Fact):
            if node not in found:
                found.append(node)
        elif isinstance(node, All | AnyOf):
            for sub in node.items:
                walk(sub)
        elif isinstance(node, Not):
            walk(node.item)
        elif isinstance(node, Compare):
            walk(node.left)
            walk(node.right)
        elif isinstance(node, Exists):
            walk(node.fact)
        elif isinstance(node, Quantifier | Count):
            walk(node.of)
            if inside_lists and node.where is not None:
                walk(node.where)
        elif isinstance(node, Call):
            for arg in node.args:
                walk(arg)

    walk(cond)
    return found
