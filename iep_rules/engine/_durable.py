"""The durable-rules (Rete) backend: the same condition tree, matched by durable-rules' C engine.

How the wrapper keeps durable-rules safe to embed (measured traps in shared DURABLE_RULES.md):
- No `durable.lang` and no `Host`: the module-level registries would leak and the dispatch
  threads race with `delete_state`. Rulesets are built as JSON definitions and handed to the C
  engine (`durable_rules_engine`, the extension module durable-rules ships) under unique names;
  each backend object owns its rulesets. The engine is driven the way durable-rules' own
  Python layer drives it (assert the facts, start the first action of the session, complete
  each and start the next, delete the session), without that layer's per-firing work (a
  Closure, three clock reads, the state re-encoded and re-asserted unchanged). There are no
  Python actions: each firing is read as (rule, fact) from the head of the action's message.
- Three-valued logic: for each rule two Rete rules are generated, TRUE(cond) and UNKNOWN(cond),
  written over explicit `k<n>` "known" flags. Missing fields and `$nex` are never used: a missing
  field silently makes a test false, and `$nex` was seen to hang the engine here.
- Values are flattened into one fact per item: operand `o<n>` (dates as ordinals) with `k<n>`;
  list operations and quantifiers, which Rete cannot express three-valued, arrive as
  precomputed atoms `a<n>` in {0, 1, 2}. One generated function per ruleset computes them
  (lang/_compiler.py `compile_reads`, the python backend's code generation);
  `_Flattener.fact` is the interpreted reference a test holds it to.
- Nested all/any inside all/any made the engine refuse the ruleset (error 113, seen here), so
  Rete matches the top-level all/any over comparisons and nested groups arrive as atoms.
- A session in which no rule fired crashes `delete_state`: the C engine leaves a new
  session's action context uninitialised until a rule fires, and deleting the session frees
  it (durable-rules 2.0.28, state.c). A sentinel rule fires once per session, on its first
  fact (`iid` 0; facts are numbered within their session). A fact that matches no rule is
  otherwise harmless (the engine answers "not handled" and keeps the others).
- `$or` fires once per true branch: firings are de-duplicated per (rule, item, truth).
- Rulesets hold at most RULES_PER_RULESET rules (the engine fails above ~100) and facts at most
  FIELDS_PER_FACT fields (~254 max); large rulebooks are split across rulesets.
- Facts, not events (events are consumed by the first match); one session per case and
  ruleset, deleted after it (about 1024 live sessions per ruleset is the ceiling).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import math
import re
import threading
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from .._errors import EvaluationError
from ..facts._namespace import Item
from ..lang import _conditions as c
from ..lang._compiler import compile_reads
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
        """The fact for one item, read through the condition tree: the reference the
        generated `_Chunk.fact` is tested against (tests/test_durable_facts.py)."""
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


class _Chunk:
    """One durable-rules ruleset: some rules of one scope, and the generated function that
    computes the operands and atoms of its facts."""

    def __init__(self, scope: str, members: list[tuple[int, Rule]]) -> None:
        import durable_rules_engine

        self.scope = scope
        self.name = f"iep_rules_{scope}_{uuid.uuid4().hex}"
        self.flat = _Flattener()
        definition: Json = {SENTINEL: {"all": [{"m": {"iid": 0}}]}}
        # action name -> (rule index, truth); the sentinel's firing is no result
        self.actions: dict[str, tuple[int, int] | None] = {SENTINEL: None}
        for index, rule in members:
            t, _f, u = self.flat.tri(rule.when)
            if max(_dnf_terms(t), _dnf_terms(u)) > MAX_DNF_TERMS:  # a lone comparison chain
                a = self.flat.atom(rule.when)
                t, u = {f"a{a}": 2}, {f"a{a}": 1}
            for label, cond, truth in (("t", t, c.TRUE), ("u", u, c.UNKNOWN)):
                if cond is False:
                    continue
                match = TRUE_C if cond is True else cond
                definition[f"r{index}{label}"] = {"all": [{"m": match}]}
                self.actions[f"r{index}{label}"] = (index, truth)
        try:
            self.handle: int = durable_rules_engine.create_ruleset(
                self.name, json.dumps(definition, ensure_ascii=False))
        except Exception as exc:  # the engine's own exception types are untyped
            raise EvaluationError(f"durable-rules refused ruleset {self.name}: "
                                  f"{type(exc).__name__}: {str(exc)[:200]}") from exc
        self._compile_facts()

    def _compile_facts(self) -> None:
        """The fact of an item from one generated function (lang/_compiler.py) returning every
        operand's value and every atom's truth: the same values `_Flattener.fact` reads through
        the condition tree, without walking it for each item."""
        exprs: list[c.Expr] = []
        # per operand: (its k and o field names, where its value is, whether it is a difference)
        self.operand_plan: list[tuple[str, str, int, bool]] = []
        for i, operand in enumerate(self.flat.operands):
            self.operand_plan.append((f"k{i}", f"o{i}", len(exprs), isinstance(operand, _Diff)))
            if isinstance(operand, _Diff):
                exprs += [operand.left, operand.right]
            else:
                exprs.append(operand)
        self.atom_plan = [(f"a{i}", len(exprs) + i) for i in range(len(self.flat.atoms))]
        self.reads, self.source = compile_reads(exprs, self.flat.atoms, label=f"facts {self.scope}")

    def fact(self, item: Item, params: Mapping[str, Any], ctx: c.Context, iid: int) -> Json:
        """The fact for one item (see the module docstring for its fields)."""
        values = self.reads(item.ns, params, ctx)
        out: Json = {"iid": iid}
        for known, operand, at, diff in self.operand_plan:
            value = values[at]
            if diff:
                right = values[at + 1]
                if value is None or right is None:
                    out[known] = False
                    continue
                value = _durable_literal(value) - _durable_literal(right)
                out[known] = True
                out[operand] = (value > 0) - (value < 0)  # only its sign is ever compared
            elif value is None:
                out[known] = False
            else:
                out[known] = True
                # A record or list operand is only ever tested for presence (`exists`): Rete
                # needs its known-flag, not the value (which may hold dates JSON cannot carry).
                if (sent := _fact_value(value)) is not None:
                    out[operand] = sent
        for atom, at in self.atom_plan:
            out[atom] = values[at]
        return out


SENTINEL = "sentinel"
# The head of an action's message: {"<action>":{"m":<the fact as sent>}}, and the fact as sent
# starts {"sid": "s<n>", "iid": <n>, (json.dumps of a dict built in that order).
_MESSAGE = re.compile(r'\{"(\w+)":\{"m":\{"sid": "s\d+", "iid": (\d+)[,}]')


def _fired(message: str) -> tuple[str, int]:
    """The action name and the fact's `iid` of one action message from the engine."""
    found = _MESSAGE.match(message)
    if found is not None:
        return found.group(1), int(found.group(2))
    (name, body), = json.loads(message).items()  # never seen: the engine kept the fact's text
    return str(name), int(body["m"]["iid"])


class DurableBackend:
    """Evaluates through durable-rules. Serialised by a lock: the engine's state is shared."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        import durable_rules_engine

        self.engine = durable_rules_engine
        self.lock = threading.Lock()
        self.chunks: list[_Chunk] = []
        for scope in sorted({r.scope for r in rules}):
            members = [(i, r) for i, r in enumerate(rules) if r.scope == scope]
            batch: list[tuple[int, Rule]] = []
            probe = _Flattener()
            for member in members:
                probe.tri(member[1].when)
                if batch and (2 * (len(batch) + 1) + 1 > RULES_PER_RULESET
                              or probe.field_count() > FIELDS_PER_FACT):
                    self.chunks.append(_Chunk(scope, batch))
                    batch, probe = [], _Flattener()
                    probe.tri(member[1].when)
                batch.append(member)
            if batch:
                self.chunks.append(_Chunk(scope, batch))
        self._session = itertools.count()

    def run(self, case_items: Sequence[Item], params: Mapping[str, Any],
            ctx: c.Context, active: Sequence[bool]) -> list[tuple[int, Item, int]]:
        by_scope: dict[str, list[Item]] = {}
        for item in case_items:
            by_scope.setdefault(item.scope, []).append(item)
        out: list[tuple[int, Item, int]] = []
        with self.lock:
            for chunk in self.chunks:
                members = by_scope.get(chunk.scope)
                if not members:
                    continue
                sid = f"s{next(self._session)}"
                facts = [{"sid": sid, **chunk.fact(it, params, ctx, i)}
                         for i, it in enumerate(members)]
                fired = self._match(chunk, sid, facts)
                for index, iid, truth in sorted(fired):
                    if active[index]:
                        out.append((index, members[iid], truth))
        return out

    def _match(self, chunk: _Chunk, sid: str, facts: list[Json]) -> set[tuple[int, int, int]]:
        """(rule index, fact iid, truth) of every rule firing on the facts, in one session."""
        engine, handle, actions = self.engine, chunk.handle, chunk.actions
        fired: set[tuple[int, int, int]] = set()
        started = None
        try:
            code, state = engine.assert_facts(handle, json.dumps(facts, ensure_ascii=False))
            # 0: every fact matched some rule; 1: some matched none (harmless, see above);
            # 2 (an identical fact seen before) cannot happen: each fact has its own iid.
            if code not in (0, 1):
                raise EvaluationError(f"durable-rules answered {code} on ruleset {chunk.name}")
            started = engine.start_action_for_state(handle, state)
            if started is None:  # the sentinel always fires: the engine misbehaved
                raise EvaluationError(f"durable-rules fired nothing on ruleset {chunk.name}")
            message = started[1]
            while message is not None:
                name, iid = _fired(message)
                result = actions[name]
                if result is not None:
                    fired.add((result[0], iid, result[1]))
                message = engine.complete_and_start_action(handle, state)
        except EvaluationError:
            raise
        except Exception as exc:  # the engine's own exception types are untyped
            raise EvaluationError(f"durable-rules failed on ruleset {chunk.name}: "
                                  f"{type(exc).__name__}") from exc
        finally:
            # Only a session whose action context a firing initialised can be deleted (see
            # above): one where nothing fired (the engine refused the facts part way, or
            # failed to fire the sentinel) is left in place rather than crash the process.
            if started is not None:
                engine.delete_state(handle, sid)
        return fired
