"""The HTTP application: the CLI's commands as endpoints, over one rulebook loaded at start.

Stateless: a request's case lives only for the request. Nothing about it is stored, cached or
logged; access logs carry the method, path and query (as_of, jurisdiction, backend), never a
body or a case id. Evaluation runs in worker threads so the event loop keeps answering /health
while a case is evaluated; the rulebook is shared read-only (every jurisdiction is resolved
and compiled before the first request).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import AsyncIterator, Callable
from functools import partial
from typing import Annotated, Any, Literal, TypeVar

import anyio
from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.openapi.utils import get_openapi
from fastapi.responses import JSONResponse, Response, StreamingResponse
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from starlette.exceptions import HTTPException as StarletteHTTPException

from .. import BACKENDS, Case, CaseError, Problem, Rulebook, __version__, load_rulebook
from . import _library as lib
from . import _models as models
from ._problems import (
    ERROR_RESPONSES,
    ContainErrors,
    ProblemError,
    case_problem,
    problem_response,
    time_limit_problem,
    too_large,
)
from ._service import BODY_SOURCE, JURISDICTION_PATTERN, Service, body_lines
from ._settings import Settings, settings_from_env

T = TypeVar("T")

DATE_PATTERN = r"^\d{4}-\d{2}-\d{2}$"


def _as_of(value: str | None) -> dt.date:
    if value is None:
        return dt.date.today()
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ProblemError(422, "Invalid parameter", f"as_of: not a date: {value!r}",
                           [Problem("query.as_of", f"expected YYYY-MM-DD, got {value!r}")],
                           ) from None


async def _read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


async def _in_thread(work: Callable[[], T]) -> T:
    # abandon_on_cancel: on the time limit the request is answered at once; the thread
    # finishes its (size-bounded) evaluation and its result is dropped.
    return await anyio.to_thread.run_sync(work, abandon_on_cancel=True)


async def _case_from(request: Request, settings: Settings) -> Case:
    raw = await _read_body(request, settings.max_case_bytes)
    try:
        data = await _in_thread(lambda: lib.parse_json(raw, BODY_SOURCE))
    except CaseError as exc:  # not JSON: located by line and column, or by bad byte
        raise case_problem(exc, 400) from None
    try:
        return await _in_thread(lambda: lib.case_from_mapping(data, source=BODY_SOURCE))
    except CaseError as exc:
        raise case_problem(exc) from None


def _openapi_extra(body: dict[str, Any]) -> dict[str, Any]:
    return {"requestBody": {"required": True, "content": body}}


CASE_BODY = {"application/json": {"schema": {"$ref": "#/components/schemas/Case"}}}
JSONL_BODY = {"application/x-ndjson": {"schema": {
    "type": "string", "description": "JSON Lines: one case object (the Case schema) per line."}}}

AsOf = Annotated[str | None, Query(pattern=DATE_PATTERN, description=(
    "Evaluate as of this date, YYYY-MM-DD (default: the server's today)."),
    json_schema_extra={"format": "date"})]
Jurisdiction = Annotated[str | None, Query(pattern=JURISDICTION_PATTERN, description=(
    "Override the case's jurisdiction, e.g. US or US-NY; a US state without rules of its "
    "own (US-CA) runs the federal rules, as the command line does."))]
BackendName = Annotated[Literal["python", "durable"], Query(description="Evaluation backend.")]
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(HTTPBearer(
    auto_error=False, description="The service's API key as a bearer token."))]


def create_app(settings: Settings | None = None, rulebook: Rulebook | None = None) -> FastAPI:
    """The application, with the rulebook loaded (and compiled) once, here."""
    settings = settings or Settings()
    service = Service(settings, rulebook or load_rulebook(*settings.extra_rules))

    def authorize(credentials: Credentials) -> None:
        if not settings.key_matches(credentials.credentials if credentials else None):
            raise ProblemError(401, "Unauthorized", "a valid API key is required",
                               headers={"WWW-Authenticate": "Bearer"})

    guarded = [Depends(authorize)] if settings.auth_enabled else []
    app = FastAPI(title="iep-rules", version=__version__, docs_url=None, redoc_url=None,
                  description="US special-education law as cited, testable rules, over HTTP. "
                              "Legal information, not legal advice.",
                  responses=ERROR_RESPONSES)
    app.state.service = service

    @app.exception_handler(ProblemError)
    async def _problem(_request: Request, exc: ProblemError) -> JSONResponse:
        return problem_response(exc)

    @app.exception_handler(RequestValidationError)
    async def _invalid(_request: Request, exc: RequestValidationError) -> JSONResponse:
        problems = [Problem(".".join(str(part) for part in err["loc"]), err["msg"])
                    for err in exc.errors()]
        return problem_response(ProblemError(422, "Invalid parameter",
                                             f"{len(problems)} problem(s) in the request",
                                             problems))

    @app.exception_handler(StarletteHTTPException)
    async def _http(_request: Request, exc: StarletteHTTPException) -> JSONResponse:
        return problem_response(ProblemError(exc.status_code, str(exc.detail), str(exc.detail),
                                             headers=dict(exc.headers or {})))

    @app.get("/health", response_model=models.Health, tags=["service"])
    async def health() -> dict[str, str]:
        """Liveness: answers without authentication and without touching the rulebook."""
        return {"status": "ok"}

    @app.get("/version", response_model=models.VersionInfo, dependencies=guarded,
             tags=["service"])
    async def version() -> dict[str, Any]:
        """Library version, rules in force per loaded jurisdiction, backends."""
        return {"version": __version__, "jurisdictions": lib.rule_counts(service.book),
                "backends": list(BACKENDS), "extra_rules": len(settings.extra_rules)}

    @app.post("/check", dependencies=guarded, openapi_extra=_openapi_extra(CASE_BODY),
              responses={200: {"model": models.Report,
                               "description": "Exactly `iep-rules check --format json`."}},
              tags=["cases"])
    async def check(request: Request, as_of: AsOf = None, jurisdiction: Jurisdiction = None,
                    backend: BackendName = "python") -> Response:
        """Evaluate one case (the body) and return its report, byte for byte what
        `iep-rules check --format json` prints. Violations are data: the status is 200."""
        day = _as_of(as_of)
        service.installed_backend(backend)
        try:
            with anyio.fail_after(settings.time_limit):
                case = await _case_from(request, settings)
                text = await _in_thread(lambda: service.evaluate_check(
                    case, as_of=day, jurisdiction=jurisdiction, backend=backend))
        except TimeoutError:
            raise time_limit_problem(settings.time_limit) from None
        return Response(text, media_type="application/json")

    @app.post("/ledger", dependencies=guarded, openapi_extra=_openapi_extra(CASE_BODY),
              responses={200: {"description": "Exactly `iep-rules ledger --format json`.",
                               "content": {"application/json": {"schema": {
                                   "type": "array", "items": {"type": "object"}}}}}},
              tags=["cases"])
    async def ledger(request: Request, as_of: AsOf = None,
                     jurisdiction: Jurisdiction = None) -> Response:
        """The service-delivery ledger of one case: expected, delivered, missed, owed."""
        day = _as_of(as_of)
        try:
            with anyio.fail_after(settings.time_limit):
                case = await _case_from(request, settings)
                code = jurisdiction or case.jurisdiction
                service.known_jurisdiction(
                    code, "query.jurisdiction" if jurisdiction else "$.jurisdiction")
                text = await _in_thread(lambda: lib.ledger_text_json(
                    service.book, case, as_of=day, jurisdiction=jurisdiction))
        except TimeoutError:
            raise time_limit_problem(settings.time_limit) from None
        return Response(text, media_type="application/json")

    @app.post("/audit", dependencies=guarded, openapi_extra=_openapi_extra(JSONL_BODY),
              response_class=StreamingResponse,
              responses={200: {"description": (
                  "JSON Lines, streamed: one result or error object per input record, in "
                  "input order, then a summary object (as `iep-rules audit --format jsonl`). "
                  "If the time limit passes mid-stream, the last line is an object of type "
                  "`abort` with the counts so far instead of the summary."),
                  "content": {"application/x-ndjson": {"schema": {"type": "string"}}}}},
              tags=["cases"])
    async def audit(request: Request, as_of: AsOf = None, jurisdiction: Jurisdiction = None,
                    backend: BackendName = "python") -> StreamingResponse:
        """Evaluate a batch (JSON Lines body) and stream JSON Lines back. A bad record is
        reported with its line and the audit goes on: records in == results + errors."""
        day = _as_of(as_of)
        if jurisdiction is not None:
            service.known_jurisdiction(jurisdiction, "query.jurisdiction")
        service.installed_backend(backend)
        # The body is read whole (bounded) before the response starts: reading a request
        # while a streamed response is under way is not reliable across ASGI servers.
        deadline = anyio.current_time() + settings.batch_time_limit  # reading included
        try:
            with anyio.fail_at(deadline):
                body = await _read_body(request, settings.max_batch_bytes)
        except TimeoutError:
            raise time_limit_problem(settings.batch_time_limit) from None
        if not body:
            raise ProblemError(400, "Empty body", "expected JSON Lines, one case per line",
                               [Problem("$", "the body is empty")])
        return StreamingResponse(
            _audit_stream(body, service, deadline, day, jurisdiction, backend),
            media_type="application/x-ndjson")

    @app.get("/rules", response_model=list[models.RuleSummary], dependencies=guarded,
             tags=["rules"])
    async def rules_list(
            jurisdiction: Annotated[str, Query(pattern=JURISDICTION_PATTERN)] = "US",
            topic: str | None = None,
            severity: Literal["violation", "warning", "notice"] | None = None,
    ) -> JSONResponse:
        """The rule catalog: every rule in force for a jurisdiction, after overlays
        (`iep-rules rules list --format json`)."""
        service.known_jurisdiction(jurisdiction, "query.jurisdiction")
        # Sent as the CLI prints it; the model documents the fields and allows new ones.
        return JSONResponse(lib.list_rules(service.book, jurisdiction, topic=topic,
                                           severity=severity))

    @app.get("/rules/{rule_id}", response_model=models.RuleExplanation,
             response_model_by_alias=True, dependencies=guarded, tags=["rules"])
    async def rules_explain(
            rule_id: str,
            jurisdiction: Annotated[str, Query(pattern=JURISDICTION_PATTERN)] = "US-NY-NYC",
    ) -> JSONResponse:
        """One rule explained: condition, parameters after overlays, citations, examples."""
        service.known_jurisdiction(jurisdiction, "query.jurisdiction")
        row = lib.explain(service.book, rule_id, jurisdiction)
        if row is None:
            why = lib.disabled_reason(service.book, rule_id, jurisdiction)
            detail = f"no rule {rule_id!r} in force for {jurisdiction}" + \
                (f" ({why})" if why else "")
            raise ProblemError(404, "No such rule", detail, [Problem("path.rule_id", detail)])
        return JSONResponse(row)

    @app.get("/schemas/case", dependencies=guarded, tags=["schemas"],
             responses={200: {"description": "`iep-rules schema case`",
                              "content": {"application/schema+json": {}}}})
    async def schema_case() -> JSONResponse:
        """The JSON Schema of a case file (the request body of /check)."""
        return JSONResponse(lib.case_schema(), media_type="application/schema+json")

    @app.get("/schemas/rules", dependencies=guarded, tags=["schemas"],
             responses={200: {"description": "`iep-rules schema rules`",
                              "content": {"application/schema+json": {}}}})
    async def schema_rules() -> JSONResponse:
        """The JSON Schema of a rule file."""
        return JSONResponse(lib.rulefile_schema(), media_type="application/schema+json")

    # A deadline-calendar endpoint belongs here once that library feature lands (issue 19).

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            app.openapi_schema = openapi_document(app)
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
    app.add_middleware(ContainErrors)
    return app


def openapi_document(app: FastAPI) -> dict[str, Any]:
    """FastAPI's document, with the case JSON Schema's definitions as components, so the
    request body is described by the same schema `iep-rules schema case` prints."""
    doc = get_openapi(title=app.title, version=app.version, description=app.description,
                      routes=app.routes)
    case = lib.case_schema()
    components = doc.setdefault("components", {}).setdefault("schemas", {})
    clash = set(case["$defs"]) & set(components)
    if clash:
        raise RuntimeError(f"case schema definitions clash with response models: {clash}")
    text = json.dumps(case["$defs"]).replace('"#/$defs/', '"#/components/schemas/')
    components.update(json.loads(text))
    accepted = app.state.service.accepted_jurisdictions()
    for path in doc["paths"].values():  # jurisdictions: the loaded layers and other US states
        for operation in path.values():
            for param in operation.get("parameters", []):
                if param["name"] == "jurisdiction":
                    param["schema"] = {"enum": accepted, **({"default": param["schema"][
                        "default"]} if "default" in param["schema"] else {})}
    problem = models.ProblemDetails.model_json_schema(ref_template="#/components/schemas/{model}")
    components.update(problem.pop("$defs"))
    components["ProblemDetails"] = problem
    return doc


async def _audit_stream(body: bytes, service: Service, deadline: float, as_of: dt.date,
                        jurisdiction: str | None, backend: str) -> AsyncIterator[bytes]:
    """Results in input order as each is ready, then the summary; past the deadline, an
    `abort` object with the counts so far instead of the summary."""
    limit = service.settings.batch_time_limit
    tally = lib.Tally()
    for number, text in body_lines(body):
        try:
            with anyio.fail_at(deadline):
                result = await _in_thread(partial(service.audit_record, number, text,
                                                  as_of=as_of, jurisdiction=jurisdiction,
                                                  backend=backend))
        except TimeoutError:
            yield lib.jsonl({"type": "abort",
                             "reason": f"not finished within the limit of {limit:g} s",
                             "records_in": tally.records_in, "results": tally.results,
                             "errors": tally.errors})
            return
        tally.add(result)
        yield lib.jsonl(result)
    yield lib.jsonl(tally.summary())


def app_from_env() -> FastAPI:
    """Factory for uvicorn workers (`serve --workers N`): settings from the environment."""
    return create_app(settings_from_env())
