"""Conditions as readable text, and traced evaluation: why a condition is true, false or unknown.

`trace` walks the condition tree like `_conditions.truth` (the reference meaning) but records,
for every node, its truth and the facts it read with their values and JSON paths; quantifiers
record one step per list element. It never short-circuits, so an explanation shows every
condition, including those that did not decide the outcome. A property test holds its truth
values to the compiled backend's.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
import typing
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from ..case._records import Case
from ..facts._derived import AREA, DECLARED, LEDGER, ON_FILE_PATHS, STUDENT_AGE
from ..facts._namespace import SCOPES
from . import _conditions as c

TRUTH_WORDS = {c.FALSE: "no", c.UNKNOWN: "unknown", c.TRUE: "yes"}

# Operator words as a rule file spells them -> how the condition reads aloud.
_SPOKEN = {
    "is": "is", "is_not": "is not", "in": "is one of", "not_in": "is not one of",
    "contains": "contains", "not_contains": "does not contain", "contains_any": "contains any of",
    "less_than": "is less than", "at_most": "is at most", "greater_than": "is greater than",
    "at_least": "is at least", "before": "is before", "on_or_before": "is on or before",
    "after": "is after", "on_or_after": "is on or after",
}
# Canonical operator -> words, when the spelling was not kept (conditions built in Python).
_CANONICAL = {"eq": "is", "ne": "is not", "in": "is one of", "not_in": "is not one of",
              "contains": "contains", "not_contains": "does not contain",
              "contains_any": "contains any of", "lt": "is less than", "le": "is at most",
              "gt": "is greater than", "ge": "is at least"}
_QUANTIFIER = {"some": "at least one of {of} has:", "every": "every one of {of} has:",
               "none": "none of {of} has:"}


# ---- conditions as text ------------------------------------------------------------------

def literal_text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, tuple | list):
        return "[" + ", ".join(literal_text(v) for v in value) + "]"
    return str(value)


def expr_text(expr: c.Expr, params: Mapping[str, Any] | None = None) -> str:
    """An expression as words: `date the student turns transition_age (15)`."""
    if isinstance(expr, c.Fact):
        return expr.text
    if isinstance(expr, c.Literal):
        return literal_text(expr.value)
    if isinstance(expr, c.Param):
        if params is not None and expr.name in params:
            return f"{expr.name} ({literal_text(params[expr.name])})"
        return f"parameter {expr.name}"
    if isinstance(expr, c.Call):
        a = [expr_text(x, params) for x in expr.args]
        spoken = {
            "age_on": lambda: f"the student's age on {a[0]}",
            "date_turns": lambda: f"the date the student turns {a[0]}",
            "days_between": lambda: f"days from {a[0]} to {a[1]}",
            "months_between": lambda: f"whole months from {a[0]} to {a[1]}",
            "years_between": lambda: f"whole years from {a[0]} to {a[1]}",
            "add_days": lambda: f"{a[0]} plus {a[1]} days",
            "add_months": lambda: f"{a[0]} plus {a[1]} months",
            "add_years": lambda: f"{a[0]} plus {a[1]} years",
        }
        return spoken[expr.name]()
    # Count
    if expr.where is None:
        return f"the number of {expr.of.text}"
    return f"the number of {expr.of.text} where {cond_text(expr.where, params)}"


def node_text(cond: c.Cond, params: Mapping[str, Any] | None = None) -> str:
    """One line for this node alone (its children are listed below it)."""
    if isinstance(cond, c.All):
        return "all of:"
    if isinstance(cond, c.AnyOf):
        return "any of:"
    if isinstance(cond, c.Not):
        return "not:"
    if isinstance(cond, c.Exists):
        return f"{cond.fact.text} is {'recorded' if cond.present else 'not recorded'}"
    if isinstance(cond, c.Compare):
        word = _SPOKEN.get(cond.word) or _CANONICAL[cond.op]
        return f"{expr_text(cond.left, params)} {word} {expr_text(cond.right, params)}"
    return _QUANTIFIER[cond.kind].format(of=cond.of.text)


def children(cond: c.Cond) -> tuple[c.Cond, ...]:
    if isinstance(cond, c.All | c.AnyOf):
        return cond.items
    if isinstance(cond, c.Not):
        return (cond.item,)
    if isinstance(cond, c.Quantifier):
        return (cond.where,)
    return ()


def cond_lines(cond: c.Cond, params: Mapping[str, Any] | None = None,
               indent: str = "") -> list[str]:
    """The condition as an indented outline, one node per line."""
    lines = [indent + node_text(cond, params)]
    for sub in children(cond):
        lines += cond_lines(sub, params, indent + "  ")
    return lines


def cond_text(cond: c.Cond, params: Mapping[str, Any] | None = None) -> str:
    """The condition on one line (for short conditions and `count ... where`)."""
    subs = children(cond)
    if not subs:
        return node_text(cond, params)
    inner = "; ".join(cond_text(s, params) for s in subs)
    return f"{node_text(cond, params)[:-1]} ({inner})"


def nodes(cond: c.Cond) -> list[c.Cond]:
    """Every condition node, depth first, parents before children (coverage counts these)."""
    out = [cond]
    for sub in children(cond):
        out += nodes(sub)
    return out


# ---- traced evaluation -------------------------------------------------------------------

@attrs.frozen
class Read:
    """A fact a condition read: its name in the rule, its JSON path in the case (None for
    derived facts), the value it had, and a derived fact's declared meaning."""

    fact: str
    path: str | None
    value: Any
    derived: str | None = None


@attrs.frozen
class Step:
    """One condition node evaluated: what it says, its truth, what it read, its sub-steps.
    `node` is the position of the condition in `nodes(rule.when)`; `element` names the list
    element a quantifier step is about (its JSON path)."""

    node: int
    text: str
    truth: int
    reads: tuple[Read, ...] = ()
    steps: tuple[Step, ...] = ()
    element: str = ""


def path_of(ns: Mapping[str, Any], name: str) -> str | None:
    """The JSON path a fact name reads in the case, or None for a derived fact: only a field
    the case format has carries a path (record_field_at), so every path names a place in the
    file (a derived fact such as an IEP's `in_effect_until` is not one)."""
    if name in ON_FILE_PATHS:
        return ON_FILE_PATHS[name]  # `case.meetings_on_file` says whether $.meetings is recorded
    if name.startswith("$"):
        return name if record_field_at(name) else None
    parts = name.split(".")
    if parts[0] in ("as_of", "case", "ledger"):
        return None  # derived from the whole case, not read from one place in it
    holder: Any = ns
    for part in parts[:-1]:
        holder = holder.get(part) if isinstance(holder, Mapping) else None
    if isinstance(holder, Mapping) and holder.get("$path"):
        path = f"{holder['$path']}.{parts[-1]}"
        return path if record_field_at(path) else None
    return None


_STEP = re.compile(r"\.([A-Za-z_]\w*)|\[(\d+)\]")


@functools.cache
def _fields_at(shape: str) -> frozenset[str] | None:
    """The field names of the record at a JSON path with its indices dropped (`$.ieps[].esy`),
    or None when the path leads to no record of the case format."""
    cls: Any = Case
    for key, _index in _STEP.findall(shape[1:]):
        if not key:
            continue
        if not attrs.has(cls) or key not in attrs.fields_dict(cls):
            return None
        cls = _record_class(typing.get_type_hints(cls)[key])
    return frozenset(attrs.fields_dict(cls)) if cls is not None and attrs.has(cls) else None


def _record_class(hint: Any) -> Any:
    """The record class a field holds (itself, optional, or a tuple of them), else None."""
    if attrs.has(hint):
        return hint
    for arg in typing.get_args(hint):
        found = _record_class(arg) if arg is not type(None) and arg is not Ellipsis else None
        if found is not None:
            return found
    return None


def record_field_at(path: str) -> bool:
    """Whether a JSON path (`$.ieps[1].end`) names a field of the case format: a place in the
    case file, recorded or not."""
    if not path.startswith("$."):
        return False
    parent, _, field = path.rpartition(".")
    if "[" in field:
        field = field[:field.index("[")]
    fields = _fields_at(re.sub(r"\[\d+\]", "[]", parent))
    return fields is not None and field in fields


_SCOPE_OF_LIST = {"services": "service", **{attr: scope for scope, (_, attr) in SCOPES.items()
                                            if attr is not None}}


@functools.cache
def _meanings() -> dict[tuple[str, str], str]:
    """(scope, fact name) -> the declared meaning of every derived fact (facts/_derived.py);
    the ledger's facts under the scope `ledger`, the student's age under `student`."""
    out = {(d.scope, d.name): d.meaning for d in [*DECLARED, *AREA, STUDENT_AGE]}
    out.update({("ledger", d.name): d.meaning for d in LEDGER})
    return out


def derived_meaning(ns: Mapping[str, Any], name: str) -> str | None:
    """What a derived fact means, as declared (`the last day this IEP was in effect`), or None
    for a fact read from the file."""
    if name in ON_FILE_PATHS:
        return None  # how many records a list on file holds: read with that list's path
    parts = name.split(".")
    if len(parts) == 2 and parts[0] in ("case", "student", "ledger"):
        return _meanings().get((parts[0], parts[1]))
    if len(parts) != 1:
        return None
    lists = re.findall(r"\.([a-z_]+)\[\d+\]", str(ns.get("$path") or ""))
    scope = _SCOPE_OF_LIST.get(lists[-1]) if lists else "case"
    return _meanings().get((scope or "", name))


class _Tracer:
    def __init__(self, root: c.Cond, ctx: c.Context) -> None:
        self.ctx = ctx
        self.index = {id(node): i for i, node in enumerate(nodes(root))}

    def value(self, expr: c.Expr, ns: Mapping[str, Any], reads: list[Read]) -> Any:
        def record(name: str, value: Any, _presence_only: bool) -> None:
            read = Read(name, path_of(ns, name), value, derived_meaning(ns, name))
            if read not in reads:
                reads.append(read)

        return c.value_of(expr, ns, self.ctx, record)

    def step(self, cond: c.Cond, ns: Mapping[str, Any]) -> Step:
        node = self.index[id(cond)]
        text = node_text(cond, self.ctx.params)
        if isinstance(cond, c.All | c.AnyOf):
            subs = tuple(self.step(s, ns) for s in cond.items)
            fold = min if isinstance(cond, c.All) else max
            return Step(node, text, fold(s.truth for s in subs), steps=subs)
        if isinstance(cond, c.Not):
            sub = self.step(cond.item, ns)
            return Step(node, text, c.TRUE - sub.truth, steps=(sub,))
        reads: list[Read] = []
        if isinstance(cond, c.Compare):
            left = self.value(cond.left, ns, reads)
            right = self.value(cond.right, ns, reads)
            truth = c.UNKNOWN if left is None or right is None else c.compare(cond.op, left,
                                                                               right)
            return Step(node, text, truth, tuple(reads))
        if isinstance(cond, c.Exists):
            value = c.lookup(ns, cond.fact.path)
            reads.append(Read(cond.fact.text, path_of(ns, cond.fact.text), value,
                              derived_meaning(ns, cond.fact.text)))
            return Step(node, text, c.TRUE if (value is not None) == cond.present else c.FALSE,
                        tuple(reads))
        # Quantifier: one sub-step per element, named by the element's JSON path.
        items = self.value(cond.of, ns, reads)
        if items is None:
            return Step(node, text, c.UNKNOWN, tuple(reads))
        elements: list[Step] = []
        for i, item in enumerate(items):
            scoped = c._scoped(item, ns)
            where = self.step(cond.where, scoped)
            base = item.get("$path") if isinstance(item, Mapping) else None
            label = base or f"{cond.of.text}[{i}] = {literal_text(item)}"
            elements.append(attrs.evolve(where, element=label))
        some = max((s.truth for s in elements), default=c.FALSE)
        if cond.kind == "some":
            truth = some
        elif cond.kind == "none":
            truth = c.TRUE - some
        else:
            truth = min((s.truth for s in elements), default=c.TRUE)
        return Step(node, text, truth, tuple(reads), tuple(elements))


def trace(cond: c.Cond, ns: Mapping[str, Any], ctx: c.Context) -> Step:
    """Evaluate `cond` on one item, recording every node's truth and the facts it read."""
    return _Tracer(cond, ctx).step(cond, ns)


def visited(step: Step) -> list[tuple[int, int]]:
    """(node position, truth) for every step in the trace, elements included."""
    out = [(step.node, step.truth)]
    for sub in step.steps:
        out += visited(sub)
    return out


def format_read(read: Read, params: Sequence[str] = ()) -> str:
    where = f" ({read.path})" if read.path and read.path != read.fact else ""
    if read.derived:
        where = f" (derived: {read.derived.split(': ')[0].split('; ')[0]})"
    shown = "not recorded" if read.value is None else _value_text(read.value)
    return f"{read.fact}{where} = {shown}"


def _value_text(value: Any) -> str:
    if isinstance(value, Mapping):
        return f"record {value.get('$path') or ''}".strip()
    if isinstance(value, tuple | list):
        if value and isinstance(value[0], Mapping):
            return f"{len(value)} record(s)"
        return literal_text(tuple(value))
    return literal_text(value)


def step_lines(step: Step, indent: str = "") -> list[str]:
    """A trace as text: `[yes] condition`, then `read fact (path) = value`, then sub-steps."""
    head = f"{indent}[{TRUTH_WORDS[step.truth]}] "
    if step.element:
        head += f"{step.element}: "
    lines = [head + step.text]
    lines += [f"{indent}      read {format_read(r)}" for r in step.reads]
    for sub in step.steps:
        lines += step_lines(sub, indent + "  ")
    return lines
