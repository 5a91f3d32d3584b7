"""Malformed input always yields the library's own error with a location, never another
exception and never a hang. Run longer with HYPOTHESIS_PROFILE=fuzz (see docs/fuzzing.md)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import CaseError, case_from_mapping
from iep_rules.case._io import parse_json
from iep_rules.lang._rulefile import parse_layer
from iep_rules.strategies import malformed_case_documents

RULE_TEXTS = [p.read_text(encoding="utf-8") for p in sorted(Path("rules").rglob("*.yaml"))]
LOCATED = re.compile(r"^x\.yaml(:\d+:\d+|: byte \d+)$")


@given(malformed_case_documents())
def test_malformed_case_documents_raise_case_error(doc):
    with pytest.raises(CaseError) as info:
        case_from_mapping(doc)
    assert info.value.problems and all(p.location.startswith("$") for p in info.value.problems)


@given(st.binary(max_size=200))
def test_arbitrary_bytes_as_a_case_file(raw):
    try:
        case_from_mapping(parse_json(raw, "x.json"))
    except CaseError as exc:
        assert exc.problems


def test_deeply_nested_json_is_a_case_error():
    with pytest.raises(CaseError, match="nested too deeply"):
        parse_json("[" * 200_000, "deep.json")


def assert_rule_file_fails_cleanly(text):
    layer, problems = parse_layer(text, "x.yaml")
    assert (layer is None) == bool(problems)
    for problem in problems:
        assert LOCATED.match(problem.location), problem


@given(st.text(max_size=300))
def test_arbitrary_text_as_a_rule_file(text):
    assert_rule_file_fails_cleanly(text)


@given(st.binary(max_size=300))
def test_arbitrary_bytes_as_a_rule_file(raw):
    assert_rule_file_fails_cleanly(raw)


@st.composite
def mutated_rule_files(draw):
    lines = draw(st.sampled_from(RULE_TEXTS)).splitlines()
    for _ in range(draw(st.integers(1, 4))):
        i = draw(st.integers(0, len(lines) - 1))
        action = draw(st.sampled_from(["drop", "junk", "dup", "indent", "value"]))
        if action == "drop":
            del lines[i]
        elif action == "junk":
            lines[i] = draw(st.text(max_size=30))
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "indent":
            lines[i] = " " * draw(st.integers(0, 6)) + lines[i].lstrip()
        elif ":" in lines[i]:
            key = lines[i].split(":", 1)[0]
            value = draw(st.one_of(st.just("!!python/object/apply:os.system [ls]"),
                                   st.integers(-(10**40), 10**40).map(str),
                                   st.sampled_from(["[]", "{}", "~", "2024-02-30", "&a [*a]"])))
            lines[i] = f"{key}: {value}"
        if not lines:
            break
    return "\n".join(lines) + "\n"


@pytest.mark.slow
@settings(deadline=None)
@given(mutated_rule_files())
def test_mutated_rule_files_never_escape(text):
    assert_rule_file_fails_cleanly(text)


def test_round_trip_of_reports_is_lossless(rulebook):
    import datetime as dt

    from iep_rules import evaluate, load_case, report_to_json

    report = evaluate(rulebook, load_case("examples/ledger-speech.json"), as_of=dt.date(2024, 11, 29))
    data = report_to_json(report)
    assert json.loads(json.dumps(data)) == data
