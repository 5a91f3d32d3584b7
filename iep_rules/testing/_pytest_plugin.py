"""pytest plugin (entry point `pytest11`): the examples embedded in rule files become tests.

Any `.yaml` file pytest is pointed at (or finds under its test paths) that is a rule file is
collected; each `examples:` entry becomes one item, run on every installed backend. An
advocate's repo of custom rules is tested with plain `pytest`; a failure shows the rule, the
example, and the expected against the actual findings. A file outside the bundled rules is
evaluated on top of the bundled rulebook, so it may use the bundled parameters and override
bundled rules.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from .._errors import IEPRulesError
from ..lang._model import Example, Rule
from ..lang._rulefile import parse_layer
from ..rulebook._rulebook import Rulebook, bundled_rules_root, load_rulebook
from ._examples import check_example
from ._testfiles import is_test_file, load_test_file

_RULE_FILE = re.compile(rb"^jurisdiction:", re.MULTILINE)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addini("iep_rules_collect", "collect rule-file examples as tests (default true)",
                  type="bool", default=True)


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.File | None:
    if file_path.suffix not in (".yaml", ".yml"):
        return None
    if not parent.config.getini("iep_rules_collect"):
        return None
    with file_path.open("rb") as fh:
        head = fh.read(65536)
    if is_test_file(head):
        return StandaloneTestFile.from_parent(parent, path=file_path)
    if not _RULE_FILE.search(head):
        return None
    return RuleFile.from_parent(parent, path=file_path)


def _is_bundled(path: Path) -> bool:
    try:
        path.resolve().relative_to(Path(str(bundled_rules_root())).resolve())
    except ValueError:
        return False
    return True


class RuleFile(pytest.File):
    def collect(self) -> Iterator[pytest.Item]:
        layer, problems = parse_layer(self.path.read_bytes(), str(self.path))
        if layer is None:
            yield RuleFileProblem.from_parent(self, name="load", problems=problems)
            return
        try:
            book = load_rulebook() if _is_bundled(self.path) else load_rulebook(self.path)
        except IEPRulesError as exc:
            yield RuleFileProblem.from_parent(self, name="load", problems=exc.args)
            return
        for rule in layer.rules:
            for example in rule.examples:
                yield RuleExample.from_parent(self, name=f"{rule.id}::{example.name}",
                                              rule=rule, example=example, book=book)


class StandaloneTestFile(pytest.File):
    """A test file (`tests:`): each entry tests a bundled or own rule against a case."""

    def collect(self) -> Iterator[pytest.Item]:
        loaded, problems = load_test_file(self.path)
        if loaded is None:
            yield RuleFileProblem.from_parent(self, name="load", problems=problems)
            return
        try:
            book = load_rulebook(*loaded.rules)
        except IEPRulesError as exc:
            yield RuleFileProblem.from_parent(self, name="load", problems=exc.args)
            return
        for test in loaded.tests:
            code = test.jurisdiction or str(test.example.case.get("jurisdiction", "US"))
            rule = next((r for r in book.resolve(code).rules if r.id == test.rule_id), None)
            name = f"{test.rule_id}::{test.example.name}"
            if rule is None:
                yield RuleFileProblem.from_parent(self, name=name, problems=[
                    f"{test.example.where}: no rule {test.rule_id!r} in force for {code}"])
                continue
            yield RuleExample.from_parent(self, name=name, rule=rule, example=test.example,
                                          book=book, jurisdiction=test.jurisdiction)


class RuleFileProblem(pytest.Item):
    def __init__(self, *, problems: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.problems = problems

    def runtest(self) -> None:
        raise ExampleFailure("\n".join(str(p) for p in self.problems))

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        return f"{self.path.name} cannot run:\n{excinfo.value}"

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, f"load {self.path.name}"


class ExampleFailure(Exception):
    """An example did not behave as its rule file says; the message explains how."""


class RuleExample(pytest.Item):
    def __init__(self, *, rule: Rule, example: Example, book: Rulebook,
                 jurisdiction: str | None = None, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.rule, self.example, self.book = rule, example, book
        self.jurisdiction = jurisdiction

    def runtest(self) -> None:
        problem = check_example(self.book, self.rule, self.example,
                                jurisdiction=self.jurisdiction)
        if problem is not None:
            raise ExampleFailure(problem)

    def repr_failure(self, excinfo: pytest.ExceptionInfo[BaseException],
                     style: Any = None) -> str:
        if isinstance(excinfo.value, ExampleFailure):
            return str(excinfo.value)
        return str(super().repr_failure(excinfo))

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, self.example.line - 1, f"{self.rule.id}: {self.example.name}"
