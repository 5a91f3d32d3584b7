"""SARIF 2.1.0: findings for tools that read static-analysis results. Each rule becomes a SARIF
rule whose help text is its citations; each finding a result located at the case file (and the
line, for JSON Lines input) with the item's JSON path as its logical location."""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Iterable
from typing import Any

from .._findings import finding_to_json
from .._version import package_version
from .._vocab import Severity
from ..lang._model import Rule, format_citations
from ._json import indented
from ._registry import AuditOutput, ReportInput, audit_format, report_format

LEVEL = {Severity.VIOLATION: "error", Severity.WARNING: "warning", Severity.NOTICE: "note",
         Severity.NEEDS_DATA: "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    cites = format_citations(rule.cite, unverified=" (unverified)", notes=True)
    return {
        "id": rule.id,
        "name": rule.id.replace(".", "_").replace("-", "_"),
        "shortDescription": {"text": rule.title},
        "help": {"text": f"Law: {cites}. Defined at {rule.source} ({rule.source.layer})."},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"topic": rule.topic, "severity": rule.severity,
                       "citations": [c.authority for c in rule.cite],
                       "citationNotes": {c.authority: c.note for c in rule.cite if c.note}},
    }


def sarif_log(rules: Iterable[Rule], located: Iterable[tuple[str, int | None, dict[str, Any]]]
              ) -> dict[str, Any]:
    """`located` holds (artifact uri, line or None, finding as JSON) triples."""
    results = []
    for uri, line, f in located:
        physical: dict[str, Any] = {"artifactLocation": {"uri": uri}}
        if line is not None:
            physical["region"] = {"startLine": line}
        results.append({
            "ruleId": f["rule_id"],
            "level": LEVEL[f["severity"]],
            "message": {"text": f["message"]},
            "locations": [{"physicalLocation": physical,
                           "logicalLocations": [{"fullyQualifiedName": f["subject"]}]}],
            "properties": {"severity": f["severity"], "evidence": f["evidence"],
                           "citations": f["citations"]},
        })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "iep-rules", "version": package_version(),
                                      "rules": [_rule(r) for r in rules]}},
                  "results": results}],
    }


@report_format("sarif")
def sarif_report(data: ReportInput) -> str:
    located = [(data.source, None, finding_to_json(f)) for f in data.report.findings]
    return json.dumps(sarif_log(data.rules, located), indent=2) + "\n"


@audit_format("sarif")
class SarifAudit:
    """One SARIF log for the whole audit, its rules those in force for the cases' codes. The
    rules come first and only the last record completes them, so results wait in an unnamed
    temporary file, not in memory; the output is byte for byte the log dumped whole."""

    def __init__(self, output: AuditOutput) -> None:
        self.output = output
        self.codes: set[str] = set()
        self.count = 0
        # held across add() calls and closed by finish(); the file has no name on disk
        self.spool = tempfile.TemporaryFile("w+", encoding="utf-8")  # noqa: SIM115

    def add(self, result: dict[str, Any]) -> None:
        if result["type"] != "result":
            return
        self.codes.add(result["jurisdiction"])
        for finding in result["findings"]:
            (entry,) = sarif_log((), [(result["source"], result["line"], finding)]
                                 )["runs"][0]["results"]
            text = indented(json.dumps(entry, indent=2), 8)
            self.spool.write(("" if self.count == 0 else ",\n") + text)
            self.count += 1

    def finish(self, summary: dict[str, Any]) -> None:
        out = self.output.out
        rules = self.output.rules_for(sorted(self.codes))
        with self.spool:
            if self.count == 0:
                out.write(json.dumps(sarif_log(rules, ()), indent=2) + "\n")
                return
            marker = f"results-{uuid.uuid4().hex}"
            doc = sarif_log(rules, ())
            doc["runs"][0]["results"] = [marker]
            head, tail = json.dumps(doc, indent=2).split(f'        "{marker}"')
            out.write(head)
            self.spool.seek(0)
            while chunk := self.spool.read(1 << 16):
                out.write(chunk)
            out.write(tail + "\n")
