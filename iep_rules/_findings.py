"""Findings and reports: what is wrong, about which item, why, and under which law."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from typing import Any

import attrs

from ._vocab import Severity
from .facts._ledger import MandateLedger, ledger_to_json
from .lang._model import Citation

SEVERITY_ORDER = {severity: severity.rank for severity in Severity}


@attrs.frozen
class Evidence:
    """One fact the rule read: its name in the rule, its JSON path (only for a fact recorded in
    the file), its value, and for a derived fact its declared meaning (facts/_derived.py)."""

    fact: str
    path: str | None
    value: Any
    derived: str | None = None


@attrs.frozen
class Review:
    """A district's recorded decision on one finding (see _reviews.py for the review file)."""

    case_id: str
    rule_id: str
    subject: str
    fingerprint: str
    decision: str  # accepted | disputed
    reason: str
    reviewer: str
    date: dt.date
    where: str  # file:line:col of the entry, for messages
    current: bool = True  # False: the finding's facts changed since; it needs review again


@attrs.frozen
class Finding:
    rule_id: str
    title: str
    topic: str
    severity: Severity
    message: str
    subject: str
    evidence: tuple[Evidence, ...]
    citations: tuple[Citation, ...]
    source: str  # rule file:line
    layer: str  # jurisdiction layer that supplied the rule
    missing: tuple[str, ...] = ()  # for needs-data: the facts that were not recorded
    remedy: str = ""
    order: tuple[int, ...] = attrs.field(default=(), eq=False, repr=False)
    fingerprint: str = ""  # stable identity across runs; see engine/_evaluate.fingerprint
    review: Review | None = None

    def sort_key(self) -> tuple[int, str, tuple[int, ...], str]:
        return (SEVERITY_ORDER[self.severity], self.rule_id, self.order, self.subject)


@attrs.frozen
class Report:
    case_id: str
    as_of: dt.date
    jurisdiction: str
    backend: str
    findings: tuple[Finding, ...]
    ledger: tuple[MandateLedger, ...] = ()
    # What the reader must know about how the report was made (e.g. a state without a layer).
    notes: tuple[str, ...] = ()

    @property
    def summary(self) -> dict[Severity, int]:
        counts = Counter(f.severity for f in self.findings)
        return {name: counts.get(name, 0) for name in SEVERITY_ORDER}

    @property
    def has_violations(self) -> bool:
        return any(f.severity is Severity.VIOLATION for f in self.findings)


_AS_IS = (str, int, float, type(None))  # JSON already (bool is an int)


def json_value(value: Any) -> Any:
    """Evidence values as JSON: dates as ISO text, tuples as lists, records without `$path`."""
    if isinstance(value, _AS_IS):
        return value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [v if isinstance(v, _AS_IS) else json_value(v) for v in value]
    if isinstance(value, dict):
        return {k: v if isinstance(v, _AS_IS) else json_value(v)
                for k, v in value.items() if not k.startswith("$")}
    return value


def report_to_json(report: Report) -> dict[str, Any]:
    out: dict[str, Any] = {
        "case_id": report.case_id,
        "as_of": report.as_of.isoformat(),
        "jurisdiction": report.jurisdiction,
        "backend": report.backend,
    }
    if report.notes:  # only when there is something to say: other reports keep their shape
        out["notes"] = list(report.notes)
    out.update({
        "findings": [finding_to_json(f) for f in report.findings],
        "summary": report.summary,
        "ledger": [ledger_to_json(lg) for lg in report.ledger],
    })
    return out


def citation_to_json(c: Citation) -> dict[str, Any]:
    """A citation as JSON; its note (e.g. "verified (secondary)") only when it has one."""
    out: dict[str, Any] = {"authority": c.authority, "verified": c.verified, "kind": c.kind}
    if c.note:
        out["note"] = c.note
    return out


def evidence_to_json(e: Evidence) -> dict[str, Any]:
    """A fact read: a recorded one with its JSON path, a derived one with its meaning."""
    out: dict[str, Any] = {"fact": e.fact, "path": e.path, "value": json_value(e.value)}
    if e.derived:
        out["derived"] = e.derived
    return out


def finding_to_json(f: Finding) -> dict[str, Any]:
    out: dict[str, Any] = {
        "rule_id": f.rule_id,
        "severity": f.severity,
        "topic": f.topic,
        "title": f.title,
        "message": f.message,
        "subject": f.subject,
        "evidence": [evidence_to_json(e) for e in f.evidence],
        "citations": [citation_to_json(c) for c in f.citations],
        "source": f.source,
        "layer": f.layer,
    }
    if f.missing:
        out["missing"] = list(f.missing)
    if f.remedy:
        out["remedy"] = f.remedy
    if f.fingerprint:
        out["fingerprint"] = f.fingerprint
    if f.review is not None:
        out["review"] = review_to_json(f.review)
    return out


def review_to_json(review: Review) -> dict[str, Any]:
    return {"decision": review.decision, "reason": review.reason, "reviewer": review.reviewer,
            "date": review.date.isoformat(), "current": review.current,
            "fingerprint": review.fingerprint}
