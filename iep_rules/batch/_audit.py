"""District audits: evaluate a stream of case records, keeping every bad record in the count.

Input is JSON Lines (one case per line), a folder of case files, or standard input. Records are
read lazily and results come out in input order, so memory stays flat as the input grows; with
workers > 1 a process pool evaluates them (ordered `imap`). A record that is not valid JSON or
not a valid case becomes an error result with its source, line and problems, and the audit goes
on: records in == results + errors, always.
"""

from __future__ import annotations

import datetime as dt
import multiprocessing
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

import attrs

from .._errors import CaseError
from .._findings import finding_to_json
from ..case._io import case_from_mapping, parse_json
from ..engine._evaluate import evaluate
from ..rulebook._rulebook import Rulebook, load_rulebook


@attrs.frozen
class Record:
    source: str
    line: int  # 1-based line in a JSON Lines input; 1 for a whole file
    text: str


def read_records(target: str, stdin: IO[str] | None = None) -> Iterator[Record]:
    """Records from a .jsonl file, a folder of .json files, or '-' (standard input)."""
    if target == "-":
        assert stdin is not None  # the CLI always passes it for "-"
        yield from _lines("<stdin>", stdin)
        return
    path = Path(target)
    if path.is_dir():
        for file in sorted(path.glob("*.json")):
            yield Record(str(file), 1, file.read_text(encoding="utf-8", errors="replace"))
        return
    with path.open(encoding="utf-8", errors="replace") as fh:
        yield from _lines(str(path), fh)


def _lines(source: str, stream: Iterable[str]) -> Iterator[Record]:
    for number, line in enumerate(stream, start=1):
        if line.strip():
            yield Record(source, number, line)


@attrs.frozen
class Job:
    record: Record
    as_of: dt.date
    jurisdiction: str | None
    backend: str


_WORKER_BOOK: list[Rulebook] = []  # one per worker process, set by the pool initializer


def _init_worker(extra_rules: tuple[str, ...]) -> None:
    _WORKER_BOOK[:] = [load_rulebook(*extra_rules)]


def run_one(job: Job, book: Rulebook | None = None) -> dict[str, Any]:
    """One record's result object: findings, or the error that made it unusable."""
    book = book or _WORKER_BOOK[0]
    rec = job.record
    try:
        case = case_from_mapping(parse_json(rec.text, rec.source), source=rec.source)
        # evaluate() refuses an unknown `jurisdiction` in the record as a CaseError too.
        report = evaluate(book, case, as_of=job.as_of, jurisdiction=job.jurisdiction,
                          backend=job.backend)
    except CaseError as exc:
        return {"type": "error", "source": rec.source, "line": rec.line,
                "problems": [str(p) for p in exc.problems]}
    return {"type": "result", "source": rec.source, "line": rec.line, "case_id": case.id,
            "school": case.student.school, "jurisdiction": report.jurisdiction,
            "summary": report.summary, "findings": [finding_to_json(f) for f in report.findings]}


def run_audit(records: Iterable[Record], *, book: Rulebook, extra_rules: tuple[str, ...],
              as_of: dt.date, jurisdiction: str | None, backend: str,
              workers: int) -> Iterator[dict[str, Any]]:
    """Results in input order. The pool's workers each load the rulebook once."""
    jobs = (Job(rec, as_of, jurisdiction, backend) for rec in records)
    if workers <= 1:
        for job in jobs:
            yield run_one(job, book)
        return
    ctx = multiprocessing.get_context("spawn")  # no inherited engine state in the workers
    with ctx.Pool(workers, initializer=_init_worker, initargs=(extra_rules,)) as pool:
        yield from pool.imap(run_one, jobs, chunksize=16)


@attrs.define
class Tally:
    """Running totals for the summary object and the text tables."""

    records_in: int = 0
    results: int = 0
    errors: int = 0
    by_severity: Counter[str] = attrs.field(factory=Counter)
    by_rule: Counter[str] = attrs.field(factory=Counter)
    by_topic: Counter[str] = attrs.field(factory=Counter)
    by_school: Counter[str] = attrs.field(factory=Counter)
    cases_with_violations: int = 0

    def add(self, result: dict[str, Any]) -> None:
        self.records_in += 1
        if result["type"] == "error":
            self.errors += 1
            return
        self.results += 1
        violated = False
        for f in result["findings"]:
            self.by_severity[f["severity"]] += 1
            self.by_rule[f["rule_id"]] += 1
            self.by_topic[f["topic"]] += 1
            if f["severity"] == "violation":
                violated = True
                self.by_school[result["school"] or "(no school recorded)"] += 1
        self.cases_with_violations += violated

    def summary(self) -> dict[str, Any]:
        return {
            "type": "summary",
            "records_in": self.records_in,
            "results": self.results,
            "errors": self.errors,
            "reconciled": self.records_in == self.results + self.errors,
            "cases_with_violations": self.cases_with_violations,
            "findings_by_severity": dict(sorted(self.by_severity.items())),
            "findings_by_rule": dict(sorted(self.by_rule.items())),
            "findings_by_topic": dict(sorted(self.by_topic.items())),
            "violations_by_school": dict(sorted(self.by_school.items())),
        }
