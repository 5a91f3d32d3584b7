"""SARIF 2.1.0: findings for tools that read static-analysis results. Each rule becomes a SARIF
rule whose help text is its citations; each finding a result located at the case file (and the
line, for JSON Lines input) with the item's JSON path as its logical location."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .. import __version__
from ..lang._model import Rule

LEVEL = {"violation": "error", "warning": "warning", "notice": "note", "needs-data": "note"}


def _rule(rule: Rule) -> dict[str, Any]:
    cites = "; ".join(c.authority + ("" if c.verified else " (unverified)") for c in rule.cite)
    return {
        "id": rule.id,
        "name": rule.id.replace(".", "_").replace("-", "_"),
        "shortDescription": {"text": rule.title},
        "help": {"text": f"Law: {cites}. Defined at {rule.source} ({rule.source.layer})."},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"topic": rule.topic, "severity": rule.severity,
                       "citations": [c.authority for c in rule.cite]},
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
            "properties": {"severity": f["severity"], "evidence": f["evidence"]},
        })
    return {
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{"tool": {"driver": {"name": "iep-rules", "version": __version__,
                                      "rules": [_rule(r) for r in rules]}},
                  "results": results}],
    }
