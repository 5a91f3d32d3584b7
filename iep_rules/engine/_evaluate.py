"""evaluate(): the rules in force for a case's jurisdiction on a date, run by a backend.

Pure: the result depends only on the arguments. Compiled programs are cached on the Rulebook
object the caller holds, never in module state.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Collection, Mapping, Sequence
from json.encoder import encode_basestring_ascii  # what json.dumps uses for text
from typing import Any, Protocol

from .._errors import ArgumentTypeError, BackendError, CaseError, JurisdictionError, Problem
from .._findings import Evidence, Finding, Report, json_value
from .._vocab import Severity
from ..case._records import Case
from ..facts._derived import ON_FILE_PATHS, kinds
from ..facts._ledger import MandateLedger, case_ledger
from ..facts._namespace import Item, LazyCaseFacts, items
from ..facts._timeline import build_timeline, iep_accrual_windows
from ..lang import _conditions as c
from ..lang._compiler import ScopeFn, compile_scope
from ..lang._explain import derived_meaning, path_of
from ..lang._model import Citation, Rule
from ..lang._rulefile import PLACEHOLDER
from ..rulebook._rulebook import Resolved, Rulebook

BACKENDS = ("python", "durable")
_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")
_ISO_WEEK = re.compile(r"\d{4}-W(?:0[1-9]|[1-4]\d|5[0-3])")


class Backend(Protocol):
    def run(self, case_items: Sequence[Item], params: Mapping[str, Any],
            ctx: c.Context, active: Sequence[bool]) -> list[tuple[int, Item, int]]:
        """(rule index, item, truth) for every TRUE or UNKNOWN result of an active rule."""
        ...  # pragma: no cover - protocol


class PythonBackend:
    """Generated Python, one function per scope (see compiler.py)."""

    def __init__(self, rules: Sequence[Rule]) -> None:
        by_scope: dict[str, list[int]] = defaultdict(list)
        for index, rule in enumerate(rules):
            by_scope[rule.scope].append(index)
        self.programs: dict[str, tuple[ScopeFn, list[int]]] = {}
        self.sources: dict[str, str] = {}
        for scope, indexes in by_scope.items():
            fn, source = compile_scope([rules[i] for i in indexes], label=scope)
            self.programs[scope] = (fn, indexes)
            self.sources[scope] = source

    def scopes(self) -> set[str]:
        return set(self.programs)

    def run(self, case_items: Sequence[Item], params: Mapping[str, Any],
            ctx: c.Context, active: Sequence[bool]) -> list[tuple[int, Item, int]]:
        out: list[tuple[int, Item, int]] = []
        for item in case_items:
            program = self.programs.get(item.scope)
            if program is None:
                continue
            fn, indexes = program
            for local, truth in fn(item.ns, params, ctx):
                index = indexes[local]
                if active[index]:
                    out.append((index, item, truth))
        return out


def durable_installed() -> bool:
    """Whether the optional durable-rules engine (the `durable` extra) can be imported."""
    try:
        import durable.engine  # noqa: F401
    except ImportError:
        return False
    return True


def available_backends() -> tuple[str, ...]:
    """The backends that can run here: python always, durable when its extra is installed."""
    return tuple(name for name in BACKENDS if name != "durable" or durable_installed())


def _backend(rulebook: Rulebook, resolved: Resolved, name: str) -> Any:
    key = f"backend:{name}:{resolved.jurisdiction}"
    cache = rulebook.programs
    if key not in cache:
        if name == "python":
            cache[key] = PythonBackend(resolved.rules)
        elif name == "durable":
            if not durable_installed():
                raise BackendError("the durable backend needs durable-rules, which is not "
                                   "installed: pip install 'iep-rules[durable]'")
            from ._durable import DurableBackend  # imported on demand: it loads a C extension

            cache[key] = DurableBackend(resolved.rules)
        else:
            raise BackendError(f"unknown backend {name!r}; choose one of {', '.join(BACKENDS)}")
    return cache[key]


def _check_arguments(rulebook: object, case: object, as_of: object, jurisdiction: object,
                     backend: object) -> None:
    """Misuse is the library's own error (a TypeError too), said in terms of the call."""
    expected: list[tuple[str, object, type | tuple[type, ...], str]] = [
        ("rulebook", rulebook, Rulebook, "a Rulebook from load_rulebook()"),
        ("case", case, Case, "a Case from load_case() or case_from_mapping()"),
        ("as_of", as_of, (dt.date, type(None)), "a datetime.date or None"),
        ("jurisdiction", jurisdiction, (str, type(None)), "a code such as 'US-NY', or None"),
        ("backend", backend, str, f"one of {', '.join(BACKENDS)}"),
    ]
    for name, value, kind, wanted in expected:
        if not isinstance(value, kind) or isinstance(value, dt.datetime):
            raise ArgumentTypeError(f"evaluate(): {name} must be {wanted}, got "
                                    f"{type(value).__name__} {value!r:.60}")
    if backend not in BACKENDS:
        raise BackendError(f"unknown backend {backend!r}; choose one of {', '.join(BACKENDS)}")


def prepare(rulebook: Rulebook, jurisdiction: str, backend: str = "python") -> None:
    """Compile a jurisdiction's rules for a backend ahead of the first case (an audit worker
    does this before its per-record time limit starts counting)."""
    _backend(rulebook, rulebook.resolve(jurisdiction), backend)


def evaluate(rulebook: Rulebook, case: Case, *, as_of: dt.date | None = None,
             jurisdiction: str | None = None, backend: str = "python") -> Report:
    """Evaluate every rule in force for the case's jurisdiction (or `jurisdiction`) on `as_of`
    (default: today). Findings come in a fixed order: severity, rule id, item.

    An unknown jurisdiction is refused (`JurisdictionError` for the argument, `CaseError` at
    `$.jurisdiction` for the case's own code); a US state without a layer of its own runs the
    federal rules and the report's `notes` say so."""
    _check_arguments(rulebook, case, as_of, jurisdiction, backend)
    day = as_of or dt.date.today()
    code = jurisdiction or case.jurisdiction
    try:
        note = rulebook.layer_note(code)
    except JurisdictionError as exc:
        if jurisdiction is not None:
            raise
        raise CaseError(f"case {case.id}", [Problem("$.jurisdiction", str(exc))]) from None
    resolved = rulebook.resolve(code)
    runner = _backend(rulebook, resolved, backend)
    params = resolved.values_on(day)
    ctx = c.Context(params, case.student.date_of_birth)
    active = [rule.in_force(day) for rule in resolved.rules]
    wanted: set[str] = {rule.scope for rule in resolved.rules}
    plans = _plans(rulebook, resolved)
    case_items, ledgers = case_items_on(case, day, params, wanted, names_read(rulebook, resolved))
    findings = [
        _finding(plans[index], item, truth, params, ctx, resolved, case.id)
        for index, item, truth in runner.run(case_items, params, ctx, active)
    ]
    findings.sort(key=Finding.sort_key)
    return Report(case.id, day, code, backend, tuple(findings), ledgers,
                  notes=(note,) if note else ())


FINGERPRINT_VERSION = 1


@functools.cache
def _derived_names(scope: str) -> frozenset[str]:
    return frozenset(kinds(scope))


def _stable(value: Any) -> bool:
    """Whether a derived value of the item follows its records rather than the run date: dates
    (an IEP's `in_effect_until` is its end, replacement, revocation or exit), truth values and
    names do; counts of days (which grow with `as_of`) and unknowns do not."""
    return isinstance(value, dt.date | bool | str)


def fingerprint(case_id: str, finding: Finding, scope: str) -> str:
    """A finding's stable identity: a hash of the case id, rule id, subject, whether it is a
    finding or a needs-data, and the recorded facts it read (JSON path and value). Left out on
    purpose: the message and title wording, citations, severity labels, `as_of`, and facts
    derived from the date or the whole case (`as_of`, `student.age`, `case.*`, `ledger.*`, and
    a scope's derived counts), so the same problem on the same record keeps its fingerprint from
    one run to the next, and a changed record read by the rule gets a new one."""
    return _fingerprint(case_id, finding.rule_id, finding.subject,
                        finding.severity == "needs-data", finding.evidence, scope)


def _fingerprint(case_id: str, rule_id: str, subject: str, needs_data: bool,
                 evidence: Sequence[Evidence], scope: str) -> str:
    """`fingerprint` from a finding's parts."""
    derived = _derived_names(scope)
    recorded = {
        (e.path or f"{subject}.{e.fact}", _json_text(e.value))
        for e in evidence
        if (e.path is not None or "." not in e.fact) and _keyed(e.fact)
        and (e.fact.split(".")[0] not in derived or _stable(e.value))
    }
    return _digest(case_id, rule_id, subject, needs_data, recorded)


def _keyed(fact: str) -> bool:
    """Whether a fact can be part of a fingerprint at all (see `fingerprint`)."""
    return (fact != "student.age"
            and not fact.startswith("$")  # list elements a quantifier read: never keyed
            and fact.split(".")[0] not in {"as_of", "case", "ledger"})


def _digest(case_id: str, rule_id: str, subject: str, needs_data: bool,
            recorded: set[tuple[str, str]]) -> str:
    """The fingerprint of the recorded facts a finding read, as (JSON path, value as JSON).
    An item's own facts (no dot) are keyed as `subject.fact`: derived ones carry no JSON
    path, but they keyed the same string when they did, so fingerprints stay as they were."""
    kind = "needs-data" if needs_data else "finding"
    # json.dumps([version, case_id, rule_id, subject, kind, sorted(recorded)],
    # separators=(",", ":")), written out: every part is a text or a list of two texts
    text = encode_basestring_ascii
    pairs = ",".join(f"[{text(p)},{text(v)}]" for p, v in sorted(recorded))
    blob = (f"[{FINGERPRINT_VERSION},{text(case_id)},{text(rule_id)},{text(subject)},"
            f"{text(kind)},[{pairs}]]")
    digest = hashlib.sha256(blob.encode("utf-8")).hexdigest()[:20]
    return f"fp{FINGERPRINT_VERSION}-{digest}"  # a prefix keeps YAML from reading it as a number


_JSON_CONSTANTS = {None: "null", True: "true", False: "false"}


def _json_text(value: Any) -> str:
    """`json.dumps(json_value(value), sort_keys=True)`, without the encoder's set-up for the
    ints, texts and constants most evidence values are."""
    kind = type(value)
    if kind is int:
        return int.__repr__(value)
    if kind is str:
        return encode_basestring_ascii(value)
    if value is None or kind is bool:
        return _JSON_CONSTANTS[value]
    return json.dumps(json_value(value), sort_keys=True)


def case_items_on(case: Case, day: dt.date, params: Mapping[str, Any], scopes: set[str],
                  reads: Collection[str] | None = None
                  ) -> tuple[list[Item], tuple[MandateLedger, ...]]:
    """The items of the wanted scopes on `day`, with the ledgers their services read; the
    calendar (engine/_deadlines.py) reads the same items the rules do. With `reads` (the
    names the rules read, `names_read`), derived facts no rule reads are left out."""
    timeline = build_timeline(case, day, params)  # the case's history, read once per case
    ledgers = tuple(case_ledger(case, day, params, iep_accrual_windows(case, day, params,
                                                                        timeline)))
    found = list(items(case, day, scopes, {lg.subject: lg.facts() for lg in ledgers}, timeline,
                       reads))
    return found, ledgers


def citations(rule: Rule, resolved: Resolved, ns: Mapping[str, Any], ctx: c.Context,
               truth: int) -> tuple[Citation, ...]:
    """The rule's own citations that apply to this item, then those of the parameters it uses
    (as the layer in force cites them), so a New York finding shows the New York source of its
    New York number. A citation with a `when` stays only if it holds for the item (for a
    needs-data finding, if it may hold); none is repeated, and a paragraph is dropped when a
    finer paragraph of it is already cited (300.320(b) beside 300.320(b)(1))."""
    need = c.TRUE if truth == c.TRUE else c.UNKNOWN
    own = [cite for cite in rule.cite if cite.when is None
           or c.truth(cite.when, ns, ctx, None) >= need] or list(rule.cite)
    return _merge_citations(rule, resolved, own)


def _merge_citations(rule: Rule, resolved: Resolved, own: list[Citation]
                     ) -> tuple[Citation, ...]:
    # A paragraph the rule cites only under a condition that does not hold stays out, even
    # when a parameter the rule read cites it too.
    left_out = {cite.authority for cite in rule.cite} - {cite.authority for cite in own}
    out: list[Citation] = []
    for cite in own + [p for name in rule.params_used for p in resolved.parameters[name].cite]:
        if cite.authority not in left_out and all(cite.authority != k.authority for k in out):
            out.append(cite)
    return tuple(cite for cite in out
                 if not any(other.authority.startswith(cite.authority + "(") for other in out))


class _RulePlan:
    """What every finding of one rule shares, worked out once per rulebook and jurisdiction
    instead of once per finding: the reads a traced walk of its condition makes, its
    citations when none depends on the item, its message templates split into text and
    placeholders, and its source as text."""

    __slots__ = ("cites", "facts", "message", "remedy", "rule", "source", "steps")

    def __init__(self, rule: Rule, resolved: Resolved) -> None:
        self.rule = rule
        self.steps = c.trace_steps(rule.when)
        conditional = any(cite.when is not None for cite in rule.cite)
        self.cites = None if conditional else _merge_citations(rule, resolved, list(rule.cite))
        self.message = compile_template(rule.message)
        self.remedy = compile_template(rule.remedy)
        self.source = str(rule.source)
        self.facts: dict[str, _FactPlan] = {}  # by fact name, as first read


class _FactPlan:
    """How one fact a rule reads on items of one scope shows as evidence, worked out on its
    first read: its declared meaning (a function of the name and the item's scope), and its
    JSON path (`path_of`) as the path of the record holding it plus the field's name, where
    whether that names a field of the case format depends only on the record's place, the
    same for every item of the scope."""

    __slots__ = ("derived", "field", "holder", "keyed", "meaning", "own", "whole")

    def __init__(self, ns: Mapping[str, Any], name: str, scope: str) -> None:
        self.meaning = derived_meaning(ns, name)
        parts = name.split(".")
        # how the fingerprint reads it (`_fingerprint`, the same tests split by what they read)
        self.keyed, self.own = _keyed(name), len(parts) == 1
        self.derived = parts[0] in _derived_names(scope)
        # the names path_of answers from the name alone, or (quantified list elements,
        # `$.ieps[0].goals[1].measurable`) from a path that is the name itself
        self.whole = (name in ON_FILE_PATHS or name.startswith("$")
                      or parts[0] in ("as_of", "case", "ledger"))
        self.holder = tuple(parts[:-1])
        self.field: tuple[str, bool] | None = None  # (".name", names a field) once known

    def path(self, ns: Mapping[str, Any], name: str) -> str | None:
        if self.whole:
            return path_of(ns, name)
        holder = c.lookup(ns, self.holder) if self.holder else ns
        if not isinstance(holder, Mapping) or not (base := holder.get("$path")):
            return None
        if self.field is None:
            self.field = ("." + name.rpartition(".")[2],
                          path_of(ns, name) is not None)
        return f"{base}{self.field[0]}" if self.field[1] else None


def _plans(rulebook: Rulebook, resolved: Resolved) -> list[_RulePlan]:
    key = f"findings:{resolved.jurisdiction}"
    cache = rulebook.programs
    plans = cache.get(key)
    if plans is None:
        plans = cache[key] = [_RulePlan(rule, resolved) for rule in resolved.rules]
    return plans  # type: ignore[return-value]


def names_read(rulebook: Rulebook, resolved: Resolved) -> frozenset[str]:
    """Every name a jurisdiction's rules may read at the top of an item's namespace: the first
    step of each fact in their conditions (list quantifiers' `where` included: a name there
    may be the enclosing item's), their citations' conditions and their message and remedy
    placeholders. Worked out once per rulebook and jurisdiction."""
    key = f"reads:{resolved.jurisdiction}"
    cache = rulebook.programs
    found = cache.get(key)
    if found is None:
        names: set[str] = set()
        for rule in resolved.rules:
            conditions = [rule.when, *(cite.when for cite in rule.cite if cite.when is not None)]
            names.update(fact.path[0] for cond in conditions
                         for fact in c.facts_read(cond, inside_lists=True))
            names.update(part[1][0] for template in (rule.message, rule.remedy)
                         for part in compile_template(template)
                         if not isinstance(part, str) and part[1] is not None)
        found = cache[key] = frozenset(names)
    return found  # type: ignore[return-value]


def _finding(plan: _RulePlan, item: Item, truth: int, params: Mapping[str, Any],
             ctx: c.Context, resolved: Resolved, case_id: str) -> Finding:
    rule, ns = plan.rule, item.ns
    read: dict[str, Any] = {}
    gaps: set[str] = set()

    def trace(name: str, value: Any, presence_only: bool) -> None:
        if name not in read:
            read[name] = value
        if value is None and not presence_only:
            gaps.add(name)

    # The reads of a traced walk of the rule, only for items that produced a finding.
    c.replay(plan.steps, ns, ctx, trace)
    facts = plan.facts  # the rule's scope is the item's
    evidence = []
    recorded: set[tuple[str, str]] = set()  # what the fingerprint keys (see `fingerprint`)
    for name, value in read.items():
        fact = facts.get(name)
        if fact is None:
            fact = _FactPlan(ns, name, rule.scope)
            if not name.startswith("$"):  # list elements' paths have indices: never kept
                facts[name] = fact
        path, value = fact.path(ns, name), _plain(value)
        evidence.append(Evidence(name, path, value, fact.meaning))
        if fact.keyed and (path is not None or fact.own) and (
                not fact.derived or _stable(value)):
            recorded.add((path or f"{item.subject}.{name}", _json_text(value)))
    found = tuple(evidence)
    cites = plan.cites
    if cites is None:
        cites = citations(rule, resolved, ns, ctx, truth)
    identity = _digest(case_id, rule.id, item.subject, truth != c.TRUE, recorded)
    if truth == c.TRUE:
        return Finding(rule.id, rule.title, rule.topic, rule.severity,
                       fill(plan.message, ns, params), item.subject, found, cites,
                       plan.source, rule.source.layer, remedy=fill(plan.remedy, ns, params),
                       order=item.order, fingerprint=identity)
    missing = tuple(e.path or e.fact for e in found if e.fact in gaps)
    message = (f"Cannot decide '{rule.title}': the record does not show "
               f"{', '.join(missing) or 'a fact this rule needs'}.")
    return Finding(rule.id, rule.title, rule.topic, Severity.NEEDS_DATA, message, item.subject,
                   found, cites, plan.source, rule.source.layer, missing=missing,
                   order=item.order, fingerprint=identity)


def _plain(value: Any) -> Any:
    """An evidence value as the data it stands for: the lazily computed case facts (a rule may
    read `case` whole) as the dict they make."""
    return value.whole() if type(value) is LazyCaseFacts else value


def format_value(value: Any) -> str:
    kind = type(value)
    if kind is str:  # the most common values in a message first, by their exact type
        return _code_or_week(value) or value
    if kind is int:
        return str(value)
    if kind is dt.date:
        return dt.date.isoformat(value)
    if kind is tuple:
        return ", ".join([format_value(v) for v in value]) or "(none)"
    if value is None:
        return "(not recorded)"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(format_value(v) for v in value) or "(none)"
    if isinstance(value, str):
        return _code_or_week(value) or str(value)
    return str(value)


def _code_or_week(value: str) -> str | None:
    """A code as words, a ledger week as its dates, or None for other text. (The cheap tests
    first: a code has an underscore, a week code is 8 characters long.)"""
    if "_" in value and _CODE.fullmatch(value):
        return value.replace("_", " ")  # a code such as limited_english_proficiency
    if len(value) == 8 and _ISO_WEEK.fullmatch(value):
        # a ledger period such as 2024-W47: people read the school week's dates, not its code
        try:
            monday = dt.date.fromisocalendar(int(value[:4]), int(value[6:]), 1)
        except ValueError:  # week 53 of a year that has none: not a week code after all
            return None
        return f"the week of {monday.isoformat()} to {(monday + dt.timedelta(4)).isoformat()}"
    return None


# A message template split once: text as it stands, and placeholders as (the parameter's
# name, None) or (None, the fact's path).
Template = tuple[str | tuple[str | None, tuple[str, ...] | None], ...]


@functools.lru_cache(maxsize=4096)
def compile_template(template: str) -> Template:
    """Split `{fact.path}` and `{param.name}` placeholders from the text around them, once per
    template instead of a regular-expression pass for every finding."""
    parts: list[str | tuple[str | None, tuple[str, ...] | None]] = []
    at = 0
    for match in PLACEHOLDER.finditer(template):
        if match.start() > at:
            parts.append(template[at:match.start()])
        name = match.group(1).strip()
        if name.startswith("param."):
            parts.append((name[6:], None))
        else:
            parts.append((None, tuple(name.split("."))))
        at = match.end()
    if at < len(template):
        parts.append(template[at:])
    return tuple(parts)


def fill(template: Template, ns: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """A compiled template with its placeholders filled from the item and the parameters."""
    out = []
    for part in template:
        if isinstance(part, str):
            out.append(part)
        elif part[1] is None:
            out.append(format_value(params.get(part[0] or "")))
        else:
            out.append(format_value(c.lookup(ns, part[1])))
    return "".join(out)


def render(template: str, ns: Mapping[str, Any], params: Mapping[str, Any]) -> str:
    """Fill `{fact.path}` and `{param.name}` placeholders. No format-spec, no attribute access:
    a placeholder is only ever looked up as data."""
    return fill(compile_template(template), ns, params)
