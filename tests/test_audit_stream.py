"""The streamed audit documents are byte for byte the documents dumped whole."""

from __future__ import annotations

import io
import json
from typing import Any

from iep_rules import load_rulebook
from iep_rules.render._json import JsonAudit
from iep_rules.render._registry import AuditOutput
from iep_rules.render._sarif import SarifAudit, sarif_log

FINDING = {"rule_id": "idea.iep.present-levels", "severity": "violation", "topic": "iep-contents",
           "title": "t", "message": "line one\nline \"two\"", "subject": "$.ieps[0]",
           "evidence": [{"fact": "present_levels", "path": "$.ieps[0].present_levels",
                         "value": None}], "citations": [], "source": "x.yaml:1", "layer": "US"}


def _results() -> list[dict[str, Any]]:
    return [
        {"type": "result", "source": "a.jsonl", "line": 1, "case_id": "c1", "school": None,
         "jurisdiction": "US", "summary": {"violation": 1}, "findings": [FINDING, FINDING]},
        {"type": "error", "source": "a.jsonl", "line": 2, "problems": ["$: bad"]},
        {"type": "result", "source": "a.jsonl", "line": 3, "case_id": "c3", "school": "S",
         "jurisdiction": "US-NY", "summary": {}, "findings": []},
        {"type": "result", "source": "a.jsonl", "line": 4, "case_id": "c4", "school": "S",
         "jurisdiction": "US-NY", "summary": {}, "findings": [FINDING]},
    ]


def test_json_document_streamed_equals_dumped_whole() -> None:
    summary = {"type": "summary", "records_in": 4, "by": {"b": 1, "a": 2}}
    for results in (_results(), _results()[:1], []):
        out = io.StringIO()
        writer = JsonAudit(AuditOutput(out, io.StringIO(), lambda codes: []))
        for result in results:
            writer.add(result)
        writer.finish(summary)
        whole = json.dumps({"results": results, "summary": summary}, indent=2, sort_keys=True)
        assert out.getvalue() == whole + "\n"


def test_sarif_document_streamed_equals_dumped_whole() -> None:
    book = load_rulebook()

    def rules_for(codes: Any) -> Any:
        return list({rule.id: rule for code in codes
                     for rule in book.resolve(code).rules}.values())

    for results in (_results(), _results()[1:3], []):
        out = io.StringIO()
        writer = SarifAudit(AuditOutput(out, io.StringIO(), rules_for))
        for result in results:
            writer.add(result)
        writer.finish({})
        located = [(r["source"], r["line"], f) for r in results if r["type"] == "result"
                   for f in r["findings"]]
        codes = sorted({r["jurisdiction"] for r in results if r["type"] == "result"})
        whole = json.dumps(sarif_log(rules_for(codes), located), indent=2)
        assert out.getvalue() == whole + "\n"
