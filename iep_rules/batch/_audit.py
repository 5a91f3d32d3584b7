"""District audits: evaluate a stream of case records, keeping every record in the count.

Input is any `CaseSource`: an iterable of `CaseRecord`s, each naming its source and line and
carrying JSON text, an already decoded document (an importer's output), or the problems that
made it unreadable. `read_records` makes one from JSON Lines, a folder of case files or standard
input. Results come out in input order, one per record, so records in == results + errors.

Evaluation runs in supervised worker processes (`supervise`), a batch of records per message
(one round trip per batch, not per record): a record whose evaluation raises becomes an error
result; a worker that dies (a signal, the OOM killer, a crash in the C extension) has its
in-flight record reported as an error, the rest of its batch evaluated again, and is replaced;
a record running past the time limit has its worker killed and replaced the same way. The
audit always finishes.

For an output format that writes each result on its own (render.TextAuditWriter: JSON Lines,
JSON, CSV), `run_audit_text` has the workers write each result's text too, so the supervising
process only reads input, counts and writes: with every core evaluating, the supervisor's own
work per record is what limits how far the audit scales.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import multiprocessing
import os
import signal
import site
import sys
import time
from collections import Counter, deque
from collections.abc import Callable, Generator, Iterable, Iterator, Mapping
from multiprocessing.connection import Connection, wait
from pathlib import Path
from typing import IO, Any, overload

import attrs

from .._errors import CaseError, IEPRulesError, Problem
from .._findings import finding_to_json
from ..case._io import MAX_CASE_BYTES, case_from_json, case_from_mapping, read_limited
from ..engine._evaluate import evaluate, prepare
from ..render import RecordText, record_text
from ..rulebook._rulebook import Rulebook, load_rulebook

DEFAULT_TIME_LIMIT = 5.0  # seconds per record; the slowest real case measured here takes < 0.5
DEFAULT_MEMORY_LIMIT_MB = 2048  # address space per worker process
START_TIME_LIMIT = 300.0  # seconds for a worker to load the rulebook and report ready
MAX_REASON = 200  # characters of an exception's text kept in an error result
BATCH_RECORDS = 16  # records per message to a worker: one round trip per batch, not per record
WINDOW_PER_WORKER = 64  # records held for ordered output behind a slow one, per worker
MAX_RETRIES = 2  # times a record may be lost with a dying worker's batch before it is an error


@attrs.frozen
class CaseRecord:
    """One record of a `CaseSource`: where it came from, and its content or its problems.

    Exactly one of `text` (JSON), `document` (decoded JSON) or `problems` (why it could not be
    read) is set. `line` is 1-based in a JSON Lines input, 1 for a whole file."""

    source: str
    line: int
    text: str | None = None
    document: Mapping[str, Any] | None = None
    problems: tuple[Problem, ...] = ()


CaseSource = Iterable[CaseRecord]


def read_records(target: str, stdin: IO[bytes] | IO[str] | None = None) -> Iterator[CaseRecord]:
    """Records from a .jsonl file, a folder of .json files, or '-' (standard input).

    Lines are split on LF only (a CR or U+2028 inside a JSON string does not split a record)
    and decoded strictly: invalid UTF-8 is an error for that record, never replaced."""
    if target == "-":
        assert stdin is not None  # the CLI always passes it for "-"
        stream = getattr(stdin, "buffer", stdin)
        yield from _lines("<stdin>", stream)
        return
    path = Path(target)
    if path.is_dir():
        for file in sorted(path.glob("*.json")):
            try:
                yield CaseRecord(str(file), 1, text=_decode(read_limited(file, MAX_CASE_BYTES)))
            except (OSError, ValueError) as exc:
                reason = exc.strerror if isinstance(exc, OSError) else str(exc)
                yield CaseRecord(str(file), 1, problems=(Problem("$", f"cannot read: {reason}"),))
        return
    with path.open("rb") as fh:
        yield from _lines(str(path), fh)


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ValueError(f"not valid UTF-8 at byte {exc.start}") from None


def _lines(source: str, stream: Any) -> Iterator[CaseRecord]:
    number = 0
    while True:
        raw = stream.readline(MAX_CASE_BYTES + 1)
        if not raw:
            return
        number += 1
        if isinstance(raw, str):  # a text stream handed in by a caller
            raw = raw.encode("utf-8", errors="surrogateescape")
        if len(raw) > MAX_CASE_BYTES and not raw.endswith(b"\n"):
            while raw and not raw.endswith(b"\n"):  # skip the rest without holding it
                raw = stream.readline(1 << 20)
            yield CaseRecord(source, number, problems=(
                Problem("$", f"record longer than {MAX_CASE_BYTES} bytes"),))
            continue
        if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
            raw = raw[3:]  # a byte-order mark some editors write
        body = raw.rstrip(b"\n").removesuffix(b"\r")
        if not body.strip():
            continue
        try:
            yield CaseRecord(source, number, text=body.decode("utf-8"))
        except UnicodeDecodeError as exc:
            yield CaseRecord(source, number, problems=(
                Problem(f"byte {exc.start}", "not valid UTF-8"),))


@attrs.frozen
class Settings:
    """What every record of one audit is evaluated with."""

    extra_rules: tuple[str, ...]
    as_of: dt.date
    jurisdiction: str | None
    backend: str
    memory_limit_mb: int | None = DEFAULT_MEMORY_LIMIT_MB


def error_result(record: CaseRecord, reason: str, problems: Iterable[str]) -> dict[str, Any]:
    """An error result: `reason` is bad_input, failed, time_limit or worker_died."""
    return {"type": "error", "source": record.source, "line": record.line, "reason": reason,
            "problems": list(problems)}


def _short(exc: BaseException) -> str:
    text = f"{type(exc).__name__}: {exc}"
    return text if len(text) <= MAX_REASON else text[:MAX_REASON] + "..."


def run_one(record: CaseRecord, settings: Settings, book: Rulebook) -> dict[str, Any]:
    """One record's result object: findings, or the error that made it unusable. Never
    raises for a record: anything going wrong becomes an error result for it."""
    if record.problems:
        return error_result(record, "bad_input", map(str, record.problems))
    try:
        case = (case_from_mapping(record.document, source=record.source)
                if record.document is not None
                else case_from_json(record.text or "", record.source))
    except CaseError as exc:
        return error_result(record, "bad_input", map(str, exc.problems))
    try:
        report = evaluate(book, case, as_of=settings.as_of, jurisdiction=settings.jurisdiction,
                          backend=settings.backend)
    except CaseError as exc:  # evaluate() refuses an unknown jurisdiction in the record
        return error_result(record, "bad_input", map(str, exc.problems))
    except IEPRulesError as exc:
        return error_result(record, "failed", [f"evaluation failed: {_short(exc)}"])
    except Exception as exc:  # a bug: reported for this record, the audit goes on
        return error_result(record, "failed", [f"internal error: {_short(exc)}"])
    return {"type": "result", "source": record.source, "line": record.line, "case_id": case.id,
            "school": case.student.school, "jurisdiction": report.jurisdiction,
            "summary": report.summary, "findings": [finding_to_json(f) for f in report.findings]}


@attrs.frozen
class Encoded:
    """One record's result already in the output format (`text`, from the format's
    `record_text`) with what the audit's totals count: made by the worker that evaluated the
    record, so the process writing the output neither receives nor encodes the whole result
    object (on two cores that work, done in one process, held the audit back)."""

    text: str
    type: str  # "result" or "error"
    reason: str | None  # an error's reason
    school: str | None
    findings: tuple[tuple[str, str, str], ...]  # (severity, rule_id, topic) of each finding

    @classmethod
    def of(cls, result: dict[str, Any], text: str) -> Encoded:
        if result["type"] == "error":
            return cls(text, "error", result.get("reason", "bad_input"), None, ())
        return cls(text, "result", None, result["school"],
                   tuple((f["severity"], f["rule_id"], f["topic"]) for f in result["findings"]))


def _encoder(fmt: str | None) -> Callable[[dict[str, Any]], Any]:
    """What a result becomes on its way out: itself, or `Encoded` in audit format `fmt`."""
    if fmt is None:
        return lambda result: result
    text: RecordText | None = record_text(fmt)
    if text is None:
        raise ValueError(f"audit format {fmt!r} cannot write one result at a time")
    return lambda result: Encoded.of(result, text(result))


def run_audit(records: CaseSource, *, settings: Settings, workers: int = 1,
              time_limit: float | None = DEFAULT_TIME_LIMIT,
              book: Rulebook | None = None) -> Generator[dict[str, Any], None, None]:
    """One result per record, in input order.

    workers >= 1 evaluates in that many supervised processes (see the module docstring).
    workers == 0 evaluates in this process with `book`: no isolation from crashes, and the
    time limit is not enforced; for callers that have already isolated the work."""
    yield from _run(records, settings, workers, time_limit, book, None)


def run_audit_text(records: CaseSource, *, settings: Settings, fmt: str, workers: int = 1,
                   time_limit: float | None = DEFAULT_TIME_LIMIT,
                   book: Rulebook | None = None) -> Generator[Encoded, None, None]:
    """As `run_audit`, each result already written in audit format `fmt` (one whose writer
    takes text: render.TextAuditWriter) by the worker that evaluated it."""
    yield from _run(records, settings, workers, time_limit, book, fmt)


@overload
def _run(records: CaseSource, settings: Settings, workers: int, time_limit: float | None,
         book: Rulebook | None, fmt: None) -> Generator[dict[str, Any], None, None]: ...
@overload
def _run(records: CaseSource, settings: Settings, workers: int, time_limit: float | None,
         book: Rulebook | None, fmt: str) -> Generator[Encoded, None, None]: ...
def _run(records: CaseSource, settings: Settings, workers: int, time_limit: float | None,
         book: Rulebook | None, fmt: str | None) -> Generator[Any, None, None]:
    if workers <= 0:
        book = book or load_rulebook(*settings.extra_rules)
        finish = _encoder(fmt)
        for record in records:
            yield finish(run_one(record, settings, book))
        return
    yield from supervise(records, settings, workers, time_limit, fmt)


class AuditFailed(IEPRulesError):
    """The audit could not go on (its workers cannot start); no result is invented."""


def _worker_main(conn: Connection, settings: Settings, progress: Any, fmt: str | None) -> None:
    """A worker process: load the rulebook once, then evaluate one batch per message and
    answer with the batch's results in one message (each `Encoded` in audit format `fmt`
    when one is given). Before each record it writes the record's index and start time to
    `progress` (shared memory, no message): the supervisor reads it to enforce the time limit
    and, if this process dies, to tell the record it was on from the records of the batch it
    had finished or not started."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the supervisor decides when to stop
    if settings.memory_limit_mb:
        import resource

        limit = settings.memory_limit_mb * 1024 * 1024
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    preloaded = sys.modules.get("iep_rules.batch._preload")
    if preloaded is not None and not settings.extra_rules:
        book: Rulebook = preloaded.BUNDLED
    else:
        book = load_rulebook(*settings.extra_rules)
    for code in book.jurisdictions():  # compile outside any record's time limit
        prepare(book, code, settings.backend)
    finish = _encoder(fmt)
    conn.send(("ready", None))
    while True:
        batch = conn.recv()
        if batch is None:
            return
        results = []
        for index, record in batch:
            progress[1] = time.monotonic()  # start first: a reader that sees the index
            progress[0] = index             # also sees its start time (checked twice)
            results.append(finish(run_one(record, settings, book)))
            progress[0] = IDLE
            progress[1] = time.monotonic()
        conn.send(("done", results))


IDLE = -1.0  # progress[0] between records


class _Worker:
    def __init__(self, ctx: Any, settings: Settings, fmt: str | None) -> None:
        self.conn, child = ctx.Pipe()
        self.progress = ctx.RawArray("d", [IDLE, 0.0])
        self.proc = ctx.Process(target=_worker_main, args=(child, settings, self.progress, fmt),
                                daemon=True, name="iep-rules-audit-worker")
        self.proc.start()
        child.close()
        self.ready = False
        self.born = time.monotonic()
        self.batch: list[tuple[int, CaseRecord]] = []  # sent, results not yet received
        self.sent_at = 0.0

    def give(self, batch: list[tuple[int, CaseRecord]]) -> None:
        self.batch = batch
        self.sent_at = time.monotonic()
        # If it died meanwhile, its sentinel says so and the batch is sent again elsewhere.
        with contextlib.suppress(OSError):
            self.conn.send(batch)

    def current(self) -> tuple[int | None, float]:
        """The index of the record being evaluated (None between records) and since when
        it started (or since the last record ended). Read until two reads agree: the worker
        may be writing while we read."""
        while True:
            index, since, again = self.progress[0], self.progress[1], self.progress[0]
            if index == again:
                break
        return (None if index == IDLE else int(index)), since

    def deadline(self, time_limit: float | None) -> float:
        if not self.ready:
            return self.born + START_TIME_LIMIT
        if not self.batch or time_limit is None:
            return float("inf")
        return max(self.current()[1], self.sent_at) + time_limit

    def stop(self, kill: bool = False) -> None:
        if self.proc.is_alive() and not kill:
            try:
                self.conn.send(None)
            except OSError:
                kill = True
            self.proc.join(timeout=2)
        if self.proc.is_alive():
            self.proc.kill()
        self.proc.join(timeout=5)
        self.conn.close()

    def death(self) -> str:
        code = self.proc.exitcode
        if code is not None and code < 0:
            try:
                return f"worker process killed by {signal.Signals(-code).name}"
            except ValueError:
                return f"worker process killed by signal {-code}"
        return f"worker process exited with status {code}"


def _context() -> Any:
    """Workers are forked from a fork server: a clean process (no engine state or threads
    inherited from the caller) that has imported the library and loaded the bundled rules
    once, so starting a replacement worker costs a fork, not an interpreter start."""
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(["iep_rules.batch._preload"])
    _start_fork_server()
    return ctx


def _start_fork_server() -> None:
    """Start the fork server (once per process) so that it imports this very package.

    Python 3.11 starts it as `python -c ...`, which puts the current folder first on its
    import path and ignores the path it is handed: run in a folder holding an `iep_rules`
    package (another checkout, or a planted one), the server would import and run that code.
    It is started with PYTHONSAFEPATH (no current folder) and, when this package was not
    found in a site-packages folder (a source tree), with that tree on PYTHONPATH."""
    from multiprocessing import forkserver

    root = str(Path(__file__).resolve().parents[2])
    names = ("PYTHONSAFEPATH", "PYTHONPATH")
    saved = {name: os.environ.get(name) for name in names}
    os.environ["PYTHONSAFEPATH"] = "1"
    sites = [*site.getsitepackages(), site.getusersitepackages()]
    if root not in {str(Path(folder).resolve()) for folder in sites}:
        os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, (root, saved["PYTHONPATH"])))
    try:
        forkserver.ensure_running()
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _batch_size(workers: int, window_left: int) -> int:
    """Records per message: up to BATCH_RECORDS, fewer when the ordering window is nearly
    full, so every idle worker still gets a share instead of one worker taking it all."""
    return max(1, min(BATCH_RECORDS, window_left // workers))


def supervise(records: CaseSource, settings: Settings, workers: int,
              time_limit: float | None, fmt: str | None = None) -> Generator[Any, None, None]:
    """Evaluate records in `workers` processes, a batch per message; yield one result per
    record in input order (a dict, or `Encoded` in audit format `fmt` when one is given).

    A worker that dies or passes the time limit loses only the record it was evaluating
    (read from its shared progress): that record becomes an error result, and the rest of
    its batch (finished but not yet sent, or not started) is evaluated again by another
    worker, ahead of new input. A record lost that way MAX_RETRIES times without ever being
    the one in flight becomes an error too, so a worker killed over and over from outside
    cannot keep the audit going forever."""
    ctx = _context()
    finish = _encoder(fmt)  # for the error results made here
    pool = [_Worker(ctx, settings, fmt) for _ in range(workers)]
    source = iter(records)
    retry: deque[tuple[int, CaseRecord]] = deque()  # taken before new input
    retries: Counter[int] = Counter()
    exhausted = False
    done: dict[int, Any] = {}
    next_in = next_out = 0
    window = WINDOW_PER_WORKER * workers  # records read ahead of the oldest not written out
    failed_starts = 0

    def take(n: int, room: int) -> list[tuple[int, CaseRecord]]:
        """Up to `n` records, retries first; at most `room` of them new input."""
        nonlocal exhausted, next_in
        batch: list[tuple[int, CaseRecord]] = []
        while retry and len(batch) < n:
            batch.append(retry.popleft())
        while not exhausted and len(batch) < n and room > 0:
            try:
                record = next(source)
            except StopIteration:
                exhausted = True
                break
            batch.append((next_in, record))
            next_in += 1
            room -= 1
        return batch

    try:
        while True:
            # Results released together (after a slow record) free the window before new
            # records are handed out, so no worker sits idle until a timeout; they are
            # yielded after the hand-out, so workers compute while the caller writes.
            releasable = next_out
            while releasable in done:
                releasable += 1
            free = [w for w in pool if w.ready and not w.batch]
            for worker in free:
                room = window - (next_in - releasable)
                batch = take(BATCH_RECORDS if retry else _batch_size(len(free), room), room)
                if not batch:
                    break
                worker.give(batch)
            while next_out in done:
                yield done.pop(next_out)
                next_out += 1
            if exhausted and not retry and not done and all(not w.batch for w in pool):
                return
            now = time.monotonic()
            soonest = min(w.deadline(time_limit) for w in pool)
            waitable: list[Any] = [w.conn for w in pool] + [w.proc.sentinel for w in pool]
            ready = wait(waitable, timeout=max(0.0, min(soonest - now, 60.0)))
            for i, worker in enumerate(pool):
                replace: str | None = None
                if worker.conn in ready:
                    try:
                        kind, payload = worker.conn.recv()
                    except (EOFError, OSError):
                        worker.proc.join(timeout=5)
                        replace = worker.death()
                    else:
                        if kind == "ready":
                            worker.ready, failed_starts = True, 0
                        else:
                            for (index, _), result in zip(worker.batch, payload, strict=True):
                                done[index] = result
                            worker.batch = []
                elif worker.proc.sentinel in ready:
                    worker.proc.join(timeout=5)
                    replace = worker.death()
                elif time.monotonic() > worker.deadline(time_limit):
                    if worker.ready:
                        replace = f"time limit of {time_limit:g} s exceeded"
                    else:
                        replace = f"worker did not start within {START_TIME_LIMIT:g} s"
                if replace is None:
                    continue
                if worker.batch:
                    worker.stop(kill=True)  # dead or killed now: its progress is final
                    in_flight = worker.current()[0]
                    for index, record in worker.batch:
                        retries[index] += index != in_flight
                        if index == in_flight or retries[index] > MAX_RETRIES:
                            reason = ("time_limit" if replace.startswith("time limit")
                                      and index == in_flight else "worker_died")
                            done[index] = finish(error_result(record, reason, [
                                f"{replace} while evaluating this record; the audit went on"
                                if index == in_flight else
                                f"{replace}; lost with its worker's batch {retries[index]} "
                                "times before it could be evaluated; the audit went on"]))
                            retries.pop(index, None)
                        else:
                            retry.append((index, record))
                elif not worker.ready:
                    failed_starts += 1
                    if failed_starts >= 3:
                        raise AuditFailed(f"audit workers cannot start ({replace}); "
                                          "no record was evaluated by them")
                worker.stop(kill=True)
                pool[i] = _Worker(ctx, settings, fmt)
    finally:
        for worker in pool:
            worker.stop(kill=not exhausted)


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
    by_error: Counter[str] = attrs.field(factory=Counter)
    cases_with_violations: int = 0

    def add(self, result: dict[str, Any] | Encoded) -> None:
        if not isinstance(result, Encoded):
            result = Encoded.of(result, "")
        self.records_in += 1  # results so far; summary() replaces it with the input's count
        if result.type == "error":
            self.errors += 1
            self.by_error[result.reason or "bad_input"] += 1
            return
        self.results += 1
        violated = False
        for severity, rule_id, topic in result.findings:
            self.by_severity[severity] += 1
            self.by_rule[rule_id] += 1
            self.by_topic[topic] += 1
            if severity == "violation":
                violated = True
                self.by_school[result.school or "(no school recorded)"] += 1
        self.cases_with_violations += violated

    @property
    def seen(self) -> int:
        return self.results + self.errors

    def summary(self, records_in: int | None = None) -> dict[str, Any]:
        """`records_in` is counted from the input (see `Counted`); without it, from the
        results (a caller that counts nothing else)."""
        self.records_in = self.seen if records_in is None else records_in
        return {
            "type": "summary",
            "records_in": self.records_in,
            "results": self.results,
            "errors": self.errors,
            "errors_by_reason": dict(sorted(self.by_error.items())),
            "reconciled": self.records_in == self.results + self.errors,
            "cases_with_violations": self.cases_with_violations,
            "findings_by_severity": dict(sorted(self.by_severity.items())),
            "findings_by_rule": dict(sorted(self.by_rule.items())),
            "findings_by_topic": dict(sorted(self.by_topic.items())),
            "violations_by_school": dict(sorted(self.by_school.items())),
        }


class Counted:
    """Passes records through, counting them: the audit's `records_in` comes from the input
    side, so `records_in == results + errors` checks the outputs instead of restating them."""

    def __init__(self, records: CaseSource) -> None:
        self.records = records
        self.count = 0

    def __iter__(self) -> Iterator[CaseRecord]:
        for record in self.records:
            self.count += 1
            yield record
