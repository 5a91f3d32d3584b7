"""The structural check of rule files (lang/_structure.py): the compiled validator that passes
valid files must never accept what `jsonschema` refuses, and the problems reported are
`jsonschema`'s, located, whichever validator ran first."""

from __future__ import annotations

import copy
import functools
import random
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from iep_rules.lang import _structure
from iep_rules.lang._yaml import load_yaml
from tests.fuzzgen import _get, _nodes, rule_file

ROOT = Path(__file__).resolve().parent.parent
BUNDLED = sorted((ROOT / "rules").rglob("*.yaml"))

# Values that break a schema somewhere: wrong kinds, empty text, a text that matches a
# `^...$` pattern in Python but not in ECMA-262 (the final newline), numbers for text.
ODD_VALUES: list[Any] = [None, True, False, 0, -1, 1.5, 2**40, "", " ", "x", "US\n", "us",
                         "US-NY-NYC\n", "a.b\n", "2024-01-01\n", "2024-1-1", "fires", "é",
                         [], [1], ["x"], {}, {"x": 1}, {"param": "p"}, {"param": "p\n"}]


def _reference(data: Any) -> list[tuple[str, str]]:
    validator = _structure._located()
    return sorted((str(list(e.absolute_path)), e.message) for e in validator.iter_errors(data))


def _mutate(rng: random.Random, data: dict[str, Any]) -> dict[str, Any]:
    """One to three edits: replace a value, drop a key, add an unknown key."""
    doc = copy.deepcopy(data)
    for _ in range(rng.randint(1, 3)):
        path = rng.choice(_nodes(doc)[1:])
        parent = _get(doc, path[:-1])
        action = rng.random()
        if action < 0.6:
            parent[path[-1]] = rng.choice(ODD_VALUES)
        elif action < 0.8 and isinstance(parent, dict):
            del parent[path[-1]]
        elif isinstance(parent, dict):
            parent[rng.choice(["extra", "when", "cite", "due", "value", "of"])] = rng.choice(
                ODD_VALUES)
    return doc


def _docs() -> list[Any]:
    return [load_yaml(path.read_bytes(), path.name)[0].data for path in BUNDLED]


def test_bundled_rule_files_are_valid_for_both():
    compiled = _structure._compiled()
    assert compiled is not None  # a declared dependency: the fast path is what is measured
    for data in _docs():
        assert compiled(data) and _reference(data) == []


@pytest.mark.parametrize("seed", range(1))
def test_the_compiled_validator_never_accepts_what_jsonschema_refuses(seed):
    compiled = _structure._compiled()
    assert compiled is not None
    rng = random.Random(seed)
    docs = _docs()
    refused = 0
    for _ in range(150):
        data = _mutate(rng, rng.choice(docs))
        reference = _reference(data)
        refused += bool(reference)
        if compiled(data):
            assert reference == [], data
    assert refused > 50  # the mutations do break the structure


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(1, 40))
def test_the_compiled_validator_agrees_on_more_mutations(seed):
    test_the_compiled_validator_never_accepts_what_jsonschema_refuses(seed)


@pytest.mark.parametrize("seed", range(10))
def test_generated_rule_files_give_the_same_problems_without_the_compiled_validator(
        seed, monkeypatch):
    doc, problems = load_yaml(rule_file(seed), f"gen-{seed}.yaml")
    if doc is None or problems:
        return
    with_compiled = _structure.structural_problems(doc)
    monkeypatch.setattr(_structure, "_compiled", lambda: None)
    assert _structure.structural_problems(doc) == with_compiled


def test_messages_are_located_and_worded_as_before():
    text = ("jurisdiction: US\nrules:\n  - id: my.rule\n    title: t\n    topic: nowhere\n"
            "    severity: notice\n    scope: iep\n    when: {fact: id, is: x}\n"
            "    cite: [{authority: x, verified: true}]\n    colour: red\n")
    doc, _ = load_yaml(text, "x.yaml")
    problems = [str(p) for p in _structure.structural_problems(doc)]
    assert problems == [
        "x.yaml:3:5: unknown key ('colour' was unexpected)",
        "x.yaml:3:5: 'message' is required",
        "x.yaml:5:12: 'nowhere' is not one of ['eligibility', 'iep-contents', 'placement', "
        "'consent', 'timelines', 'team', 'services', 'evaluation', 'notices', 'discipline']",
    ]


@functools.cache
def _validator_before() -> Any:
    schema = copy.deepcopy(_structure.rulefile_schema())
    schema["$defs"]["rule"].pop("allOf", None)
    return jsonschema.validators.validator_for(schema)(schema)


def _as_before(doc: Any) -> list[str]:
    """The check as it was written before the compiled validator: the whole published schema
    less the condition grammar, through `jsonschema`, problems ordered by data path."""
    validator = _validator_before()
    errors = sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path)))
    return [f"{doc.where(tuple(e.absolute_path))}: {_structure._message(e)}" for e in errors]


@pytest.mark.parametrize("seed", [0, pytest.param(1, marks=pytest.mark.slow),
                                  pytest.param(2, marks=pytest.mark.slow)])
def test_problems_are_the_same_as_before(seed):
    rng = random.Random(seed)
    docs = _docs()
    for n in range(60):
        text = rule_file(seed * 100 + n)
        doc, problems = load_yaml(text, "gen.yaml")
        if doc is not None and not problems:
            assert [str(p) for p in _structure.structural_problems(doc)] == _as_before(doc)
        mutated = copy.copy(doc) if doc is not None else None
        if mutated is not None and isinstance(mutated.data, dict):
            mutated.data = _mutate(rng, rng.choice(docs))
            assert [str(p) for p in _structure.structural_problems(mutated)] == \
                _as_before(mutated)


def test_the_published_schema_is_left_whole():
    published = _structure.rulefile_schema()
    assert "allOf" in published["$defs"]["rule"]
    assert len(published["$defs"]) > len(_structure._structural_schema()["$defs"])
    jsonschema.validators.validator_for(published).check_schema(published)
