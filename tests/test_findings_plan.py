"""The per-rule finding plan (engine/_evaluate._RulePlan) against the straightforward way it
replaces: a traced walk of the condition per finding, `path_of` and `derived_meaning` per fact,
`re.sub` over the message, citations and fingerprint computed in full. Same findings, field by
field, on every rule and item of the bundled examples and histories."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from pathlib import Path
from typing import Any

import pytest

from iep_rules import case_from_mapping, load_case
from iep_rules._findings import Evidence, Finding, json_value
from iep_rules.engine import _evaluate as ev
from iep_rules.facts._derived import kinds
from iep_rules.lang import _conditions as c
from iep_rules.lang._explain import derived_meaning, path_of

ROOT = Path(__file__).resolve().parent.parent
CASES = sorted((ROOT / "examples").glob("*.json")) + sorted((ROOT / "tests" / "histories").glob("*.json"))
DATES = ("2025-06-20",)


def _reference_render(template: str, ns: Any, params: Any) -> str:
    """The renderer before templates were compiled: one regular-expression pass per message."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name.startswith("param."):
            return ev.format_value(params.get(name[6:]))
        return ev.format_value(c.lookup(ns, name.split(".")))

    return re.sub(r"\{([^{}]*)\}", fill, template)


def _reference_fingerprint(case_id: str, rule_id: str, subject: str, needs_data: bool,
                           evidence: tuple[Evidence, ...], scope: str) -> str:
    """The fingerprint as json.dumps wrote it before its text was written out by hand."""
    derived = set(kinds(scope))
    recorded = sorted({
        (e.path or f"{subject}.{e.fact}", json.dumps(json_value(e.value), sort_keys=True))
        for e in evidence
        if (e.path is not None or "." not in e.fact) and e.fact != "student.age"
        and not e.fact.startswith("$")
        and e.fact.split(".")[0] not in {"as_of", "case", "ledger"}
        and (e.fact.split(".")[0] not in derived or isinstance(e.value, dt.date | bool | str))
    })
    blob = json.dumps([1, case_id, rule_id, subject, "needs-data" if needs_data else "finding",
                       recorded], separators=(",", ":"))
    return f"fp1-{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:20]}"


def _reference_finding(rule: Any, item: Any, truth: int, params: Any, ctx: c.Context,
                       resolved: Any, case_id: str) -> Finding:
    """A finding built the long way: the tree walked again with tracing, every fact's path and
    meaning looked up, the message rendered by `re.sub`."""
    read: dict[str, Any] = {}
    gaps: set[str] = set()

    def trace(name: str, value: Any, presence_only: bool) -> None:
        read.setdefault(name, value)
        if value is None and not presence_only:
            gaps.add(name)

    c.truth(rule.when, item.ns, ctx, trace)
    evidence = tuple(Evidence(name, path_of(item.ns, name), ev._plain(value),
                              derived_meaning(item.ns, name)) for name, value in read.items())
    cites = ev.citations(rule, resolved, item.ns, ctx, truth)
    needs_data = truth != c.TRUE
    identity = _reference_fingerprint(case_id, rule.id, item.subject, needs_data, evidence,
                                      rule.scope)
    if not needs_data:
        return Finding(rule.id, rule.title, rule.topic, rule.severity,
                       _reference_render(rule.message, item.ns, params), item.subject, evidence,
                       cites, str(rule.source), rule.source.layer,
                       remedy=_reference_render(rule.remedy, item.ns, params),
                       order=item.order, fingerprint=identity)
    missing = tuple(e.path or e.fact for e in evidence if e.fact in gaps)
    message = (f"Cannot decide '{rule.title}': the record does not show "
               f"{', '.join(missing) or 'a fact this rule needs'}.")
    return Finding(rule.id, rule.title, rule.topic, ev.Severity.NEEDS_DATA, message,
                   item.subject, evidence, cites, str(rule.source), rule.source.layer,
                   missing=missing, order=item.order, fingerprint=identity)


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_findings_from_the_plan_equal_the_long_way(rulebook, path):
    case = load_case(path)
    resolved = rulebook.resolve(case.jurisdiction)
    plans = ev._plans(rulebook, resolved)
    compared = 0
    for day in map(dt.date.fromisoformat, DATES):
        params = resolved.values_on(day)
        ctx = c.Context(params, case.student.date_of_birth)
        case_items, _ = ev.case_items_on(case, day, params, {r.scope for r in resolved.rules})
        for item in case_items:
            for index, rule in enumerate(resolved.rules):
                if rule.scope != item.scope:
                    continue
                # every rule, whatever its truth here: the plan must hold on silent items too
                for truth in (c.TRUE, c.UNKNOWN):
                    got = ev._finding(plans[index], item, truth, params, ctx, resolved, case.id)
                    want = _reference_finding(rule, item, truth, params, ctx, resolved, case.id)
                    assert got == want, (rule.id, item.subject, str(day))
                    assert got.fingerprint == want.fingerprint
                    compared += 1
    assert compared > 50


def _calls(cond: c.Cond, ns: Any, ctx: c.Context, *, replayed: bool) -> list[tuple[Any, ...]]:
    out: list[tuple[Any, ...]] = []

    def trace(name: str, value: Any, presence_only: bool) -> None:
        out.append((name, value, presence_only))

    if replayed:
        c.replay(c.trace_steps(cond), ns, ctx, trace)
    else:
        c.truth(cond, ns, ctx, trace)
    return out


def test_replay_reports_what_a_traced_walk_reports_in_its_order():
    """Counts with `where`, list quantifiers, date functions reading the birth date, missing:
    every kind of read, in the walk's order (the first value of a fact is its evidence)."""
    goals = c.Fact(("goals",))
    cond = c.All((
        c.Compare(c.Count(goals, c.Exists(c.Fact(("measurable",)), True)), "ge", c.Literal(1)),
        c.AnyOf((c.Compare(c.Call("age_on", (c.Fact(("as_of",)),)), "ge", c.Param("age")),
                 c.Exists(c.Fact(("note",)), False))),
        c.Not(c.Quantifier("some", goals, c.Compare(c.Fact(("area",)), "eq", c.Fact(("kind",))))),
        c.Compare(c.Count(goals, None), "gt", c.Fact(("iep", "limit"))),
    ))
    ns = {"$path": "$.ieps[0]", "as_of": dt.date(2024, 5, 1), "kind": "math",
          "iep": {"$path": "$.ieps[0]", "limit": None},
          "goals": ({"$path": "$.ieps[0].goals[0]", "measurable": True, "area": "math"},
                    {"$path": "$.ieps[0].goals[1]", "measurable": None, "area": "reading"})}
    ctx = c.Context({"age": 5}, dt.date(2018, 3, 2))
    walked = _calls(cond, ns, ctx, replayed=False)
    assert len(walked) > 8
    assert _calls(cond, ns, ctx, replayed=True) == walked
    assert _calls(cond, {}, c.Context({"age": 5}, None), replayed=True) == _calls(
        cond, {}, c.Context({"age": 5}, None), replayed=False)


@pytest.mark.parametrize("template", [
    "", "plain text", "{a}", "{ a.b }", "x {param.days} y {a} z", "{}", "{param.}",
    "{{a}}", "{a}{b}", "unclosed {a", "} {a} {", "{param. days }",
])
def test_compiled_templates_fill_as_the_regular_expression_did(template):
    ns = {"a": "speech_language", "b": (dt.date(2024, 1, 2), 3), "": 1,
          "c": {"d": True}}
    params = {"days": 30, "": "none"}
    assert ev.render(template, ns, params) == _reference_render(template, ns, params)


def test_a_plan_keeps_no_path_of_a_list_element(rulebook):
    """Facts a quantifier read on list elements are named by their indexed paths: a plan kept
    per rulebook must not grow with every element of every case it sees."""
    case = case_from_mapping({
        "id": "c1", "jurisdiction": "US", "student": {"id": "s1"},
        "ieps": [{"id": "i1", "meeting_date": "2024-01-10", "start": "2024-01-15",
                  "end": "2025-01-14", "goals": [{"area": "reading"}] * 3}]})
    resolved = rulebook.resolve("US")
    report = ev.evaluate(rulebook, case, as_of=dt.date(2024, 6, 1))
    assert any(e.fact.startswith("$.ieps[0].goals[") for f in report.findings
               for e in f.evidence)
    kept = {name for plan in ev._plans(rulebook, resolved) for name in plan.facts}
    assert kept and not any(name.startswith("$") for name in kept)


class _Spoken(str):
    """A text type of its own (as a StrEnum is): read by its str()."""

    def __str__(self) -> str:
        return "spoken"


@pytest.mark.parametrize(("value", "text"), [
    (None, "(not recorded)"), (True, "yes"), (False, "no"), (0, "0"), (-3, "-3"), (2.5, "2.5"),
    ("", ""), ("reading", "reading"), ("speech_language", "speech language"),
    ("Speech_language", "Speech_language"), ("a_b_", "a_b_"),
    ("2024-W47", "the week of 2024-11-18 to 2024-11-22"),
    ("2020-W53", "the week of 2020-12-28 to 2021-01-01"),
    ("2021-W53", "2021-W53"),  # a year without a week 53: not a week code
    ("2024-W00", "2024-W00"), ("2024-W470", "2024-W470"),
    (dt.date(2024, 2, 29), "2024-02-29"), (dt.datetime(2024, 2, 29, 8, 30), "2024-02-29T08:30:00"),
    ((), "(none)"), ([], "(none)"),
    (("speech_language", 3, None, (dt.date(2024, 1, 2),)),
     "speech language, 3, (not recorded), 2024-01-02"),
    (["2024-W01", True], "the week of 2024-01-01 to 2024-01-05, yes"),
    (ev.Severity.NEEDS_DATA, "needs-data"), (_Spoken("x_y"), "x y"), (_Spoken("plain"), "spoken"),
    ({"a": 1}, "{'a': 1}"),
], ids=repr)
def test_format_value_reads_values_as_people_do(value, text):
    assert ev.format_value(value) == text
