"""Standalone test files: a district's own cases for any bundled or own rule, kept apart from the
rules (as OpenFisca and Semgrep keep tests apart from what they test).

    tests:
      - rule: idea.iep.transition-services
        name: grade 9, IEP runs past the 15th birthday, no plan
        case_file: cases/grade9.json      # or `case:` inline; YAML or JSON, relative to this file
        as_of: 2026-11-23
        expect: fires                     # fires | silent | needs-data
        subjects: ["$.ieps[1]"]           # optional
        jurisdiction: US-NY               # optional: default the case's own
    rules: [../my-rules]                  # optional: own rule files the tests may name

Loaded with the safe YAML loader and checked against a JSON Schema; every problem is reported
with file:line:col.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import attrs
import jsonschema

from .._errors import Problem
from .._vocab import Expectation
from ..lang._model import Example
from ..lang._yaml import load_yaml

TEST_FILE_SCHEMA: dict[str, Any] = {
    "$schema": "http://json-schema.org/draft-07/schema#",
    "title": "iep-rules test file",
    "type": "object", "additionalProperties": False, "required": ["tests"],
    "properties": {
        "rules": {"type": "array", "items": {"type": "string", "minLength": 1},
                  "description": "rule files or folders (relative to this file) to load on top "
                                 "of the bundled rules"},
        "tests": {"type": "array", "minItems": 1, "items": {
            "type": "object", "additionalProperties": False,
            "required": ["rule", "name", "expect"],
            "oneOf": [{"required": ["case"]}, {"required": ["case_file"]}],
            "properties": {
                "rule": {"type": "string", "minLength": 1},
                "name": {"type": "string", "minLength": 1},
                "case": {"type": "object"},
                "case_file": {"type": "string", "minLength": 1},
                "as_of": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
                "expect": {"enum": ["fires", "silent", "needs-data"]},
                "subjects": {"type": "array", "items": {"type": "string"}},
                "jurisdiction": {"type": "string", "pattern": "^US(-[A-Z]{2}(-[A-Z0-9]{2,8})?)?$"},
            }}},
    },
}


@attrs.frozen
class StandaloneTest:
    rule_id: str
    example: Example
    jurisdiction: str | None


@attrs.frozen
class TestFile:
    path: Path
    rules: tuple[Path, ...]
    tests: tuple[StandaloneTest, ...]


def is_test_file(head: bytes) -> bool:
    """A test file has a top-level `tests:` key; a rule file has `jurisdiction:`."""
    return any(line.startswith(b"tests:") for line in head.splitlines())


def load_test_file(path: Path) -> tuple[TestFile | None, list[Problem]]:
    name = str(path)
    doc, problems = load_yaml(path.read_bytes(), name)
    if doc is None or problems:
        return None, problems
    validator = jsonschema.Draft7Validator(TEST_FILE_SCHEMA)
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path))):
        message = error.message
        if error.validator == "oneOf":
            message = "give the case inline (case:) or as a file (case_file:), not both"
        problems.append(Problem(doc.where(tuple(error.absolute_path)), message))
    data = doc.data if isinstance(doc.data, dict) else {}
    entries: list[Any] = data["tests"] if isinstance(data.get("tests"), list) else []
    broken = {e.absolute_path[1] for e in validator.iter_errors(doc.data)
              if len(e.absolute_path) > 1 and e.absolute_path[0] == "tests"}
    tests = []
    for i, entry in enumerate(entries):
        where = ("tests", i)
        if i in broken or not isinstance(entry, dict):
            continue  # its schema problems are reported above; check the others fully
        as_of = None
        if "as_of" in entry:
            try:
                as_of = dt.date.fromisoformat(entry["as_of"])
            except ValueError:
                problems.append(Problem(doc.where((*where, "as_of")),
                                        f"not a real date: {entry['as_of']!r}"))
                continue
        case = entry.get("case")
        if case is None:
            case = _case_file(path.parent / entry["case_file"], doc.where((*where, "case_file")),
                              problems)
            if case is None:
                continue
        subjects = tuple(entry["subjects"]) if "subjects" in entry else None
        example = Example(entry["name"], case, Expectation(entry["expect"]), as_of, subjects,
                          doc.where(where), doc.position(where)[0])
        tests.append(StandaloneTest(entry["rule"], example, entry.get("jurisdiction")))
    rules = tuple(path.parent / p for p in data.get("rules", []) if isinstance(p, str))
    for i, rule_path in enumerate(rules):
        if not rule_path.exists():
            problems.append(Problem(doc.where(("rules", i)), f"no such file or folder: "
                                                              f"{rule_path}"))
    if problems:
        return None, problems
    return TestFile(path, rules, tuple(tests)), problems


def _case_file(path: Path, where: str, problems: list[Problem]) -> dict[str, Any] | None:
    if not path.is_file():
        problems.append(Problem(where, f"no such case file: {path}"))
        return None
    raw = path.read_bytes()
    if path.suffix in (".yaml", ".yml"):
        doc, found = load_yaml(raw, str(path))
        problems += found
        data = None if doc is None else doc.data
    else:
        try:
            data = json.loads(raw)
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            problems.append(Problem(str(path), f"not JSON: {exc}"))
            return None
    if not isinstance(data, dict):
        problems.append(Problem(str(path), "expected a case object"))
        return None
    return data
