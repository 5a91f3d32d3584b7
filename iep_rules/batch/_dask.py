"""Audits beyond one machine, on Dask (distributed): the same records, the same per-record
evaluation and the same supervision as a local audit, spread over a cluster.

The input is one or more JSON Lines files (local paths, globs, or fsspec URLs such as
`s3://bucket/cases/*.jsonl`, which the workers read themselves: no case data passes through
the client). Each file is one partition of a Dask bag; each partition is audited on a Dask
worker by `run_audit` of batch/_audit.py with one supervised process (so a crashing or runaway
record is an error result there exactly as it is locally) and returns its results with the
number of records it read. The client keeps a bounded number of partitions in flight, yields
their results in input order (files in the order given or sorted glob order, lines in file
order), and adds up records_in from the partitions' own counts, so `records_in == results +
errors` is checked across the cluster as it is on one machine. Dask is an optional extra,
imported only here and only when used.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Generator, Iterator, Sequence
from typing import Any

from .._errors import IEPRulesError, Problem
from ._audit import (
    DEFAULT_TIME_LIMIT,
    CaseRecord,
    Counted,
    Encoded,
    Settings,
    _lines,
    run_audit,
    run_audit_text,
)

ENGINES = ("local", "dask")
MISSING = "the dask engine needs Dask, which is not installed: pip install 'iep-rules[dask]'"
PARTITIONS_PER_THREAD = 2  # partitions submitted ahead per worker thread: enough to keep busy


class EngineError(IEPRulesError, ValueError):
    """An unknown audit engine, one whose optional extra is not installed, or a cluster that
    cannot run the audit as asked."""


def check_engine(engine: str) -> None:
    """Refuse an unknown engine, or the dask engine without its extra, before any work."""
    if engine not in ENGINES:
        raise EngineError(f"unknown audit engine {engine[:40]!r}; expected one of "
                          f"{', '.join(ENGINES)}")
    if engine == "dask":
        try:
            import dask.bag  # noqa: F401
            import distributed  # noqa: F401
            import fsspec  # noqa: F401
        except ImportError:
            raise EngineError(MISSING) from None


def partition_paths(urlpaths: str | Sequence[str]) -> list[str]:
    """The JSON Lines files of the input, one per partition: a path or URL as given, or a
    glob's matches in sorted order (named with their protocol, so workers can open them)."""
    import fsspec

    given = [urlpaths] if isinstance(urlpaths, str) else list(urlpaths)
    paths: list[str] = []
    for urlpath in given:
        if not any(char in urlpath for char in "*?["):
            paths.append(urlpath)  # as given: results name their source as a local audit does
            continue
        fs, _, matches = fsspec.core.get_fs_token_paths(urlpath)
        if not matches:
            raise EngineError(f"{urlpath}: no file matches")
        local = "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))
        paths += [m if local else fs.unstrip_protocol(m) for m in sorted(matches)]
    if not paths:
        raise EngineError("no input files given")
    return paths


def read_url(urlpath: str) -> Iterator[CaseRecord]:
    """Records of one JSON Lines file at a path or fsspec URL (compression from the name),
    split and decoded exactly as a local audit does. A file that cannot be read (or stops
    being readable) is one error record at the line where reading stopped."""
    import fsspec

    line = 0
    try:
        with fsspec.open(urlpath, "rb", compression="infer") as stream:
            for record in _lines(urlpath, stream):
                line = record.line
                yield record
    except (OSError, ValueError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        yield CaseRecord(urlpath, line + 1, problems=(Problem("$", f"cannot read: {reason}"),))


def audit_partition(paths: Sequence[str], settings: Settings, time_limit: float | None,
                    fmt: str | None = None
                    ) -> list[tuple[int, list[dict[str, Any]] | list[Encoded]]]:
    """Run on a Dask worker: each file's records counted as read and audited by the local
    supervised audit (one worker process), so every guarantee of a local audit holds here.
    With `fmt`, each result comes already written in that audit format (`run_audit_text`):
    the client, which receives every result, then only counts and writes."""
    if multiprocessing.current_process().daemon:
        raise EngineError(
            "this Dask worker is a daemonic process, which may not start the audit's "
            "supervised process: start the workers with DASK_DISTRIBUTED__WORKER__DAEMON=False "
            "(see docs/scale.md)")
    out: list[tuple[int, list[dict[str, Any]] | list[Encoded]]] = []
    for path in paths:
        records = Counted(read_url(path))
        results: list[dict[str, Any]] | list[Encoded] = (
            list(run_audit_text(records, settings=settings, fmt=fmt, workers=1,
                                time_limit=time_limit)) if fmt is not None else
            list(run_audit(records, settings=settings, workers=1, time_limit=time_limit)))
        out.append((records.count, results))
    return out


class DaskAudit:
    """The results of an audit on a Dask cluster, in input order (`results()`, once). As they
    come, `count` adds up the records the partitions read (counted from the input, like
    `Counted`, not from the results). With `fmt`, results are `Encoded` in that audit format
    (one whose writer takes text: render.TextAuditWriter)."""

    def __init__(self, urlpaths: str | Sequence[str], *, settings: Settings, client: Any,
                 time_limit: float | None = DEFAULT_TIME_LIMIT,
                 ahead: int | None = None, fmt: str | None = None) -> None:
        check_engine("dask")
        self.paths = partition_paths(urlpaths)
        self.settings = settings
        self.client = client
        self.time_limit = time_limit
        self.ahead = ahead
        self.fmt = fmt
        self.count = 0

    def results(self) -> Generator[dict[str, Any] | Encoded, None, None]:
        import dask.bag

        bag = dask.bag.from_sequence(  # type: ignore[no-untyped-call]
            self.paths, partition_size=1)
        parts = bag.map_partitions(audit_partition, self.settings, self.time_limit,
                                   self.fmt).to_delayed()
        threads = sum(self.client.nthreads().values()) or 1
        ahead = self.ahead or PARTITIONS_PER_THREAD * threads
        waiting = iter(parts)
        pending: deque[Any] = deque()
        try:
            while True:
                while len(pending) < ahead:  # bounded: memory flat in the number of files
                    part = next(waiting, None)
                    if part is None:
                        break
                    pending.append(self.client.compute(part))
                if not pending:
                    return
                future = pending.popleft()
                counted = future.result()
                future.release()
                for count, results in counted:
                    self.count += count
                    yield from results
        finally:
            for future in pending:
                future.cancel()


def connect(scheduler: str) -> Any:
    """A Dask client for the scheduler at `scheduler` (tcp://host:port)."""
    check_engine("dask")
    import distributed

    try:
        return distributed.Client(scheduler, timeout=30)  # type: ignore[no-untyped-call]
    except (OSError, TimeoutError) as exc:
        raise EngineError(f"cannot reach the Dask scheduler at {scheduler[:100]}: "
                          f"{str(exc)[:200]}") from None
