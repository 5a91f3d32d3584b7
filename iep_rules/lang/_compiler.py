"""Compile a jurisdiction's rules into one generated Python function per scope.

Generating straight-line code is what makes the default backend fast (no tree walk, no closure
per node). It is safe because no rule-file text ever enters the generated source: literals, fact
names and parameter names are passed in as constants (`_k0`, `_k1`, ...), list quantifiers and
date functions call prebuilt helpers (`_f0`, ...), and operators come from a fixed table. The
source is built only from this module's own templates, then compiled once per rulebook.
"""

from __future__ import annotations

import itertools
import linecache
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from . import _conditions as c
from ._model import Rule

ScopeFn = Callable[[Mapping[str, Any], Mapping[str, Any], c.Context], list[tuple[int, int]]]

_OPS = {
    "eq": "{a} == {b}", "ne": "{a} != {b}", "lt": "{a} < {b}", "le": "{a} <= {b}",
    "gt": "{a} > {b}", "ge": "{a} >= {b}", "in": "{a} in {b}", "not_in": "{a} not in {b}",
    "contains": "{b} in {a}", "not_contains": "{b} not in {a}",
    "contains_any": "_contains_any({a}, {b})",
}


def _contains_any(left: Sequence[Any], right: Sequence[Any]) -> bool:
    return any(item in left for item in right)


class _Gen:
    def __init__(self) -> None:
        self.env: dict[str, Any] = {"_contains_any": _contains_any, "__builtins__": {
            "min": min, "max": max, "len": len}}
        self.counter = 0

    def const(self, value: Any) -> str:
        name = f"_k{len(self.env)}"
        self.env[name] = value
        return name

    def helper(self, fn: Callable[..., Any]) -> str:
        name = f"_f{len(self.env)}"
        self.env[name] = fn
        return name

    def temp(self) -> str:
        self.counter += 1
        return f"_t{self.counter}"

    def value(self, expr: c.Expr) -> str:
        if isinstance(expr, c.Literal):
            return self.const(expr.value)
        if isinstance(expr, c.Param):
            return f"P[{self.const(expr.name)}]"
        if isinstance(expr, c.Fact):
            code = f"ns.get({self.const(expr.path[0])})"
            for key in expr.path[1:]:
                t = self.temp()
                code = f"(None if ({t} := {code}) is None else {t}.get({self.const(key)}))"
            return code
        if isinstance(expr, c.Call):
            # Arguments inline; the function body is the reference implementation itself.
            names = [self.temp() for _ in expr.args]
            impl = self.helper(c.FUNCTION_IMPLS[expr.name])
            unknown = " or ".join(f"({n} := {self.value(a)}) is None"
                                  for n, a in zip(names, expr.args, strict=True))
            return f"(None if {unknown} else {impl}(({', '.join(names)},), ctx.student_dob))"
        if isinstance(expr, c.Count) and expr.where is None:
            t = self.temp()
            return f"(None if ({t} := {self.value(expr.of)}) is None else len({t}))"
        # Counts with a `where` are rarer: reuse the reference evaluator for them.
        node = expr
        return f"{self.helper(lambda ns, ctx: c.value_of(node, ns, ctx, None))}(ns, ctx)"

    def truth(self, cond: c.Cond) -> str:
        if isinstance(cond, c.All | c.AnyOf):
            stop = "0" if isinstance(cond, c.All) else "2"
            names = [self.temp() for _ in cond.items]
            fold = "min" if isinstance(cond, c.All) else "max"
            unit = "2" if isinstance(cond, c.All) else "0"  # min/max of one int needs a partner
            code = f"{fold}({', '.join(names)}, {unit})"
            for name, sub in reversed(list(zip(names, cond.items, strict=True))):
                code = f"({stop} if ({name} := {self.truth(sub)}) == {stop} else {code})"
            return code
        if isinstance(cond, c.Not):
            return f"(2 - {self.truth(cond.item)})"
        if isinstance(cond, c.Exists):
            test = "is not None" if cond.present else "is None"
            return f"(2 if {self.value(cond.fact)} {test} else 0)"
        if isinstance(cond, c.Compare):
            a, b = self.temp(), self.temp()
            op = _OPS[cond.op].format(a=a, b=b)
            return (f"(1 if ({a} := {self.value(cond.left)}) is None or "
                    f"({b} := {self.value(cond.right)}) is None else (2 if {op} else 0))")
        node = cond
        return f"{self.helper(lambda ns, ctx: c.truth(node, ns, ctx, None))}(ns, ctx)"


_COMPILED = itertools.count(1)


def _register_source(label: str, source: str) -> str:
    """A file name of its own for one generated program, with its source in `linecache` (as
    attrs does for its generated methods): a traceback through generated code then shows the
    generated line instead of nothing. mtime None keeps `linecache.checkcache` from dropping it."""
    filename = f"<iep-rules generated {label} #{next(_COMPILED)}>"
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    return filename


MAX_NESTING = 150


def _reference(cond: c.Cond) -> Callable[[Mapping[str, Any], c.Context], int]:
    return lambda ns, ctx: c.truth(cond, ns, ctx, None)


def _nesting(code: str) -> int:
    """Deepest parenthesis nesting of generated code (it holds no string literals)."""
    depth = deepest = 0
    for ch in code:
        if ch in "([":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in ")]":
            depth -= 1
    return deepest


def _within_limit(gen: _Gen, code: str, reference: Callable[..., Any]) -> str:
    """`code`, or a call of `reference(ns, ctx)` where CPython would refuse the code: it
    refuses source nested past 200 parentheses ("too many nested parentheses"), so a very
    large group runs on the reference evaluator instead."""
    if _nesting(code) > MAX_NESTING:
        return f"{gen.helper(reference)}(ns, ctx)"
    return code


def compile_scope(rules: Sequence[Rule], label: str = "scope") -> tuple[ScopeFn, str]:
    """One function evaluating every rule of a scope: returns [(rule index, truth)] for
    truth TRUE or UNKNOWN. Also returns the generated source, for inspection and tests.
    `label` (the scope's name) goes into the generated file name shown in tracebacks."""
    gen = _Gen()
    lines = ["def run(ns, P, ctx):", "    out = []"]
    for index, rule in enumerate(rules):
        code = _within_limit(gen, gen.truth(rule.when), _reference(rule.when))
        lines.append(f"    t = {code}")
        lines.append(f"    if t: out.append(({index}, t))")
    lines.append("    return out")
    fn: ScopeFn
    fn, source = _load(gen, lines, label)
    return fn, source


def _load(gen: _Gen, lines: list[str], label: str) -> tuple[Any, str]:
    """The function `run` that generated `lines` define, and their source."""
    source = "\n".join(lines) + "\n"
    namespace = dict(gen.env)
    # The source is this module's own template text with generated names only (see docstring).
    exec(compile(source, _register_source(label, source), "exec"), namespace)
    return namespace["run"], source


ReadFn = Callable[[Mapping[str, Any], Mapping[str, Any], c.Context], list[Any]]


def _reference_value(expr: c.Expr) -> Callable[[Mapping[str, Any], c.Context], Any]:
    return lambda ns, ctx: c.value_of(expr, ns, ctx, None)


def compile_reads(exprs: Sequence[c.Expr], conds: Sequence[c.Cond],
                  label: str = "reads") -> tuple[ReadFn, str]:
    """One function returning, for one item's namespace, the value of each of `exprs` (None
    when unknown) followed by the truth of each of `conds`: what the durable-rules backend
    puts in an item's fact. The same code generation as `compile_scope` (so both backends
    compute a value the same way), under the same rule: no rule-file text in the source."""
    gen = _Gen()
    parts = [_within_limit(gen, gen.value(expr), _reference_value(expr)) for expr in exprs]
    parts += [_within_limit(gen, gen.truth(cond), _reference(cond)) for cond in conds]
    lines = ["def run(ns, P, ctx):", "    return ["]
    lines += [f"        {code}," for code in parts]
    lines.append("    ]")
    fn: ReadFn
    fn, source = _load(gen, lines, label)
    return fn, source
