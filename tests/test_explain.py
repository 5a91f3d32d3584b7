"""Explanations: the traced evaluator agrees with the compiled backend, and reads as text."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import load_case, load_rulebook
from iep_rules.cli import cli
from iep_rules.engine._evaluate import evaluate
from iep_rules.engine._explain import UnknownRuleError, explain
from iep_rules.facts._ledger import case_ledger
from iep_rules.facts._namespace import items
from iep_rules.lang import _conditions as c
from iep_rules.lang._explain import nodes, trace, visited
from iep_rules.strategies import cases, dates

ALL_FORMS = Path(__file__).with_name("rules_all_forms.yaml")
_BOOKS: dict[str, object] = {}


def _book(name: str):
    if name not in _BOOKS:
        _BOOKS[name] = load_rulebook(ALL_FORMS) if name == "forms" else load_rulebook()
    return _BOOKS[name]


def _traced_outcomes(book, case, as_of, jurisdiction):
    """(rule id, subject, truth) for every TRUE/UNKNOWN rule per item, from the trace."""
    resolved = book.resolve(jurisdiction or case.jurisdiction)
    params = resolved.values_on(as_of)
    ctx = c.Context(params, case.student.date_of_birth)
    ledgers = {lg.subject: lg.facts() for lg in case_ledger(case, as_of, params)}
    found = set()
    scopes = {r.scope for r in resolved.rules}
    for item in items(case, as_of, scopes, ledgers):
        for rule in resolved.rules:
            if rule.scope != item.scope or not rule.in_force(as_of):
                continue
            step = trace(rule.when, item.ns, ctx)
            assert step.truth == c.truth(rule.when, item.ns, ctx, None)
            # every node of the rule is in the trace (no short-circuit hides a condition)
            assert {n for n, _ in visited(step)} >= {0}
            if step.truth:
                found.add((rule.id, item.subject, step.truth))
    return found


def _compiled_outcomes(book, case, as_of, jurisdiction):
    report = evaluate(book, case, as_of=as_of, jurisdiction=jurisdiction)
    return {(f.rule_id, f.subject, c.UNKNOWN if f.severity == "needs-data" else c.TRUE)
            for f in report.findings}


@pytest.mark.slow
@settings(max_examples=60, deadline=None)
@given(case=cases(), as_of=dates(min_value=dt.date(2018, 1, 1)),
       jurisdiction=st.sampled_from([None, "US", "US-NY", "US-NY-NYC"]))
def test_trace_agrees_with_compiled_backend_on_bundled_rules(case, as_of, jurisdiction):
    book = _book("bundled")
    assert (_traced_outcomes(book, case, as_of, jurisdiction)
            == _compiled_outcomes(book, case, as_of, jurisdiction))


@pytest.mark.slow
@settings(max_examples=40, deadline=None)
@given(case=cases(min_services=1), as_of=dates(min_value=dt.date(2018, 1, 1)))
def test_trace_agrees_with_compiled_backend_on_every_condition_form(case, as_of):
    book = _book("forms")
    assert _traced_outcomes(book, case, as_of, None) == _compiled_outcomes(book, case, as_of,
                                                                            None)


def test_trace_visits_every_condition_even_after_the_outcome_is_decided(rulebook):
    book = rulebook
    case = load_case("examples/ny-grade9.json")
    ex = explain(book, case, "idea.iep.transition-services", as_of=dt.date(2026, 11, 23))
    rule_nodes = len(nodes(ex.rule.when))
    for item in ex.items:
        assert {n for n, _ in visited(item.step)} == set(range(rule_nodes))


def test_check_explain_names_outcome_conditions_and_facts_read():
    result = CliRunner().invoke(cli, ["check", "examples/ny-grade9.json", "--as-of",
                                      "2026-11-23", "--explain", "idea.iep.transition-services"])
    assert result.exit_code == 0, result.output
    out = result.output
    assert "$.ieps[1]: FIRES" in out and "$.ieps[0]: silent" in out
    assert ("[yes] in_effect_until is on or after the date the student turns transition_age (15)"
            in out)
    # a derived fact is named as derived, with no JSON path (it is not a field of the file)
    assert ("read in_effect_until (derived: the last day this IEP was in effect) = 2026-06-25"
            in out)
    assert "read student.date_of_birth ($.student.date_of_birth) = 2011-02-14" in out
    assert "Outcome: 1 fires, 1 silent, 0 needs-data (of 2 iep items)" in out


def test_check_explain_json_is_structured():
    result = CliRunner().invoke(cli, ["check", "examples/ny-grade9.json", "--as-of",
                                      "2026-11-23", "--explain", "idea.iep.transition-services",
                                      "--format", "json"])
    data = json.loads(result.output)
    assert [i["outcome"] for i in data["items"]] == ["silent", "fires"]
    steps = data["items"][1]["trace"]["steps"]
    until = next(s for s in steps if s["condition"].startswith("in_effect_until"))
    assert until["truth"] == "yes"
    assert {"fact": "in_effect_until", "path": None, "value": "2026-06-25",
            "derived": "the last day this IEP was in effect"} in until["read"]


def test_explain_unknown_rule_is_an_error_with_exit_2(rulebook):
    with pytest.raises(UnknownRuleError, match=re.escape("no rule 'no.such.rule' in force")):
        explain(rulebook, load_case("examples/ny-grade9.json"), "no.such.rule")
    result = CliRunner().invoke(cli, ["check", "examples/ny-grade9.json", "--explain", "nope"])
    assert result.exit_code == 2
    assert "no rule 'nope'" in result.output


def test_rules_explain_prints_readable_condition_not_a_repr():
    result = CliRunner().invoke(cli, ["rules", "explain", "idea.iep.transition-services",
                                      "--jurisdiction", "US-NY"])
    assert result.exit_code == 0
    assert "fires when:" in result.output
    assert "transition is not recorded" in result.output
    assert not re.search(r"\b(Compare|Fact|Literal|All|AnyOf)\(", result.output)


def test_failing_rule_file_example_prints_the_trace(tmp_path):
    rule_file = tmp_path / "mine.yaml"
    rule_file.write_text(FAILING, encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(rule_file)])
    assert result.exit_code == 1
    assert "FAIL mine.iep.no-goals: wrong expectation" in result.output
    assert "[no] the number of goals is 0" in result.output
    assert "read goals ($.ieps[0].goals) = 1 record(s)" in result.output


FAILING = """\
jurisdiction: US
rules:
  - id: mine.iep.no-goals
    title: IEP without goals
    topic: iep-contents
    severity: violation
    scope: iep
    when: {value: {count: goals}, is: 0}
    message: IEP {id} has no goals.
    cite: [{authority: 34 CFR 300.320(a)(2)(i), verified: true}]
    examples:
      - name: wrong expectation
        expect: fires
        case:
          id: c1
          jurisdiction: US
          student: {id: s1, date_of_birth: 2012-01-01}
          ieps: [{id: i1, start: 2024-09-01, end: 2025-06-30,
                  goals: [{area: reading, measurable: true}]}]
"""
