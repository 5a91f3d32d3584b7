"""An audit from input to output: read the records, evaluate them (batch/_audit.py), count
them, and hand each result to the chosen output format as it comes (render/). The exit status
follows from the counts: 2 if any record was bad (or the counts do not reconcile), else 1 if
any case had a violation, else 0."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable, Generator, Iterable
from pathlib import Path
from typing import IO, Any

from .._errors import InputNotFoundError
from ..lang._model import Rule
from ..render import AuditOutput, audit_writer, record_text
from ..rulebook._rulebook import Rulebook
from ._audit import (
    DEFAULT_TIME_LIMIT,
    Counted,
    Encoded,
    Settings,
    Tally,
    read_records,
    run_audit,
    run_audit_text,
)
from ._dask import DaskAudit, EngineError, check_engine, connect


def audit(input_path: str, *, book: Rulebook, extra_rules: Iterable[str | Path] = (),
          as_of: dt.date, jurisdiction: str | None = None, backend: str = "python",
          workers: int = 1, time_limit: float | None = DEFAULT_TIME_LIMIT, fmt: str = "jsonl",
          out: IO[str], err: IO[str], stdin: IO[str] | None = None,
          progress: Callable[[int, bool], None] | None = None,
          review: Callable[[dict[str, Any]], dict[str, Any]] | None = None,
          engine: str = "local", scheduler: str | None = None) -> int:
    """Audit `input_path` (a .jsonl file, a folder of case files, or "-" for `stdin`), writing
    format `fmt` to `out`; returns the exit status. `progress(n, done)` hears every 100 records
    and once at the end. `review` (see _reviews.AuditReview) may drop baseline findings and
    mark reviewed ones before a result is counted; its `summary()` joins the audit's.

    engine "dask" runs the audit on the Dask scheduler at `scheduler` instead (_dask.py):
    `input_path` is then a JSON Lines file, glob or fsspec URL the cluster's workers read."""
    check_engine(engine)
    if (engine == "dask") != (scheduler is not None):
        raise EngineError("--scheduler goes with --engine dask, and --engine dask needs "
                          "--scheduler ADDRESS")
    if engine == "dask" and (workers != 1 or input_path == "-"):
        raise EngineError("with --engine dask the cluster's worker threads set the parallelism "
                          "(no --workers) and the input is files the workers read (not -)")
    if jurisdiction is not None:
        book.layer_note(jurisdiction)  # a bad override fails once, before any record is read
    if engine == "local" and input_path != "-" and not Path(input_path).exists():
        raise InputNotFoundError(f"{input_path}: no such file or folder")
    settings = Settings(tuple(map(str, extra_rules)), as_of, jurisdiction, backend)
    client = None
    results: Generator[dict[str, Any] | Encoded, None, None]
    # The workers write each result's text, and this process only counts and writes it,
    # unless a review changes results here or the format needs the whole audit.
    text = fmt if review is None and record_text(fmt) is not None else None
    if engine == "dask":
        assert scheduler is not None
        client = connect(scheduler)
        on_dask = DaskAudit(input_path, settings=settings, client=client,
                            time_limit=time_limit, fmt=text)
        records: Counted | DaskAudit = on_dask
        results = on_dask.results()
    else:
        records = Counted(read_records(input_path, stdin))
        if text is not None:
            results = run_audit_text(records, settings=settings, fmt=text, workers=workers,
                                     time_limit=time_limit)
        else:
            results = run_audit(records, settings=settings, workers=workers,
                                time_limit=time_limit)
    writer = audit_writer(fmt, AuditOutput(out, err, lambda codes: _rules_for(book, codes)))
    try:
        return _write(results, records, writer, out, progress, review)
    finally:
        if client is not None:
            client.close()


def _write(results: Generator[dict[str, Any] | Encoded, None, None],
           records: Counted | DaskAudit, writer: Any, out: IO[str],
           progress: Callable[[int, bool], None] | None,
           review: Callable[[dict[str, Any]], dict[str, Any]] | None) -> int:
    tally = Tally()
    with contextlib.closing(results):  # stops the workers however the loop ends
        for result in results:
            if isinstance(result, Encoded):
                writer.add_text(result.text)
            else:
                if review is not None:
                    result = review(result)
                writer.add(result)
            tally.add(result)
            if progress is not None and tally.seen % 100 == 0:
                progress(tally.seen, False)
    if progress is not None:
        progress(tally.seen, True)
    extra = getattr(review, "summary", None)
    summary = {**tally.summary(records.count), **(extra() if extra is not None else {})}
    writer.finish(summary)
    out.flush()  # a full disk or a closed pipe fails here, inside the CLI's error handling
    failed = tally.errors or not summary["reconciled"]
    return 2 if failed else 1 if tally.cases_with_violations else 0


def _rules_for(book: Rulebook, codes: Iterable[str]) -> list[Rule]:
    """The rules in force for any of `codes`, each once (first code wins), in code order."""
    rules = {rule.id: rule for code in sorted(codes) for rule in book.resolve(code).rules}
    return list(rules.values())
