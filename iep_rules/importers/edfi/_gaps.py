"""Import gaps: findings that rest only on what Ed-Fi cannot carry become needs-data.

Case rules read an absent IEP section (no assessment statement, no present levels) as "not
written", because a case file is meant to be the whole IEP. An Ed-Fi import is not: Ed-Fi has no
place for most IEP contents, consent in writing, team members or written agreements. So a
violation, warning or notice is re-labelled needs-data when any fact it read is absent or empty
in the imported case, or is one of the mapping file's `source_gaps` facts (values derived from
lists Ed-Fi cannot fill). A finding that rests only on recorded facts keeps its severity.

This works on the audit's JSON results, so it sits after evaluation and before counting.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from typing import Any

CONCLUSIVE = ("violation", "warning", "notice")
SEVERITIES = ("violation", "warning", "notice", "needs-data")


def _gap(evidence: Mapping[str, Any], gaps: Mapping[str, str]) -> str | None:
    """Why this evidence item is an import gap, or None if it is a recorded fact."""
    fact = str(evidence.get("fact"))
    if fact in gaps:
        return gaps[fact]
    value = evidence.get("value")
    if value is None or value == [] or value == {}:
        return "not recorded in the Ed-Fi data"
    return None


def reclassify(result: dict[str, Any], gaps: Mapping[str, str]) -> dict[str, Any]:
    """The audit result with gap-based findings re-labelled needs-data and the summary redone."""
    if result.get("type") != "result":
        return result
    for finding in result["findings"]:
        if finding["severity"] not in CONCLUSIVE:
            continue
        reasons = {e.get("path") or e.get("fact"): why for e in finding["evidence"]
                   for why in [_gap(e, gaps)] if why}
        if not reasons:
            continue
        finding["import_gap"] = {"was": finding["severity"], "facts": reasons}
        finding["severity"] = "needs-data"
        finding["missing"] = sorted(set(finding.get("missing", [])) | set(reasons))
        finding["message"] = (
            f"Not concluded from an Ed-Fi import: the rule reads {', '.join(sorted(reasons))}, "
            "which the Ed-Fi data does not carry (unknown, not 'not done'). Check the IEP file.")
    counts = Counter(f["severity"] for f in result["findings"])
    result["summary"] = {s: counts.get(s, 0) for s in SEVERITIES}
    return result
