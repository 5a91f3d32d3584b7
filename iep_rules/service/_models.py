"""Response shapes, for the OpenAPI document only.

Handlers return the library's own JSON text (so /check is byte-for-byte the CLI's output);
these models describe that JSON for clients generating code from /openapi.json, and the
schemathesis tests check every response against them. Request bodies are described by the
project's case JSON Schema (`iep-rules schema case`), not by a model here.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class _Open(BaseModel):
    """A documented shape that may grow: new fields in the library's JSON stay valid."""

    model_config = ConfigDict(extra="allow")


Severity = Literal["violation", "warning", "notice", "needs-data"]


class Problem(BaseModel):
    location: str = Field(description="JSON path in the body (`$.ieps[0].start`), `line N col M` "
                                      "for bad JSON, or `query.NAME` for a query parameter.")
    message: str


class ProblemDetails(BaseModel):
    """An error (RFC 9457 problem details), with every problem the CLI would print."""

    type: str = "about:blank"
    title: str
    status: int
    detail: str
    problems: list[Problem] = []


class Evidence(_Open):
    fact: str
    path: str | None
    value: Any


class FindingCitation(_Open):
    authority: str
    verified: bool
    kind: str


class Finding(_Open):
    rule_id: str
    severity: Severity
    topic: str
    title: str
    message: str
    subject: str = Field(description="JSON path of the item the finding is about.")
    evidence: list[Evidence]
    citations: list[FindingCitation]
    source: str = Field(description="Rule file and line.")
    layer: str
    missing: list[str] | None = Field(None, description="For needs-data: facts not recorded.")
    remedy: str | None = Field(None, description="What to ask for (omitted when none).")


class Report(_Open):
    """Exactly what `iep-rules check --format json` prints."""

    case_id: str
    as_of: str = Field(json_schema_extra={"format": "date"})
    jurisdiction: str
    backend: Literal["python", "durable"]
    findings: list[Finding]
    summary: dict[Severity, int]
    ledger: list[dict[str, Any]]


class Health(BaseModel):
    status: Literal["ok"]


class VersionInfo(BaseModel):
    version: str
    jurisdictions: dict[str, int] = Field(description="Rules in force per loaded jurisdiction.")
    backends: list[str]
    extra_rules: int = Field(description="How many extra rule files or folders were loaded.")


class CatalogCitation(_Open):
    authority: str
    verified: bool
    kind: str


class RuleSummary(_Open):
    """One row of `iep-rules rules list --format json`."""

    id: str
    title: str
    topic: str
    severity: Literal["violation", "warning", "notice"]
    scope: str
    citations: list[CatalogCitation]
    parameters: list[str]
    source: str
    layer: str


class ExplainedCitation(CatalogCitation):
    note: str | None


class ParameterValue(_Open):
    from_: str = Field(alias="from", json_schema_extra={"format": "date"})
    value: Any


class ParameterInForce(_Open):
    name: str
    unit: str
    source: str
    layer: str
    values: list[ParameterValue]
    citations: list[CatalogCitation]


class RuleExample(_Open):
    name: str
    expect: str


class RuleExplanation(_Open):
    """What `iep-rules rules explain` shows, as JSON."""

    id: str
    title: str
    topic: str
    severity: Literal["violation", "warning", "notice"]
    scope: str
    citations: list[ExplainedCitation]
    source: str
    layer: str
    jurisdiction: str
    condition: str
    clock: str | None
    effective_from: str | None
    effective_to: str | None
    parameters: list[ParameterInForce]
    examples: list[RuleExample]
