"""Derived facts are declared once (facts/_derived.py) and documented from the declarations."""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest
from hypothesis import given, settings

from iep_rules.facts._derived import DECLARED, LEDGER, ListOf, age_on, facts_markdown
from iep_rules.facts._namespace import items, scope_description
from iep_rules.facts._timeline import build_timeline
from iep_rules.strategies import cases

_TYPES = {"date": dt.date, "number": int, "bool": bool, "string": str}


def test_docs_facts_md_is_current():
    assert Path("docs/facts.md").read_text(encoding="utf-8") == facts_markdown(), (
        "docs/facts.md is stale: run `python -m iep_rules.facts._derived > docs/facts.md`")


def test_every_declaration_says_what_it_means_and_how_it_is_computed():
    names = [(d.scope, d.name) for d in DECLARED]
    assert len(names) == len(set(names)), "a derived fact is declared twice"
    for fact in DECLARED:
        assert fact.meaning and fact.computation, fact.name
        assert fact.kind in _TYPES or isinstance(fact.kind, ListOf), fact.name
    assert all(fact.meaning for fact in LEDGER)


def test_the_rule_file_checker_sees_every_declared_fact():
    case_desc = scope_description("case")["case"]
    for fact in DECLARED:
        if fact.scope == "case":
            assert case_desc[fact.name] == fact.kind
        else:
            assert scope_description(fact.scope)[fact.name] == fact.kind


def test_age_around_a_leap_day_birthday_agrees_with_the_rule_functions():
    from iep_rules.lang._conditions import apply_function

    born = dt.date(2008, 2, 29)
    assert age_on(born, dt.date(2024, 2, 28)) == 15
    assert age_on(born, dt.date(2024, 2, 29)) == 16
    assert age_on(born, dt.date(2025, 2, 27)) == 16
    assert age_on(born, dt.date(2025, 2, 28)) == 17  # relativedelta's convention, as date_turns
    for day in (dt.date(2025, 2, 27), dt.date(2025, 2, 28), dt.date(2025, 3, 1)):
        assert age_on(born, day) == apply_function("age_on", [day], born)
    assert apply_function("date_turns", [17], born) == dt.date(2025, 2, 28)


def _conforms(value, kind):
    if value is None:
        return True
    if isinstance(kind, ListOf):
        return isinstance(value, tuple) and all(_conforms(v, kind.element) for v in value)
    if kind == "number":
        return isinstance(value, int) and not isinstance(value, bool)
    return isinstance(value, _TYPES[kind])


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(cases(as_of=dt.date(2025, 6, 1)))
def test_every_derived_fact_computes_to_its_declared_kind(case):
    as_of = dt.date(2025, 6, 1)
    timeline = build_timeline(case, as_of)
    for item in items(case, as_of, timeline=timeline):
        namespace = item.ns
        for fact in DECLARED:
            if fact.scope == "case":
                assert _conforms(namespace["case"][fact.name], fact.kind), fact.name
            elif fact.scope == item.scope:
                assert _conforms(namespace[fact.name], fact.kind), fact.name


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(cases(as_of=dt.date(2025, 6, 1)))
def test_each_day_has_at_most_one_iep_in_effect_and_windows_do_not_overlap(case):
    timeline = build_timeline(case, dt.date(2025, 6, 1))
    windows = sorted(w for i in range(len(case.ieps or ()))
                     if (w := timeline.accrual_window(i)) is not None)
    for (_, first_end), (second_start, _) in itertools.pairwise(windows):
        assert first_end < second_start
    for start, end in windows:
        assert start <= end <= dt.date(2025, 6, 1)
