"""Derived facts no rule reads are not computed (facts/_namespace.items `reads`): a rulebook
that reads fewer facts gets the same findings, and every name it reads has the same value."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from pathlib import Path

import attrs
import pytest

from iep_rules import load_case
from iep_rules.engine import _evaluate as ev
from iep_rules.facts._derived import scope_derived
from iep_rules.facts._namespace import SCOPES, area_fact_names, items
from iep_rules.facts._timeline import build_timeline
from iep_rules.rulebook._rulebook import Rulebook

ROOT = Path(__file__).resolve().parent.parent
CASES = [*sorted((ROOT / "examples").glob("*.json")),
         *sorted((ROOT / "tests" / "histories").glob("*.json"))]
AS_OF = dt.date(2025, 6, 20)


def _by_file(book: Rulebook, code: str) -> list[Rulebook]:
    """One rulebook per rule file of a jurisdiction: each reads only its own file's facts."""
    resolved = book.resolve(code)
    groups: dict[str, list[object]] = defaultdict(list)
    for rule in resolved.rules:
        groups[str(rule.source).rsplit(":", 1)[0]].append(rule)
    out = []
    for rules in groups.values():
        sub = Rulebook(book.layers)
        sub._cache[code] = attrs.evolve(resolved, rules=tuple(rules))
        out.append(sub)
    return out


@pytest.mark.parametrize("path", CASES, ids=lambda p: p.name)
def test_names_a_rulebook_reads_have_the_values_of_the_whole_namespace(rulebook, path):
    case = load_case(path)
    history = build_timeline(case, AS_OF)
    full = list(items(case, AS_OF, None, None, history))
    left_out = 0
    for sub in _by_file(rulebook, case.jurisdiction):
        reads = ev.names_read(sub, sub.resolve(case.jurisdiction))
        fewer = list(items(case, AS_OF, None, None, history, reads))
        assert [i.subject for i in fewer] == [i.subject for i in full]
        for small, whole in zip(fewer, full, strict=True):
            for name in reads:
                assert small.ns.get(name) == whole.ns.get(name), (small.subject, name)
            missing = set(whole.ns) - set(small.ns)
            assert not missing & set(reads)
            left_out += len(missing)
    assert left_out  # some rule file reads fewer derived facts than the whole rulebook


def test_an_area_computes_only_facts_declared_for_its_scope(rulebook):
    """Leaving an area out is safe only if every fact it computes is declared under its
    scope: an undeclared one could stand in for a recorded field a rule reads."""
    seen: dict[str, set[str]] = defaultdict(set)
    for path in CASES:
        case = load_case(path)
        history = build_timeline(case, AS_OF)
        full = list(items(case, AS_OF, None, None, history))
        bare = list(items(case, AS_OF, None, None, history, reads=frozenset()))
        for with_areas, without in zip(full, bare, strict=True):
            seen[with_areas.scope] |= set(with_areas.ns) - set(without.ns)
    assert seen["service"]
    for scope, names in seen.items():
        assert scope in SCOPES
        record = {f.name for f in attrs.fields(SCOPES[scope][0])}
        assert not names & record, scope
        derived = {d.name for d in scope_derived(scope)} | area_fact_names(scope)
        assert names <= derived, scope


@pytest.mark.slow
@pytest.mark.parametrize("code", ["US", "US-NY-NYC"])
def test_each_rule_file_alone_finds_what_it_finds_with_every_fact_computed(
        rulebook, code, monkeypatch):
    cases = [c for c in map(load_case, CASES) if c.jurisdiction.startswith(code[:5])]
    subs = _by_file(rulebook, code)
    fewer = [[ev.evaluate(sub, case, as_of=AS_OF, jurisdiction=code).findings
              for case in cases] for sub in subs]
    monkeypatch.setattr(ev, "names_read", lambda *_: None)
    for sub, got in zip(subs, fewer, strict=True):
        sub.programs.clear()
        want = [ev.evaluate(sub, case, as_of=AS_OF, jurisdiction=code).findings
                for case in cases]
        assert got == want
    assert any(f for per_sub in fewer for f in per_sub)


def test_a_fact_named_only_in_a_message_is_computed(rulebook):
    """A placeholder reads the namespace too: a derived fact that only the message names is
    still there to fill it."""
    resolved = rulebook.resolve("US")
    rule = next(r for r in resolved.rules if r.id == "idea.makeup.still-owed")
    assert "start_school_day" not in {f.path[0] for f in ev.c.facts_read(rule.when,
                                                                         inside_lists=True)}
    told = attrs.evolve(rule, message="Due to start on {start_school_day}.")
    sub = Rulebook(rulebook.layers)
    sub._cache["US"] = attrs.evolve(resolved, rules=(told,))
    case = load_case(ROOT / "examples" / "ledger-speech.json")
    found = ev.evaluate(sub, case, as_of=AS_OF, jurisdiction="US").findings
    assert found and all(f.message.startswith("Due to start on 20") for f in found)
