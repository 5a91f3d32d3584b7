"""Errors as RFC 9457 problem details, and the guard that keeps a failure to one request.

Every error a client sees carries a list of located problems, the same list (and JSON paths)
the command line prints for the same input.
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .. import CaseError, Problem

log = logging.getLogger("iep_rules.service")

PROBLEM_JSON = "application/problem+json"


class ProblemError(Exception):
    """An error answered as RFC 9457 problem details, with located problems."""

    def __init__(self, status: int, title: str, detail: str,
                 problems: list[Problem] | None = None,
                 headers: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.status, self.title, self.detail = status, title, detail
        self.problems = problems or []
        self.headers = headers


def problem_response(exc: ProblemError) -> JSONResponse:
    body = {"type": "about:blank", "title": exc.title, "status": exc.status,
            "detail": exc.detail,
            "problems": [{"location": p.location, "message": p.message} for p in exc.problems]}
    return JSONResponse(body, status_code=exc.status, headers=exc.headers,
                        media_type=PROBLEM_JSON)


def case_problem(exc: CaseError, status: int = 422) -> ProblemError:
    """The CLI's CaseError as problem details: same problems, same JSON paths."""
    title = "Malformed JSON" if status == 400 else "Invalid case"
    return ProblemError(status, title, exc.format_message().splitlines()[0], exc.problems)


class ContainErrors:
    """Last line of defence: an unexpected exception becomes a 500 problem and one log line
    naming its type only (its message could quote a case), and the process keeps serving."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:
            log.error("%s %s failed: %s", scope.get("method"), scope.get("path"),
                      type(exc).__name__)
            log.debug("traceback", exc_info=True)
            if not started:
                response = problem_response(ProblemError(
                    500, "Internal error", "the service failed on this request; it was not "
                    "evaluated and nothing from it was kept"))
                await response(scope, receive, send)


def _problem_doc(what: str) -> dict[str, Any]:
    return {"description": what, "content": {PROBLEM_JSON: {"schema": {
        "$ref": "#/components/schemas/ProblemDetails"}}}}


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: _problem_doc(what)
    for status, what in ((400, "Malformed JSON"), (401, "Missing or wrong API key"),
                         (404, "No such path or rule"), (405, "Method not allowed"),
                         (413, "Body larger than the configured limit"),
                         (422, "Invalid case or parameter; every problem with its location"),
                         (500, "The service failed on this request"),
                         (503, "The request took longer than the configured time limit"))
}


def too_large(limit: int) -> ProblemError:
    return ProblemError(413, "Body too large", f"the body is larger than {limit} bytes",
                        [Problem("$", f"larger than the limit of {limit} bytes")])


def time_limit_problem(seconds: float) -> ProblemError:
    return ProblemError(503, "Time limit", f"the request took longer than {seconds:g} s",
                        [Problem("$", f"not finished within the limit of {seconds:g} s")],
                        headers={"Retry-After": "1"})
