"""`iep-rules test`: rule-file examples and standalone test files, filtered by rule id, with a
coverage figure: which conditions of each rule the examples saw both true and false."""

from __future__ import annotations

import fnmatch
from collections.abc import Iterator, Sequence
from pathlib import Path

import attrs

from .._errors import IEPRulesError, Problem
from ..lang import _conditions as c
from ..lang._explain import node_text, nodes
from ..lang._model import Example, Rule
from ..lang._rulefile import parse_layer
from ..rulebook._rulebook import Rulebook, load_rulebook
from ._examples import check_example, exercised
from ._testfiles import is_test_file, load_test_file


class TestFileError(IEPRulesError, ValueError):
    """A standalone test file is malformed; every problem is listed with file:line:col."""

    def __init__(self, problems: Sequence[Problem]) -> None:
        self.problems = list(problems)
        super().__init__(self.format_message())

    def format_message(self) -> str:
        return "\n".join(["test file problems:", *(f"  {p}" for p in self.problems)])


@attrs.frozen
class Case_:
    """One example to run: a rule-file example or a standalone test."""

    rule_id: str
    example: Example
    jurisdiction: str | None
    rule: Rule | None = None  # a rule-file example's own rule, as its file defines it


@attrs.frozen
class Outcome:
    case: Case_
    rule: Rule | None
    problem: str | None  # None: passed


@attrs.frozen
class Coverage:
    rule: Rule
    both_ways: int  # conditions seen true and seen false (or unknown)
    total: int
    missing: tuple[str, ...]  # readable text of the conditions not exercised both ways


def _yaml_files(paths: Sequence[Path]) -> Iterator[Path]:
    for path in paths:
        yield from (sorted(path.rglob("*.y*ml")) if path.is_dir() else [path])


def collect(paths: Sequence[Path]) -> tuple[Rulebook, list[Case_]]:
    """The rulebook (bundled + the rule files given + rules the test files name) and every
    example to run, in file order."""
    rule_files: list[Path] = []
    cases: list[Case_] = []
    problems: list[Problem] = []
    extra: list[Path] = []
    for file in _yaml_files(paths):
        with file.open("rb") as fh:
            head = fh.read(65536)
        if is_test_file(head):
            loaded, found = load_test_file(file)
            problems += found
            if loaded is not None:
                extra += loaded.rules
                cases += [Case_(t.rule_id, t.example, t.jurisdiction) for t in loaded.tests]
        else:
            rule_files.append(file)
    if problems:
        raise TestFileError(problems)
    book = load_rulebook(*rule_files, *extra)
    for file in rule_files:
        layer, _ = parse_layer(file.read_bytes(), str(file))
        for rule in layer.rules if layer is not None else ():
            cases += [Case_(rule.id, ex, None, rule) for ex in rule.examples]
    return book, cases


def _rule_for(book: Rulebook, case: Case_) -> Rule | None:
    if case.rule is not None:
        return case.rule
    code = case.jurisdiction or str(case.example.case.get("jurisdiction", "US"))
    return next((r for r in book.resolve(code).rules if r.id == case.rule_id), None)


def run(book: Rulebook, cases: Sequence[Case_], patterns: Sequence[str] = ()) -> list[Outcome]:
    out = []
    for case in cases:
        if patterns and not any(fnmatch.fnmatchcase(case.rule_id, p) for p in patterns):
            continue
        rule = _rule_for(book, case)
        if rule is None:
            code = case.jurisdiction or case.example.case.get("jurisdiction")
            out.append(Outcome(case, None, f"no rule {case.rule_id!r} in force for {code} "
                                           f"({case.example.where})"))
            continue
        out.append(Outcome(case, rule, check_example(book, rule, case.example,
                                                     jurisdiction=case.jurisdiction)))
    return out


def coverage(book: Rulebook, outcomes: Sequence[Outcome]) -> list[Coverage]:
    """Per rule run: how many of its conditions the examples saw both true and false."""
    seen: dict[str, dict[int, set[int]]] = {}
    rules: dict[str, Rule] = {}
    for outcome in outcomes:
        if outcome.rule is None:
            continue
        rule = outcome.rule
        rules[rule.id] = rule
        truths = seen.setdefault(rule.id, {})
        for node, truth in exercised(book, rule, outcome.case.example,
                                     outcome.case.jurisdiction):
            truths.setdefault(node, set()).add(truth)
    out = []
    for rule_id, rule in rules.items():
        all_nodes = nodes(rule.when)
        both = [i for i in range(len(all_nodes))
                if c.TRUE in seen[rule_id].get(i, set())
                and seen[rule_id].get(i, set()) - {c.TRUE}]
        missing = tuple(node_text(all_nodes[i]).rstrip(":") for i in range(len(all_nodes))
                        if i not in both)
        out.append(Coverage(rule, len(both), len(all_nodes), missing))
    return out
