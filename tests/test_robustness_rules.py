"""Lint refuses what a backend cannot run, so a lint-clean rule file runs on both backends with
the same findings; generated rule files (from the grammar) and case documents (by mutation)
hold both backends and every output format to that. Long runs are slow-marked; the recorded
campaign (bench/fuzz_campaign.py, docs/fuzzing.md) runs the same generators at volume."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from fuzzgen import SEED_CASES, case_line, mutate_case, rule_file

from iep_rules import (
    CaseError,
    EvaluationError,
    IEPRulesError,
    Rulebook,
    RuleFileError,
    case_from_mapping,
    evaluate,
)
from iep_rules.case._io import parse_json
from iep_rules.engine._durable import DurableBackend, _fact_value
from iep_rules.lang._rulefile import parse_layer
from iep_rules.render import REPORT_FORMATS, ReportInput, render_report

AS_OF = dt.date(2025, 3, 1)
RULE = """jurisdiction: US
rules:
  - id: my.rule
    title: t
    topic: iep-contents
    severity: notice
    scope: {scope}
    when: {when}
    message: m
    cite: [{{authority: x, verified: true}}]
"""


def lint(text: str) -> list[str]:
    _layer, problems = parse_layer(text, "x.yaml")
    return [p.message for p in problems]


@pytest.mark.parametrize("when", ["{fact: frequency, is_not: x}", "{fact: team_present, is: x}",
                                  "{fact: start, is: '2024-01-01'}", "{fact: id, is_not: 3}",
                                  "{fact: services, is_not: [a]}"])
def test_equality_across_kinds_is_refused(when):
    scope = "service" if "frequency" in when else "iep"
    [message] = lint(RULE.format(scope=scope, when=when))
    assert "compares two values of one kind" in message


@pytest.mark.parametrize("value", [".inf", "-.inf", ".nan", "1.0e-300", "1.0e+300", "0.0001",
                                   "9007199254740992", "9" * 5000, "0x20000000000000"])
def test_numbers_no_backend_can_hold_are_refused(value):
    text = RULE.format(scope="iep", when="{fact: id, is: x}") + (
        f"parameters:\n  - name: p\n    values: [{{from: '2000-01-01', value: {value}}}]\n"
        "    cite: [{authority: x, verified: true}]\n")
    [message] = lint(text)
    assert "finite" in message or "out of range" in message or "in size" in message


def test_parameter_kinds_are_checked_where_rules_meet_values(tmp_path):
    from iep_rules import load_rulebook

    bad = tmp_path / "bad.yaml"
    bad.write_text("jurisdiction: US\nparameters:\n  - {name: transition_age, values: "
                   "[{from: '2000-01-01', value: sixteen}], cite: [{authority: a, verified: "
                   "true}]}\n", encoding="utf-8")
    with pytest.raises(RuleFileError) as info:
        load_rulebook(bad)
    assert any("transition_age" in p.message and "string" in p.message
               for p in info.value.problems)
    assert len(info.value.problems) == len(set(info.value.problems))  # said once each


def test_example_cases_must_be_valid_cases():
    text = RULE.format(scope="iep", when="{fact: id, is: x}") + (
        "    examples:\n      - {name: e, expect: fires, case: {id: c, jurisdiction: US, "
        "student: {id: s}, ieps: [{id: x, services: [{id: a, name: b, weekdays: [Mon]}]}]}}\n")
    [message] = lint(text)
    assert message.startswith("example case: $.ieps[0].services[0].weekdays: unknown weekday")


@pytest.mark.parametrize("size", [1, 7, 40, 197])
@pytest.mark.parametrize("group", ["all", "any"])
@pytest.mark.durable
def test_large_groups_run_on_both_backends_alike(group, size):
    conds = ", ".join(f"{{fact: id, is_not: v{i}}}" for i in range(size))
    layer, problems = parse_layer(RULE.format(scope="iep", when=f"{{{group}: [{conds}]}}"), "x")
    assert layer is not None and not problems
    book = Rulebook((layer,))
    case = case_from_mapping(SEED_CASES[0])
    found = [[(f.subject, f.severity) for f in evaluate(book, case, as_of=AS_OF,
                                                         backend=b).findings]
             for b in ("python", "durable")]
    assert found[0] == found[1] and found[0]


@pytest.mark.parametrize(("value", "sent"), [
    (2**80, 2**53), (-(2**80), -(2**53)), (1e-300, 0.0005), (-1e-300, -0.0005), (1e300, 2**53),
    (3.0, 3), (12.75, 12.75), (dt.date(2024, 1, 1), dt.date(2024, 1, 1).toordinal()),
    ((1, 2), None), ({"a": 1}, None)])
def test_values_reach_durable_rules_only_in_forms_it_reads(value, sent):
    assert _fact_value(value) == sent


def test_nan_never_reaches_durable_rules():
    with pytest.raises(EvaluationError):
        _fact_value(float("nan"))


@pytest.mark.durable
def test_a_refused_ruleset_is_an_evaluation_error(monkeypatch):
    layer, _ = parse_layer(RULE.format(scope="iep", when="{fact: id, is: x}"), "x")
    assert layer is not None
    import durable_rules_engine

    def refuse(name, definition):
        raise RuntimeError("Could not create ruleset, error code: 113")

    monkeypatch.setattr(durable_rules_engine, "create_ruleset", refuse)
    with pytest.raises(EvaluationError, match="refused ruleset"):
        DurableBackend(layer.rules)


# ---- generated inputs ----------------------------------------------------------------------

@pytest.fixture(scope="module")
def parameter_layers(rulebook):
    """The bundled layers' parameters, without their rules: generated rules run alone."""
    return tuple(attrs.evolve(layer, rules=(), disabled=()) for layer in rulebook.layers)


def _cases():
    import random

    out = [case_from_mapping(doc) for doc in SEED_CASES]
    rng = random.Random(3)
    while len(out) < len(SEED_CASES) + 3:
        try:
            out.append(case_from_mapping(mutate_case(rng)))
        except CaseError:
            continue
    return out


def _every_format(report, case, rules):
    for fmt in REPORT_FORMATS:
        render_report(fmt, ReportInput(report, case, "x.json", rules))


def _check_rule_file(seed, base, cases):
    layer, problems = parse_layer(rule_file(seed), f"gen-{seed}.yaml")
    if layer is None:
        assert problems and all(":" in p.location for p in problems)
        return "refused"
    book = Rulebook((*base, layer))
    try:
        resolved = book.resolve(layer.jurisdiction)
    except RuleFileError:
        return "refused"
    for case in cases:
        found = {}
        for backend in ("python", "durable"):
            try:
                report = evaluate(book, case, as_of=AS_OF, jurisdiction=layer.jurisdiction,
                                  backend=backend)
            except IEPRulesError as exc:  # must not happen to a lint-clean file
                pytest.fail(f"seed {seed}: {backend}: {exc}")
            found[backend] = sorted((f.rule_id, f.subject, f.severity, f.message)
                                    for f in report.findings)
            _every_format(report, case, resolved.rules)
        assert found["python"] == found["durable"], f"seed {seed}"
    return "clean"


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.durable
def test_generated_rule_files_lint_or_agree(seed, parameter_layers):
    _check_rule_file(seed, parameter_layers, _cases()[:3])


@pytest.mark.slow
@pytest.mark.durable
def test_many_generated_rule_files_lint_or_agree(parameter_layers):
    cases = _cases()
    outcomes = [_check_rule_file(seed, parameter_layers, cases) for seed in range(1000, 1400)]
    assert outcomes.count("clean") > 200  # the generator mostly writes lint-clean files


def _check_case_line(seed, rulebook):
    raw = case_line(seed)
    try:
        case = case_from_mapping(parse_json(raw, "gen.jsonl"))
    except CaseError as exc:
        assert exc.problems and all(len(str(p)) < 700 for p in exc.problems)
        return "refused"
    far = dt.date(2100, 1, 1)
    if any(c.year_end > far or any(x.end > far for x in c.closures)
           for c in case.calendars or ()):
        return "ledger"  # centuries-long calendars: bounded on the ledger branch (issue 11)
    found = {}
    for backend in ("python", "durable"):
        report = evaluate(rulebook, case, as_of=AS_OF, backend=backend)
        found[backend] = [(f.rule_id, f.subject, f.severity, f.message) for f in report.findings]
        _every_format(report, case, rulebook.resolve(report.jurisdiction).rules)
    assert found["python"] == found["durable"], f"seed {seed}"
    return "evaluated"


@pytest.mark.parametrize("seed", range(20))
@pytest.mark.durable
def test_mutated_case_documents_refuse_or_agree(seed, rulebook):
    _check_case_line(seed, rulebook)


@pytest.mark.slow
@pytest.mark.durable
def test_many_mutated_case_documents_refuse_or_agree(rulebook):
    outcomes = [_check_case_line(seed, rulebook) for seed in range(5000, 5300)]
    assert outcomes.count("evaluated") > 60


def test_a_device_as_a_rule_file_is_refused_without_reading_it():
    from iep_rules import load_rulebook

    with pytest.raises(RuleFileError, match="not a regular file"):
        load_rulebook("/dev/zero")  # reading it would never end
