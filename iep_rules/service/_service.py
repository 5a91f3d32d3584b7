"""The state one service process shares across requests, and the work done per case.

No HTTP here: the rulebook (read-only after start), the jurisdictions it has rules for, and
evaluation that answers exactly what the CLI answers. Called from worker threads.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

from .. import Case, JurisdictionError, Problem, Rulebook
from . import _library as lib
from ._problems import ProblemError
from ._settings import Settings

log = logging.getLogger("iep_rules.service")

T = TypeVar("T")

# The pattern the case record itself enforces for `jurisdiction` (records.Case).
JURISDICTION_PATTERN = r"^US(-[A-Z]{2}(-[A-Z0-9]{2,8})?)?$"
BODY_SOURCE = "<request body>"


class Service:
    """The state one process shares across requests: settings and the read-only rulebook."""

    def __init__(self, settings: Settings, book: Rulebook) -> None:
        self.settings = settings
        self.book = book
        self.jurisdictions = tuple(book.jurisdictions())
        self._warm: set[tuple[str, str]] = set()
        self._warm_lock = threading.Lock()
        for code in self.jurisdictions:  # resolve and compile before the first request
            self.evaluate_check(_warm_up_case(code), as_of=dt.date.today(),
                                jurisdiction=None, backend="python")

    def known_jurisdiction(self, code: str, location: str) -> None:
        """The library's own rule: a code with a layer, or a US state without one (federal
        rules, said in the report's notes); anything else is a 422 naming the known codes."""
        try:
            self.book.layer_note(code)
        except JurisdictionError as exc:
            raise ProblemError(422, "Unknown jurisdiction", f"no rules apply to {code}",
                               [Problem(location, str(exc))]) from None

    def accepted_jurisdictions(self) -> list[str]:
        """Every code the service evaluates: the loaded layers, then the other US states."""
        return lib.accepted_jurisdictions(self.book)

    def installed_backend(self, backend: str) -> None:
        """`durable` is an optional extra: without it, say so instead of failing the request."""
        if backend not in lib.available_backends():
            raise ProblemError(422, "Backend not installed", f"backend {backend!r} is not "
                               "installed on this server",
                               [Problem("query.backend", f"{backend!r} needs its extra: pip "
                                        f"install 'iep-rules[{backend}]'")])

    def _first_use(self, code: str, backend: str, work: Callable[[], T]) -> T:
        """Backends compile on first use and cache on the rulebook: do that once, under a
        lock, so concurrent first requests never build the same program twice."""
        if (code, backend) in self._warm:
            return work()
        with self._warm_lock:
            result = work()
            self._warm.add((code, backend))
            return result

    def evaluate_check(self, case: Case, *, as_of: dt.date, jurisdiction: str | None,
                       backend: str) -> str:
        code = jurisdiction or case.jurisdiction
        self.known_jurisdiction(code, "query.jurisdiction" if jurisdiction else "$.jurisdiction")
        return self._first_use(code, backend, lambda: lib.check_json(
            self.book, case, as_of=as_of, jurisdiction=jurisdiction, backend=backend))

    def audit_record(self, line: int, text: str | None, *, as_of: dt.date,
                     jurisdiction: str | None, backend: str) -> dict[str, Any]:
        """One record's result; any failure becomes that record's error, never the stream's."""
        if text is None:
            return _error_record(line, ["$: not valid UTF-8"])
        code = jurisdiction or _peek_jurisdiction(text)
        try:
            return self._first_use(code or "", backend, lambda: lib.audit_line(
                self.book, BODY_SOURCE, line, text, as_of=as_of, jurisdiction=jurisdiction,
                backend=backend))
        except Exception as exc:
            log.error("audit record failed: %s", type(exc).__name__)
            return _error_record(line, [f"$: not evaluated, the service failed on this record "
                                        f"({type(exc).__name__})"])


def _warm_up_case(code: str) -> Case:
    return lib.parse_case(json.dumps({"id": "warm-up", "jurisdiction": code,
                                      "student": {"id": "warm-up"}}).encode(), "<warm-up>")


def _peek_jurisdiction(text: str) -> str | None:
    try:
        data = json.loads(text)
    except (ValueError, RecursionError):
        return None
    code = data.get("jurisdiction") if isinstance(data, dict) else None
    return code if isinstance(code, str) else None


def _error_record(line: int, problems: list[str]) -> dict[str, Any]:
    return {"type": "error", "source": BODY_SOURCE, "line": line, "problems": problems}


def body_lines(body: bytes) -> Iterator[tuple[int, str | None]]:
    """Non-blank lines with their 1-based numbers, read as the CLI reads a JSON Lines file
    (batch/_audit.py): split on LF only, a trailing CR dropped, decoded strictly; a line that
    is not valid UTF-8 comes as None, to be reported as that record's error."""
    for number, raw in enumerate(body.split(b"\n"), start=1):
        line = raw.removesuffix(b"\r")
        if number == 1:
            line = line.removeprefix(b"\xef\xbb\xbf")  # a byte-order mark some editors write
        if line.strip():
            try:
                yield number, line.decode("utf-8")
            except UnicodeDecodeError:
                yield number, None
