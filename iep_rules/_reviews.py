"""Reviewed findings: a district's decisions on findings, and baselines of earlier reports.

A review file is YAML (safe loader, positions kept) validated by a JSON Schema; every problem is
reported with file:line:col. Each entry names a finding by case id, rule id, subject and
fingerprint and records a decision (accepted or disputed), a reason, who decided and when.

A review applies only while the finding's fingerprint is the one reviewed: when the facts the
rule read change, the finding is shown with its old review marked as no longer current. Reviewed
findings are always shown, never dropped; a baseline (an earlier JSON report) is what leaves
findings out, and says how many it left out.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import Any

import attrs
import jsonschema

from ._errors import Problem, _ProblemsError
from ._findings import Finding, Report, Review
from .lang._yaml import load_yaml

DECISIONS = ("accepted", "disputed")

REVIEW_SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "title": "iep-rules review file",
    "type": "object", "additionalProperties": False, "required": ["reviews"],
    "properties": {"reviews": {"type": "array", "items": {
        "type": "object", "additionalProperties": False,
        "required": ["case", "rule", "subject", "fingerprint", "decision", "reason", "reviewer",
                     "date"],
        "properties": {
            "case": {"type": "string", "minLength": 1},
            "rule": {"type": "string", "minLength": 1},
            "subject": {"type": "string", "pattern": r"^\$"},
            "fingerprint": {"type": "string", "pattern": "^fp[0-9]+-[0-9a-f]{20}$"},
            "decision": {"enum": list(DECISIONS)},
            "reason": {"type": "string", "minLength": 1},
            "reviewer": {"type": "string", "minLength": 1},
            "date": {"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"},
        }}}},
}


class ReviewFileError(_ProblemsError):
    """A review file is malformed; `problems` hold `file:line:col` locations."""

    kind = "review file"


class BaselineError(_ProblemsError):
    """A baseline report cannot be read as an iep-rules JSON report."""

    kind = "baseline report"


def load_reviews(path: str | Path) -> tuple[Review, ...]:
    """Every review in the file, or ReviewFileError listing every problem with its place."""
    name = str(path)
    doc, problems = load_yaml(Path(path).read_bytes(), name)
    if doc is None or problems:
        raise ReviewFileError(name, problems)
    validator = jsonschema.Draft202012Validator(REVIEW_SCHEMA)
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(map(str, e.path))):
        problems.append(Problem(doc.where(tuple(error.absolute_path)), error.message))
    if problems:
        raise ReviewFileError(name, problems)
    out: list[Review] = []
    seen: dict[tuple[str, str, str, str], str] = {}
    for i, entry in enumerate(doc.data["reviews"]):
        where = doc.where(("reviews", i))
        try:
            day = dt.date.fromisoformat(entry["date"])
        except ValueError:
            problems.append(Problem(doc.where(("reviews", i, "date")),
                                    f"not a real date: {entry['date']!r}"))
            continue
        key = (entry["case"], entry["rule"], entry["subject"], entry["fingerprint"])
        if key in seen:
            problems.append(Problem(where, f"this finding is already reviewed at {seen[key]}"))
            continue
        seen[key] = where
        out.append(Review(entry["case"], entry["rule"], entry["subject"], entry["fingerprint"],
                          entry["decision"], entry["reason"], entry["reviewer"], day, where))
    if problems:
        raise ReviewFileError(name, problems)
    return tuple(out)


class Reviews:
    """Reviews indexed for lookup by finding."""

    def __init__(self, reviews: Iterable[Review]) -> None:
        self.by_key: dict[tuple[str, str, str], list[Review]] = {}
        for review in reviews:
            key = (review.case_id, review.rule_id, review.subject)
            self.by_key.setdefault(key, []).append(review)

    def find(self, case_id: str, rule_id: str, subject: str, fingerprint: str) -> Review | None:
        """The review of this exact finding; else the latest review of the same rule and
        subject, marked not current (the facts changed since it was made); else None."""
        candidates = self.by_key.get((case_id, rule_id, subject), [])
        for review in candidates:
            if review.fingerprint == fingerprint:
                return review
        if not candidates:
            return None
        latest = max(candidates, key=lambda r: r.date)
        return attrs.evolve(latest, current=False)


def apply_reviews(report: Report, reviews: Reviews) -> Report:
    """The report with each finding's review attached (all findings kept)."""
    return attrs.evolve(report, findings=tuple(
        attrs.evolve(f, review=reviews.find(report.case_id, f.rule_id, f.subject, f.fingerprint))
        for f in report.findings))


def review_json_findings(case_id: str, findings: Sequence[dict[str, Any]],
                         reviews: Reviews) -> list[dict[str, Any]]:
    """The same for findings already as JSON (an audit's per-case results)."""
    from ._findings import review_to_json

    out = []
    for f in findings:
        review = reviews.find(case_id, f["rule_id"], f["subject"], f.get("fingerprint", ""))
        out.append({**f, "review": review_to_json(review)} if review is not None else f)
    return out


def load_baseline(path: str | Path) -> frozenset[str]:
    """The fingerprints of every finding in an earlier JSON report: `check --format json`,
    `audit --format json`, or `audit --format jsonl`."""
    name = str(path)
    text = Path(path).read_text(encoding="utf-8")
    try:
        docs: list[Any] = [json.loads(text)]
    except json.JSONDecodeError:
        try:
            docs = [json.loads(line) for line in text.splitlines() if line.strip()]
        except json.JSONDecodeError as exc:
            raise BaselineError(name, [Problem(f"{name}:{exc.lineno}:{exc.colno}",
                                               f"not JSON: {exc.msg}")]) from None
    prints: set[str] = set()
    problems: list[Problem] = []
    for doc in docs:
        for where, finding in _findings_in(doc):
            if not isinstance(finding, Mapping) or not finding.get("fingerprint"):
                problems.append(Problem(f"{name}: {where}", "finding without a fingerprint "
                                        "(a report from an older version: run it again)"))
            else:
                prints.add(str(finding["fingerprint"]))
    if problems:
        raise BaselineError(name, problems[:20])
    return frozenset(prints)


def _findings_in(doc: Any) -> Iterable[tuple[str, Any]]:
    if not isinstance(doc, Mapping):
        return
    if isinstance(doc.get("findings"), list):
        for i, f in enumerate(doc["findings"]):
            yield f"$.findings[{i}]", f
    if isinstance(doc.get("results"), list):
        for r, result in enumerate(doc["results"]):
            for where, f in _findings_in(result):
                yield f"$.results[{r}]{where[1:]}", f


def new_since(findings: Sequence[Finding], baseline: frozenset[str]) -> tuple[Finding, ...]:
    """The findings whose fingerprint the baseline does not hold."""
    return tuple(f for f in findings if f.fingerprint not in baseline)


class AuditReview:
    """What `audit --reviews/--baseline` does to each result object: drop the findings a
    baseline holds (recounting the result's summary), mark reviewed ones; and the figures
    it adds to the audit's summary."""

    def __init__(self, reviews: Reviews | None, baseline: frozenset[str] | None,
                 baseline_name: str = "") -> None:
        self.reviews, self.baseline, self.baseline_name = reviews, baseline, baseline_name
        self.left_out = 0
        self.reviewed = {"accepted": 0, "disputed": 0, "stale": 0}

    @classmethod
    def from_files(cls, reviews: str | Path | None,
                   baseline: str | Path | None) -> AuditReview | None:
        if reviews is None and baseline is None:
            return None
        return cls(Reviews(load_reviews(reviews)) if reviews is not None else None,
                   load_baseline(baseline) if baseline is not None else None,
                   str(baseline or ""))

    def __call__(self, result: dict[str, Any]) -> dict[str, Any]:
        if result["type"] != "result":
            return result
        if self.baseline is not None:
            kept = [f for f in result["findings"] if f.get("fingerprint") not in self.baseline]
            self.left_out += len(result["findings"]) - len(kept)
            severities = [f["severity"] for f in kept]
            result = {**result, "findings": kept,
                      "summary": {k: severities.count(k) for k in result["summary"]}}
        if self.reviews is not None:
            result = {**result, "findings": review_json_findings(
                result["case_id"], result["findings"], self.reviews)}
            for f in result["findings"]:
                if "review" in f:
                    state = f["review"]["decision"] if f["review"]["current"] else "stale"
                    self.reviewed[state] += 1
        return result

    def summary(self) -> dict[str, Any]:
        out: dict[str, Any] = {}
        if self.baseline is not None:
            out["baseline"] = {"report": self.baseline_name, "left_out": self.left_out}
        if self.reviews is not None:
            out["reviewed"] = dict(self.reviewed)
        return out
