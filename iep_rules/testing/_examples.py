"""Running the examples embedded in rule files and standalone test files (for `iep-rules test`
and the pytest plugin), and measuring which conditions they exercise."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from pathlib import Path

from .._vocab import Expectation, Severity
from ..case._io import case_from_mapping, read_limited
from ..engine._evaluate import available_backends, evaluate
from ..engine._explain import UnknownRuleError, explain
from ..lang._explain import visited
from ..lang._model import Example, Rule
from ..lang._rulefile import parse_layer
from ..lang._yaml import MAX_YAML_BYTES
from ..render._explain import explanation_text
from ..rulebook._rulebook import Rulebook

DEFAULT_AS_OF = dt.date(2025, 1, 1)


def check_example(book: Rulebook, rule: Rule, example: Example,
                  backends: tuple[str, ...] | None = None,
                  jurisdiction: str | None = None) -> str | None:
    """None when the example behaves as it says on every backend (default: every backend
    installed here), else a readable explanation ending with the trace of every condition
    (why the rule did what it did)."""
    backends = available_backends() if backends is None else backends
    case = case_from_mapping(example.case, source=example.where)
    as_of = example.as_of or DEFAULT_AS_OF
    code = jurisdiction or case.jurisdiction
    for backend in backends:
        report = evaluate(book, case, as_of=as_of, jurisdiction=code, backend=backend)
        mine = [f for f in report.findings if f.rule_id == rule.id]
        got = {Expectation.NEEDS_DATA if f.severity is Severity.NEEDS_DATA
               else Expectation.FIRES for f in mine}
        expected = set() if example.expect is Expectation.SILENT else {example.expect}
        subjects_ok = (example.subjects is None
                       or sorted(f.subject for f in mine) == sorted(example.subjects))
        if got != expected or not subjects_ok:
            lines = [f"rule:     {rule.id} ({rule.source})",
                     f"example:  {example.name} ({example.where})",
                     f"backend:  {backend}, {code}, as of {as_of}",
                     f"expected: {example.expect}"
                     + (f" on {list(example.subjects)}" if example.subjects else ""),
                     f"got:      {sorted(map(str, got)) or 'silent'}"]
            lines += [f"  - [{f.severity}] {f.subject}: {f.message}" for f in mine]
            lines += ["why (every condition, its truth and the facts it read):"]
            try:
                ex = explain(book, case, rule.id, as_of=as_of, jurisdiction=code)
            except UnknownRuleError as exc:
                lines.append(f"  {exc}")
            else:
                lines += explanation_text(ex, header=False).rstrip("\n").splitlines()
            return "\n".join(lines)
    return None


def exercised(book: Rulebook, rule: Rule, example: Example,
              jurisdiction: str | None = None) -> list[tuple[int, int]]:
    """(condition node, truth) for every condition the example's items evaluated (none when
    the rule is not in force for the example's jurisdiction)."""
    case = case_from_mapping(example.case, source=example.where)
    try:
        ex = explain(book, case, rule.id, as_of=example.as_of or DEFAULT_AS_OF,
                     jurisdiction=jurisdiction or case.jurisdiction)
    except UnknownRuleError:
        return []
    return [pair for item in ex.items for pair in visited(item.step)]


def run_examples(book: Rulebook, paths: Iterable[Path]
                 ) -> Iterator[tuple[Rule, Example, str | None]]:
    """Every example of every rule in the rule files at `paths` (files or folders, walked in
    name order): (rule, example, None when it passed else the explanation)."""
    for path in paths:
        files = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
        for file in files:
            layer, _ = parse_layer(read_limited(file, MAX_YAML_BYTES), str(file))
            for rule in layer.rules if layer is not None else ():
                for example in rule.examples:
                    yield rule, example, check_example(book, rule, example)
