"""The durable backend's facts come from generated code (lang/_compiler.py `compile_reads`):
it must send exactly the fact the interpreted reference (`_Flattener.fact`, the condition tree
walked by lang/_conditions.py) builds, for every item, or the two backends could disagree."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_compiler import HOSTILE, hostile_rulebook

from iep_rules import Rulebook, case_from_mapping, evaluate, load_case, load_rulebook
from iep_rules.engine._evaluate import _backend, case_items_on, names_read
from iep_rules.lang import _conditions as c
from iep_rules.lang._rulefile import parse_layer
from iep_rules.strategies import cases, dates

pytestmark = pytest.mark.durable

EXAMPLES = sorted(Path(__file__).parent.parent.joinpath("examples").glob("*.json"))
ALL_FORMS = Path(__file__).with_name("rules_all_forms.yaml")


def _facts_both_ways(book, case, as_of, jurisdiction=None):
    """(generated fact, interpreted fact) for every item of every ruleset of the backend."""
    resolved = book.resolve(jurisdiction or case.jurisdiction)
    backend = _backend(book, resolved, "durable")
    params = resolved.values_on(as_of)
    ctx = c.Context(params, case.student.date_of_birth)
    found, _ = case_items_on(case, as_of, params, {r.scope for r in resolved.rules},
                             names_read(book, resolved))
    pairs = []
    for chunk in backend.chunks:
        members = [it for it in found if it.scope == chunk.scope]
        for i, item in enumerate(members):
            pairs.append((chunk.fact(item, params, ctx, i), chunk.flat.fact(item, ctx, i)))
    return pairs


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: p.name)
def test_generated_facts_equal_the_interpreted_ones_on_the_examples(rulebook, path):
    pairs = _facts_both_ways(rulebook, load_case(path), dt.date(2026, 11, 23))
    assert pairs
    for generated, interpreted in pairs:
        assert json.dumps(generated) == json.dumps(interpreted)  # same fields, order and values


def test_the_example_facts_are_not_trivial(rulebook):
    """Guard against a vacuous comparison: the examples' facts carry known values, unknown
    ones, and atoms of all three truths."""
    fields = [(k, v) for path in EXAMPLES
              for generated, _ in _facts_both_ways(rulebook, load_case(path), dt.date(2026, 11, 23))
              for k, v in generated.items()]
    assert {v for k, v in fields if k.startswith("k")} == {True, False}
    assert {v for k, v in fields if k.startswith("a")} == {0, 1, 2}
    assert any(k.startswith("o") and isinstance(v, int) and v > 700_000 for k, v in fields)  # dates


@pytest.mark.slow
@settings(max_examples=150, deadline=None)
@given(case=cases(), as_of=dates(min_value=dt.date(2018, 1, 1)),
       jurisdiction=st.sampled_from([None, "US", "US-NY"]), forms=st.booleans())
def test_generated_facts_equal_the_interpreted_ones(rulebook, case, as_of, jurisdiction, forms):
    book = _all_forms_rulebook() if forms else rulebook
    for generated, interpreted in _facts_both_ways(book, case, as_of,
                                                   None if forms else jurisdiction):
        assert json.dumps(generated) == json.dumps(interpreted)


_BOOK: list = []


def _all_forms_rulebook():
    if not _BOOK:
        _BOOK.append(load_rulebook(ALL_FORMS))
    return _BOOK[0]


def test_the_fact_code_holds_no_rule_text(tmp_path):
    book = hostile_rulebook(tmp_path)
    backend = _backend(book, book.resolve("US"), "durable")
    source = "\n".join(chunk.source for chunk in backend.chunks)
    tokens = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", source))
    allowed = {"def", "run", "ns", "P", "ctx", "return", "if", "else", "is", "None", "not",
               "or", "and", "in", "get", "min", "max", "len", "student_dob", "_contains_any"}
    assert {tok for tok in tokens if not re.fullmatch(r"_[kft]\d+", tok)} <= allowed
    case = case_from_mapping({"id": "c", "jurisdiction": "US", "student": {"id": "s"},
                              "ieps": [{"id": HOSTILE}]})
    report = evaluate(book, case, as_of=dt.date(2025, 1, 1), backend="durable")
    assert [f.message for f in report.findings if f.rule_id == "custom.hostile"] == [HOSTILE]


def test_an_action_message_names_its_rule_and_fact():
    from iep_rules.engine._durable import _fired

    # as the engine sends it (the fact's own text), and any other spelling of the same JSON
    assert _fired('{"r12t":{"m":{"sid": "s7", "iid": 3, "k0": true}}}') == ("r12t", 3)
    assert _fired('{"r12u":{"m":{"sid": "s7", "iid": 10}}}') == ("r12u", 10)
    assert _fired('{"r4t": {"m": {"iid": 5, "sid": "s7"}}}') == ("r4t", 5)


def test_sessions_where_no_rule_fires():
    """Facts no rule matches, and sessions where no rule fires (only the sentinel, which a
    session needs before it can be deleted): more of them than the engine keeps alive
    (about 1024), each ended cleanly, with the right findings."""
    layer, problems = parse_layer("""\
jurisdiction: US
rules:
  - id: custom.named-z
    title: an IEP named z
    topic: timelines
    severity: notice
    scope: iep
    when: {fact: id, is: z}
    message: "{id}"
    cite: [{authority: "34 CFR 300.324(b)(1)(i)", verified: true}]
""", "one.yaml")
    assert layer is not None and not problems
    book = Rulebook((layer,))  # this rule alone
    for n in range(1100):
        ids = [f"i{k}" for k in range(n % 4)] + (["z"] if n % 5 == 0 else [])
        case = case_from_mapping({"id": f"c{n}", "jurisdiction": "US", "student": {"id": "s"},
                                  "ieps": [{"id": i} for i in ids]})
        report = evaluate(book, case, as_of=dt.date(2025, 1, 1), backend="durable")
        assert [f.subject for f in report.findings] == (
            [f"$.ieps[{len(ids) - 1}]"] if "z" in ids else [])
