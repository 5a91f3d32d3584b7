"""The durable-rules (Rete) backend: the same condition tree, matched by durable-rules' C engine.

How the wrapper keeps durable-rules safe to embed (measured traps in shared DURABLE_RULES.md):
- No `durable.lang`: its module-level registries would leak. Rulesets are built as JSON
  definitions and registered on a private Host whose dispatch threads are never started (they
  race with `delete_state`). Each backend object owns its host and uniquely named rulesets.
- Three-valued logic: for each rule two Rete rules are generated, TRUE(cond) and UNKNOWN(cond),
  written over explicit `k<n>` "known" flags. Missing fields and `$nex` are never used: a missing
  field silently makes a test false, and `$nex` was seen to hang the engine here.
- Values are flattened into one fact per item: operand `o<n>` (dates as ordinals) with `k<n>`;
  list operations and quantifiers, which Rete cannot express three-valued, arrive as
  precomputed atoms `a<n>` in {0, 1, 2}.
- Nested all/any inside all/any made the engine refuse the ruleset (error 113, seen here), so
  Rete matches the top-level all/any over comparisons and nested groups arrive as atoms.
- A sentinel rule per ruleset matches every fact (unmatched facts crash `delete_state`).
- `$or` fires once per true branch: firings are de-duplicated per (rule, item, truth).
- Rulesets hold at most RULES_PER_RULESET rules (the engine fails above ~100) and facts at most
  FIELDS_PER_FACT fields (~254 max); large rulebooks are split across rulesets.
- Facts, not events (events are consumed by the first match); one session per case, deleted
  after it (about 1024 live sessions per ruleset is the ceiling); one-argument actions only.
"""

from __future__ import annotations

import datetime as dt
import itertools
import math
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .._errors import EvaluationError
from ..facts._namespace import Item
from ..lang import _conditions as c
from ..lang._model import Rule

RULES_PER_RULESET = 80  # durable rules (two per library rule, plus the sentinel)
FIELDS_PER_FACT = 200
# durable-rules expands each condition to disjunctive normal form; a 7-way `all` of
# comparisons (896 terms in its UNKNOWN condition) failed with error 113, 6-way (384) worked.
# A rule whose TRUE or UNKNOWN condition would exceed this many terms is matched as one
# precomputed atom instead.
MAX_DNF_TERMS = 256
# Numbers reach the C core as 64-bit values; anything beyond +/-2**53 is clamped to +/-2**53,
# which keeps every comparison with a rule-file number (at most 2**53 - 1, checked at load)
# and with 0 (the sign of a difference) exactly as Python decides it.
CLAMP = 2**53
SMALLEST_FLOAT = 0.001  # the smallest non-zero size of a rule-file number (lang/_yaml.py)

Json = dict[str, Any]
TRUE_C: Json = {"$gte": {"iid": 0}}  # always true: every fact has iid >= 0


def _join(op: str, parts: list[Json | bool]) -> Json | bool:
    """$and / $or of conditions, folding the constants True and False away."""
    absorbing = op == "$or"  # True absorbs an $or, False absorbs an $and
    if any(p is absorbing for p in parts):
        return absorbing
    kept = [p for p in parts if p is not (not absorbing)]
    if not kept:
        return not absorbing
    return kept[0] if len(kept) == 1 else {op: kept}


def _and(parts: list[Json | bool]) -> Json | bool:
    return _join("$and", parts)


def _or(parts: list[Json | bool]) -> Json | bool:
    return _join("$or", parts)


_FLIP = {"eq": "ne", "ne": "eq", "lt": "ge", "ge": "lt", "gt": "le", "le": "gt"}
_DOP = {"ne": "$neq", "lt": "$lt", "le": "$lte", "gt": "$gt", "ge": "$gte"}


def _durable_literal(value: Any) -> Any:
    return value.toordinal() if isinstance(value, dt.date) else value


def _fact_value(value: Any) -> Any:
    """A value as the C core may receive it, or None when it must stay out of the fact
    (lists and records: rules only test their presence, through the known-flag)."""
    if isinstance(value, bool | str):
        return value
    if isinstance(value, dt.date):
        return value.toordinal()
    if isinstance(value, int):
        return max(-CLAMP, min(CLAMP, value))
    if isinstance(value, float):
        # The C core's JSON reader refuses exponents in rules (error 204) and crashed the
        # process on one in a fact ("1e-300"): only exponent-free floats reach it. Rule-file
        # numbers are 0 or at least 0.001 in size (checked at load), so a smaller value keeps
        # its order against all of them as +/-0.0005.
        if not math.isfinite(value):
            raise EvaluationError("durable-rules cannot compare NaN or infinite numbers")
        if abs(value) >= CLAMP:
            return CLAMP if value > 0 else -CLAMP
        if value.is_integer():
            return int(value)
        if abs(value) < SMALLEST_FLOAT:
            return math.copysign(SMALLEST_FLOAT / 2, value)
        return value
    return None


def _dnf_terms(cond: Json | bool) -> int:
    """How many conjunctions durable-rules' expansion of `cond` to DNF would produce."""
    if not isinstance(cond, dict) or len(cond) != 1:
        return 1
    (key, body), = cond.items()
    if key == "$or":
        return sum((_dnf_terms(x) for x in body), 0)
    if key == "$and":
        return math.prod((_dnf_terms(x) for x in body), start=1)
    return 1


class _Diff:
    """Operand `left - right` (dates as ordinals): Rete compares it with 0."""

    def __init__(self, left: c.Expr, right: c.Expr) -> None:
        self.left, self.right = left, right

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Diff) and (self.left, self.right) == (other.left, other.right)

    def __hash__(self) -> int:
        return hash((self.left, self.right))


class _Flattener:
    """Assigns fact fields to the operands and atoms of one ruleset's conditions."""

    def __init__(self) -> None:
        self.operands: list[c.Expr | _Diff] = []
        self.atoms: list[c.Cond] = []

    def operand(self, expr: c.Expr | _Diff) -> int:
        if expr not in self.operands:
            self.operands.append(expr)
        return self.operands.index(expr)

    def atom(self, cond: c.Cond) -> int:
        if cond not in self.atoms:
            self.atoms.append(cond)
        return self.atoms.index(cond)

    def field_count(self) -> int:
        return 2 * len(self.operands) + len(self.atoms) + 2

    def cmp(self, op: str, left: c.Expr, right: c.Expr) -> Json | bool:
        if isinstance(left, c.Literal):  # put the literal on the right
            left, right = right, left
            op = {"lt": "gt", "gt": "lt", "le": "ge", "ge": "le"}.get(op, op)
        rhs: Any = 0
        if isinstance(right, c.Literal):
            li = self.operand(left)
            rhs = _durable_literal(right.value)
        else:
            # Rete compares a field with a constant reliably, but a comparison between two
            # fields of one fact ({"m": "o2"}) matched every time here: compare the difference.
            li = self.operand(_Diff(left, right))
        test = {f"o{li}": rhs} if op == "eq" else {_DOP[op]: {f"o{li}": rhs}}
        return _and([{f"k{li}": True}, test])

    def unknown_cmp(self, left: c.Expr, right: c.Expr) -> Json | bool:
        if isinstance(left, c.Literal):
            left, right = right, left
        key = left if isinstance(right, c.Literal) else _Diff(left, right)
        return {f"k{self.operand(key)}": False}

    def tri(self, cond: c.Cond, depth: int = 0) -> tuple[Json | bool, Json | bool, Json | bool]:
        """(TRUE, FALSE, UNKNOWN) conditions for `cond`, each without negation."""
        if isinstance(cond, c.Not):
            t, f, u = self.tri(cond.item, depth)
            return f, t, u
        if isinstance(cond, c.All | c.AnyOf) and depth == 0:
            probe = _Flattener()  # try it first: a group too large for Rete becomes an atom
            parts = [probe.tri(sub, depth + 1) for sub in cond.items]
            ts, fs, us = ([p[i] for p in parts] for i in range(3))
            if isinstance(cond, c.All):
                tri = (_and(ts), _or(fs), _and([*(_or([t, u]) for t, _, u in parts), _or(us)]))
            else:
                tri = (_or(ts), _and(fs), _and([*(_or([f, u]) for _, f, u in parts), _or(us)]))
            if all(_dnf_terms(x) <= MAX_DNF_TERMS for x in tri):
                parts = [self.tri(sub, depth + 1) for sub in cond.items]
                ts, fs, us = ([p[i] for p in parts] for i in range(3))
                if isinstance(cond, c.All):
                    return (_and(ts), _or(fs),
                            _and([*(_or([t, u]) for t, _, u in parts), _or(us)]))
                return (_or(ts), _and(fs),
                        _and([*(_or([f, u]) for _, f, u in parts), _or(us)]))
        if isinstance(cond, c.Exists):
            k = self.operand(cond.fact)
            return {f"k{k}": cond.present}, {f"k{k}": not cond.present}, False
        both_facts = not isinstance(cond, c.Compare) or not (
            isinstance(cond.left, c.Literal) or isinstance(cond.right, c.Literal))
        if isinstance(cond, c.Compare) and cond.op in _FLIP and not (
                both_facts and cond.op in ("eq", "ne")):
            return (self.cmp(cond.op, cond.left, cond.right),
                    self.cmp(_FLIP[cond.op], cond.left, cond.right),
                    self.unknown_cmp(cond.left, cond.right))
        a = self.atom(cond)  # list operations and quantifiers: precomputed
        return {f"a{a}": 2}, {f"a{a}": 0}, {f"a{a}": 1}

    def fact(self, item: Item, ctx: c.Context, iid: int) -> Json:
        out: Json = {"iid": iid}
        for i, expr in enumerate(self.operands):
            value = self._value(expr, item, ctx)
            out[f"k{i}"] = value is not None
            # A record or list operand is only ever tested for presence (`exists`): Rete needs
            # its known-flag, not the value (which may hold dates JSON cannot carry).
            if value is not None and isinstance(expr, _Diff):
                out[f"o{i}"] = (value > 0) - (value < 0)  # only its sign is ever compared
            elif value is not None and (sent := _fact_value(value)) is not None:
                out[f"o{i}"] = sent
        for i, cond in enumerate(self.atoms):
            out[f"a{i}"] = c.truth(cond, item.ns, ctx, None)
        return out


    @staticmethod
    def _value(expr: c.Expr | _Diff, item: Item, ctx: c.Context) -> Any:
        if not isinstance(expr, _Diff):
            return c.value_of(expr, item.ns, ctx, None)
        left = c.value_of(expr.left, item.ns, ctx, None)
        right = c.value_of(expr.right, item.ns, ctx, None)
        if left is None or right is None:
            return None
        return _durable_literal(left) - _durable_literal(right)


def _make_host() -> Any:
    from durable import engine

    class _QuietHost(engine.Host):  # type: ignore[misc]
        """A Host without the background dispatch threads."""

        def _run(self) -> None:
            return None

    return _QuietHost()


class _Chunk:
    """One durable-rules ruleset: some rules of one scope."""

    def __init__(self, host: Any, scope: str, members: list[tuple[int, Rule]],
                 sink: Callable[[int, int, int], None]) -> None:
        self.scope = scope
        self.name = f"iep_rules_{scope}_{uuid.uuid4().hex}"
        self.flat = _Flattener()
        definition: Json = {"sentinel": {"all": [{"m": TRUE_C}], "run": lambda _c: None}}
        for index, rule in members:
            t, _f, u = self.flat.tri(rule.when)
            if max(_dnf_terms(t), _dnf_terms(u)) > MAX_DNF_TERMS:  # a lone comparison chain
                a = self.flat.atom(rule.when)
                t, u = {f"a{a}": 2}, {f"a{a}": 1}
            for label, cond, truth in (("t", t, c.TRUE), ("u", u, c.UNKNOWN)):
                if cond is False:
                    continue
                match = TRUE_C if cond is True else cond
                definition[f"r{index}{label}"] = {
                    "all": [{"m": match}],
                    "run": self._action(sink, index, truth),
                }
        try:
            host.register_rulesets({self.name: definition})
        except Exception as exc:  # the engine's own exception types are untyped
            raise EvaluationError(f"durable-rules refused ruleset {self.name}: "
                                  f"{type(exc).__name__}: {str(exc)[:200]}") from exc

    @staticmethod
    def _action(sink: Callable[[int, int, int], None], index: int,
                truth: int) -> Callable[[Any], None]:
        def run(closure: Any) -> None:
            sink(index, int(closure.m["iid"]), truth)

        return run


class DurableBackend:
    """Evaluates through durable-rules. Serialised by a lock: the engine's state is shared."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        self.host = _make_host()
        self.lock = threading.Lock()
        self._fired: set[tuple[int, int, int]] = set()
        self.chunks: list[_Chunk] = []
        for scope in sorted({r.scope for r in rules}):
            members = [(i, r) for i, r in enumerate(rules) if r.scope == scope]
            batch: list[tuple[int, Rule]] = []
            probe = _Flattener()
            for member in members:
                probe.tri(member[1].when)
                if batch and (2 * (len(batch) + 1) + 1 > RULES_PER_RULESET
                              or probe.field_count() > FIELDS_PER_FACT):
                    self.chunks.append(_Chunk(self.host, scope, batch, self._sink))
                    batch, probe = [], _Flattener()
                    probe.tri(member[1].when)
                batch.append(member)
            if batch:
                self.chunks.append(_Chunk(self.host, scope, batch, self._sink))
        self._session = itertools.count()

    def _sink(self, index: int, iid: int, truth: int) -> None:
        self._fired.add((index, iid, truth))

    def run(self, case_items: Sequence[Item], params: Mapping[str, Any],
            ctx: c.Context, active: Sequence[bool]) -> list[tuple[int, Item, int]]:
        out: list[tuple[int, Item, int]] = []
        with self.lock:
            for chunk in self.chunks:
                members = [(i, it) for i, it in enumerate(case_items) if it.scope == chunk.scope]
                if not members:
                    continue
                sid = f"s{next(self._session)}"
                facts = [{"sid": sid, **chunk.flat.fact(it, ctx, i)} for i, it in members]
                self._fired = set()
                try:
                    self.host.assert_facts(chunk.name, facts)
                except Exception as exc:  # the engine's own exception types are untyped
                    raise EvaluationError(f"durable-rules failed on ruleset {chunk.name}: "
                                          f"{type(exc).__name__}") from exc
                finally:
                    self.host.delete_state(chunk.name, sid)
                for index, iid, truth in sorted(self._fired):
                    if active[index]:
                        out.append((index, case_items[iid], truth))
        return out
