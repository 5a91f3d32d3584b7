"""Rule files (YAML data) to `Layer`s, reporting every problem at once with file:line:col.

Three passes over each file: safe YAML with positions (yamldata), the published JSON Schema
(structure), then meaning: conditions parse into the typed AST, fact paths exist for the rule's
scope, operators fit their operands' kinds, and message placeholders name real facts.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
from typing import Any

import attrs

from .._errors import CaseError, Problem
from .._vocab import Expectation, Scope, Severity
from ..case._io import case_from_mapping
from ..facts._namespace import ListOf, scope_description
from . import _conditions as c
from ._model import (
    DUE_UNITS,
    Citation,
    Disable,
    Due,
    Example,
    Layer,
    Offset,
    Parameter,
    Rule,
    Source,
)
from ._structure import rulefile_schema as rulefile_schema
from ._structure import structural_problems
from ._yaml import Located, Path_, load_yaml

PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_NAME = re.compile(r"^[a-z_][a-z0-9_]*$")


def parse_layer(raw: bytes | str, filename: str) -> tuple[Layer | None, list[Problem]]:
    """Load one rule file. Returns the layer (None when it is unusable) and every problem."""
    doc, problems = load_yaml(raw, filename)
    if doc is None or problems:
        return None, problems
    return layer_from(doc)


def layer_from(doc: Located, *, check_example_cases: bool = True
               ) -> tuple[Layer | None, list[Problem]]:
    """The structural and meaning checks of a parsed rule file, and its layer.

    `check_example_cases=False` leaves out structuring each example's case document (the
    examples are kept as data either way: `iep-rules test` and the pytest plugin structure
    them when they run them). Only the rule cache passes it, for an entry that was written
    after these very bytes passed every check, examples included (rulebook/_cache.py)."""
    problems = structural_problems(doc)
    if problems:
        return None, problems
    return _Builder(doc, problems, check_example_cases).layer(), problems


def _date(text: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        return None


class _Builder:
    def __init__(self, doc: Located, problems: list[Problem], check_example_cases: bool) -> None:
        self.doc = doc
        self.problems = problems
        self.check_example_cases = check_example_cases
        self.jurisdiction: str = doc.data["jurisdiction"]

    def err(self, path: Path_, message: str) -> None:
        self.problems.append(Problem(self.doc.where(path), message))

    def source(self, path: Path_) -> Source:
        return Source(self.doc.filename, self.doc.position(path)[0], self.jurisdiction)

    def layer(self) -> Layer | None:
        data = self.doc.data
        params = tuple(self.parameter(p, ("parameters", i))
                       for i, p in enumerate(data.get("parameters", [])))
        rules = tuple(self.rule(r, ("rules", i)) for i, r in enumerate(data.get("rules", [])))
        disabled = tuple(Disable(d["id"], d["reason"], self.source(("disable", i)))
                         for i, d in enumerate(data.get("disable", [])))
        seen: dict[str, int] = {}
        for i, rule in enumerate(rules):
            if rule is not None and rule.id in seen:
                self.err(("rules", i, "id"), f"rule id {rule.id!r} already defined in this file")
            elif rule is not None:
                seen[rule.id] = i
        if self.problems:
            return None
        return Layer(self.jurisdiction, self.doc.filename, data.get("title", ""), params,  # type: ignore[arg-type]
                     rules, disabled)  # type: ignore[arg-type]

    def citations(self, items: list[dict[str, Any]]) -> tuple[Citation, ...]:
        return tuple(Citation(x["authority"], x["verified"], x.get("kind", "regulation"),
                              x.get("note")) for x in items)

    def parameter(self, data: dict[str, Any], path: Path_) -> Parameter | None:
        values: list[tuple[dt.date, Any]] = []
        for i, entry in enumerate(data["values"]):
            day = _date(entry["from"])
            if day is None:
                self.err((*path, "values", i, "from"), f"not a real date: {entry['from']!r}")
                continue
            values.append((day, entry["value"]))
        values.sort(key=lambda pair: pair[0])
        if len(values) != len(data["values"]):
            return None
        return Parameter(data["name"], tuple(values), self.citations(data["cite"]),
                         self.source(path), data.get("description", ""), data.get("unit", ""))

    def rule(self, data: dict[str, Any], path: Path_) -> Rule | None:
        before = len(self.problems)
        scope_desc = scope_description(data["scope"])
        parser = _CondParser(self, scope_desc)
        due = self.due(data["due"], (*path, "due"), scope_desc, parser) if "due" in data else None
        parser.due = due
        when = parser.cond(data["when"], (*path, "when"), scope_desc)
        cite = self.citations(data["cite"])
        for i, entry in enumerate(data["cite"]):
            if "when" in entry:
                only = parser.cond(entry["when"], (*path, "cite", i, "when"), scope_desc)
                cite = (*cite[:i], attrs.evolve(cite[i], when=only), *cite[i + 1:])
        for field in ("message", "remedy"):
            if field in data:
                self.check_template(data[field], (*path, field), scope_desc)
        effective = data.get("effective", {})
        dates: dict[str, dt.date | None] = {}
        for key in ("from", "to"):
            dates[key] = _date(effective[key]) if key in effective else None
            if key in effective and dates[key] is None:
                self.err((*path, "effective", key), f"not a real date: {effective[key]!r}")
        examples = []
        for i, ex in enumerate(data.get("examples", [])):
            as_of = _date(ex["as_of"]) if "as_of" in ex else None
            if "as_of" in ex and as_of is None:
                self.err((*path, "examples", i, "as_of"), f"not a real date: {ex['as_of']!r}")
            subjects = tuple(ex["subjects"]) if "subjects" in ex else None
            where = (*path, "examples", i)
            try:  # `test` and the pytest plugin must be able to run every example
                if self.check_example_cases:
                    case_from_mapping(ex["case"], source=self.doc.where((*where, "case")))
            except CaseError as exc:
                for problem in exc.problems:
                    self.err((*where, "case"), f"example case: {problem}")
            examples.append(Example(ex["name"], ex["case"], Expectation(ex["expect"]), as_of,
                                    subjects, self.doc.where(where),
                                    self.doc.position(where)[0]))
        if len(self.problems) > before or when is None or ("due" in data and due is None):
            return None
        return Rule(
            id=data["id"], title=data["title"], topic=data["topic"],
            severity=Severity(data["severity"]), scope=Scope(data["scope"]), when=when,
            message=data["message"],
            cite=cite, source=self.source(path),
            remedy=data.get("remedy", ""), clock=data.get("clock", ""), due=due,
            effective_from=dates["from"], effective_to=dates["to"], examples=tuple(examples),
            overrides=data.get("overrides", False), params_used=tuple(sorted(parser.params)),
            unchecked=tuple(data.get("unchecked", ())),
            param_kinds=tuple(sorted(parser.param_kinds)),
        )

    def due(self, data: dict[str, Any], path: Path_, desc: dict[str, Any],
            parser: _CondParser) -> Due | None:
        """The structured deadline: each `from` must be a date fact of the rule's scope."""
        before = len(self.problems)
        add = self.offset(data["from"], data["add"], path, desc, parser)
        earliest = None
        if "earliest" in data:
            # not among the rule's parameters: a finding that the deadline passed does not
            # rest on the earliest date (the calendar cites it with the date it gives)
            earliest = self.offset(data["earliest"]["from"], data["earliest"]["add"],
                                   (*path, "earliest"), desc, parser, cited=False)
        if len(self.problems) > before or add is None:
            return None
        due = Due(data["label"], add, earliest)
        if "open" in data:
            parser.due = due  # `open` may compare with {due: date}
            open_cond = parser.cond(data["open"], (*path, "open"), desc)
            if open_cond is None:
                return None
            due = attrs.evolve(due, open=open_cond)
        return due

    def offset(self, start: str, amount_data: dict[str, Any], path: Path_,
               desc: dict[str, Any], parser: _CondParser, cited: bool = True) -> Offset | None:
        found = parser.fact(start, (*path, "from"), desc)
        if found is None:
            return None
        if _kind_of(found[1]) != "date":
            self.err((*path, "from"), f"due from must name a date fact; {start} is a "
                                      f"{_kind_of(found[1])}")
            return None
        (unit, amount), = amount_data.items()  # the schema allows exactly one unit
        assert unit in DUE_UNITS
        if isinstance(amount, dict):
            if cited:
                parser.params.add(amount["param"])
            parser.wants(c.Param(amount["param"]), "number")
            return Offset(unit, c.Param(amount["param"]), found[0])
        return Offset(unit, c.Literal(amount), found[0])

    def check_template(self, text: str, path: Path_, desc: dict[str, Any]) -> None:
        for match in PLACEHOLDER.finditer(text):
            name = match.group(1).strip()
            if name.startswith("param."):
                if not _NAME.match(name[6:]):
                    self.err(path, f"placeholder {{{name}}}: bad parameter name")
                continue
            parts = tuple(name.split("."))
            if not all(_NAME.match(p) for p in parts) or _walk(desc, parts) is None:
                self.err(path, f"placeholder {{{name}}} names no fact of this rule's scope")


def _walk(desc: Any, parts: tuple[str, ...]) -> Any:
    node = desc
    for part in parts:
        if not isinstance(node, dict) or part not in node:
            return None
        node = node[part]
    return node


def _suggest(desc: dict[str, Any], parts: tuple[str, ...]) -> str:
    """`; did you mean 'group_size'?` for a misspelt fact name, from the names at its level."""
    holder = _walk(desc, parts[:-1]) if len(parts) > 1 else desc
    if not isinstance(holder, dict):
        return ""
    close = difflib.get_close_matches(parts[-1], [k for k in holder if not k.startswith("$")],
                                      n=1)
    return f"; did you mean {'.'.join((*parts[:-1], close[0]))!r}?" if close else ""


def _kind_of(node: Any) -> str:
    if isinstance(node, ListOf):
        return "list"
    if isinstance(node, dict):
        return "record"
    return str(node)


_FUNC_KINDS = {"age_on": "number", "date_turns": "date", "days_between": "number",
               "months_between": "number", "years_between": "number", "add_days": "date",
               "add_months": "date", "add_years": "date"}
_FUNC_ARGS = {"age_on": ("date",), "date_turns": ("number",), "days_between": ("date", "date"),
              "months_between": ("date", "date"), "years_between": ("date", "date"),
              "add_days": ("date", "number"), "add_months": ("date", "number"),
              "add_years": ("date", "number")}
_COND_KEYS = {"all", "any", "not", "exists", "missing", "some", "every", "none"}


class _CondParser:
    """Turns condition data into the AST, recording problems instead of stopping."""

    def __init__(self, builder: _Builder, scope_desc: dict[str, Any]) -> None:
        self.b = builder
        self.params: set[str] = set()
        self.param_kinds: set[tuple[str, str]] = set()
        self.due: Due | None = None  # the rule's `due:`, read by the value form {due: date}

    def wants(self, expr: c.Expr, kind: str) -> None:
        """Record that a parameter operand is used where `kind` is needed."""
        if isinstance(expr, c.Param) and kind != "any":
            self.param_kinds.add((expr.name, kind))

    def fact(self, text: Any, path: Path_, desc: dict[str, Any]) -> tuple[c.Fact, Any] | None:
        if not isinstance(text, str) or not all(_NAME.match(p) for p in text.split(".")):
            self.b.err(path, f"expected a fact name such as iep.start, got {text!r}")
            return None
        parts = tuple(text.split("."))
        node = _walk(desc, parts)
        if node is None:
            self.b.err(path, f"unknown fact {text!r} for this scope{_suggest(desc, parts)}")
            return None
        return c.Fact(parts), node

    def cond(self, data: Any, path: Path_, desc: dict[str, Any]) -> c.Cond | None:
        if not isinstance(data, dict) or not data:
            self.b.err(path, "expected a condition (a mapping such as {fact: ..., is: ...})")
            return None
        keys = set(data)
        kinds = keys & _COND_KEYS
        if kinds:
            if len(keys) != 1:
                self.b.err(path, f"a condition has exactly one of {sorted(_COND_KEYS)}; "
                                 f"got {sorted(keys)}")
                return None
            key = kinds.pop()
            body = data[key]
            if key in ("all", "any"):
                if not isinstance(body, list) or not body:
                    self.b.err((*path, key), f"{key}: expected a non-empty list of conditions")
                    return None
                items = [self.cond(x, (*path, key, i), desc) for i, x in enumerate(body)]
                if any(x is None for x in items):
                    return None
                return (c.All if key == "all" else c.AnyOf)(tuple(items))  # type: ignore[arg-type]
            if key == "not":
                inner = self.cond(body, (*path, key), desc)
                return None if inner is None else c.Not(inner)
            if key in ("exists", "missing"):
                found = self.fact(body, (*path, key), desc)
                return None if found is None else c.Exists(found[0], key == "exists")
            return self.quantifier(key, body, (*path, key), desc)
        return self.comparison(data, path, desc)

    def quantifier(self, kind: str, body: Any, path: Path_, desc: dict[str, Any]) -> c.Cond | None:
        if not isinstance(body, dict) or set(body) != {"of", "where"}:
            self.b.err(path, f"{kind}: expected {{of: <list fact>, where: <condition>}}")
            return None
        scoped = self.list_scope(body["of"], (*path, "of"), desc)
        if scoped is None:
            return None
        fact, inner_desc = scoped
        where = self.cond(body["where"], (*path, "where"), inner_desc)
        return None if where is None else c.Quantifier(kind, fact, where)

    def list_scope(self, text: Any, path: Path_,
                   desc: dict[str, Any]) -> tuple[c.Fact, dict[str, Any]] | None:
        found = self.fact(text, path, desc)
        if found is None:
            return None
        fact, node = found
        if not isinstance(node, ListOf):
            self.b.err(path, f"{fact.text} is not a list")
            return None
        element = node.element
        inner = {**desc, **element} if isinstance(element, dict) else {**desc, "item": element}
        return fact, inner

    def comparison(self, data: dict[str, Any], path: Path_, desc: dict[str, Any]) -> c.Cond | None:
        sides = [k for k in ("fact", "value") if k in data]
        ops = [k for k in data if k in c.OPERATORS]
        unknown = sorted(set(data) - {"fact", "value"} - set(c.OPERATORS))
        if unknown:
            self.b.err(path, f"unknown key(s) {unknown}; operators are {sorted(c.OPERATORS)}")
            return None
        if len(sides) != 1 or len(ops) != 1:
            self.b.err(path, "a comparison needs one of fact:/value: and exactly one operator")
            return None
        left_data = {"fact": data["fact"]} if sides[0] == "fact" else data["value"]
        left = self.expr(left_data, (*path, sides[0]), desc)
        right = self.expr(data[ops[0]], (*path, ops[0]), desc)
        if left is None or right is None:
            return None
        op = c.OPERATORS[ops[0]]
        (lexpr, lkind), (rexpr, rkind) = left, right
        where = (*path, ops[0])
        if op in ("eq", "ne"):
            # Both backends must agree: equality is only defined between two scalars of one
            # kind (a list or record compared with text is "not equal" in Python but not in
            # durable-rules), and a date never equals a text.
            bad = {lkind, rkind} & {"list", "record"}
            if bad or (lkind != rkind and "any" not in (lkind, rkind)):
                self.b.err(where, f"{ops[0]} compares two values of one kind (text, number, "
                                  f"date or yes/no); got {lkind} and {rkind}"
                                  + (" (use contains, in or count for lists)" if bad else ""))
                return None
            self.wants(lexpr, rkind)
            self.wants(rexpr, lkind)
        if op in ("lt", "le", "gt", "ge"):
            bad = {lkind, rkind} & {"string", "bool", "list", "record"}
            if bad or (lkind != rkind and "any" not in (lkind, rkind)):
                self.b.err(where, f"{ops[0]} compares dates with dates or numbers with numbers; "
                                  f"got {lkind} and {rkind} (write dates as {{date: YYYY-MM-DD}})")
                return None
            self.wants(lexpr, rkind if rkind != "any" else "number")
            self.wants(rexpr, lkind if lkind != "any" else "number")
        elif op in ("contains", "not_contains", "contains_any") and lkind not in ("list", "any"):
            self.b.err(where, f"{ops[0]} needs a list on the left; got {lkind}")
            return None
        elif op in ("in", "not_in", "contains_any") and rkind not in ("list", "any"):
            self.b.err(where, f"{ops[0]} needs a list on the right; got {rkind}")
            return None
        if op in ("contains", "not_contains", "contains_any"):
            self.wants(lexpr, "list")
        if op in ("in", "not_in", "contains_any"):
            self.wants(rexpr, "list")
        return c.Compare(lexpr, op, rexpr, ops[0])

    def due_value(self, body: Any, path: Path_) -> tuple[c.Expr, str] | None:
        """`{due: date}` (or `{due: earliest}`): the rule's own `due:` as an expression, so
        the overdue condition and the calendar read one declaration."""
        if body not in ("date", "earliest"):
            self.b.err(path, f"expected {{due: date}} or {{due: earliest}}, got {body!r}")
            return None
        if self.due is None:
            self.b.err(path, "{due: ...} needs the rule to declare `due:`")
            return None
        expr = self.due.date_expr(body)
        offset = self.due.add if body == "date" else self.due.earliest
        if offset is not None and isinstance(offset.amount, c.Param):
            self.params.add(offset.amount.name)  # the finding now rests on this parameter
        if expr is None:
            self.b.err(path, f"this rule's due {body} is not counted in calendar days, months or "
                             "years (school days need the calendar); compare its day count instead")
            return None
        return expr, "date"

    def expr(self, data: Any, path: Path_, desc: dict[str, Any]) -> tuple[c.Expr, str] | None:
        if isinstance(data, bool):
            return c.Literal(data), "bool"
        if isinstance(data, int | float):
            return c.Literal(data), "number"
        if isinstance(data, str):
            return c.Literal(data), "string"
        if isinstance(data, list):
            if not all(isinstance(x, str | int | float | bool) for x in data):
                self.b.err(path, "a list literal may hold only plain values")
                return None
            return c.Literal(tuple(data)), "list"
        if not isinstance(data, dict) or len(data) != 1:
            self.b.err(path, "expected a value: a literal, {fact: ...}, {param: ...}, "
                             "{date: ...}, {count: ...} or a date function")
            return None
        (key, body), = data.items()
        if key == "fact":
            found = self.fact(body, (*path, key), desc)
            return None if found is None else (found[0], _kind_of(found[1]))
        if key == "param":
            if not isinstance(body, str) or not _NAME.match(body):
                self.b.err((*path, key), f"expected a parameter name, got {body!r}")
                return None
            self.params.add(body)
            return c.Param(body), "any"
        if key == "date":
            day = _date(body) if isinstance(body, str) else None
            if day is None:
                self.b.err((*path, key), f"expected a date as YYYY-MM-DD, got {body!r}")
                return None
            return c.Literal(day), "date"
        if key == "due":
            return self.due_value(body, (*path, key))
        if key == "count":
            of, where_data = (body, None) if isinstance(body, str) else (
                (body.get("of"), body.get("where")) if isinstance(body, dict) else (None, None))
            scoped = self.list_scope(of, (*path, key), desc)
            if scoped is None:
                return None
            where = None
            if where_data is not None:
                where = self.cond(where_data, (*path, key, "where"), scoped[1])
                if where is None:
                    return None
            return c.Count(scoped[0], where), "number"
        if key in c.FUNCTIONS:
            args_data = body if isinstance(body, list) else [body]
            if len(args_data) != c.FUNCTIONS[key]:
                self.b.err((*path, key), f"{key} takes {c.FUNCTIONS[key]} argument(s)")
                return None
            args = [self.expr(a, (*path, key, i), desc) for i, a in enumerate(args_data)]
            if any(a is None for a in args):
                return None
            for i, (arg, want) in enumerate(zip(args, _FUNC_ARGS[key], strict=True)):
                assert arg is not None  # narrowed above; mypy cannot see it through any()
                self.wants(arg[0], want)
                if arg[1] not in (want, "any"):
                    self.b.err((*path, key, i), f"{key} argument {i + 1} must be a {want}, "
                                                f"got {arg[1]}")
                    return None
            return c.Call(key, tuple(a[0] for a in args if a is not None)), _FUNC_KINDS[key]
        self.b.err(path, f"unknown value form {key!r}")
        return None
