"""Everything the service takes from the library, in one place.

The service is a thin HTTP layer: it must produce exactly what the CLI produces, so it calls
the same functions. Imports below the top-level `iep_rules` package are kept in this module
only, so a reorganisation of the package changes this file and nothing else in the service.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from .. import Case, Rulebook, case_from_mapping, evaluate
from .._findings import json_value
from ..batch._audit import CaseRecord, Settings, Tally, run_one
from ..case._io import case_from_json, parse_json
from ..case._schema import case_schema
from ..engine._evaluate import available_backends
from ..facts._ledger import case_ledger
from ..lang._rulefile import rulefile_schema
from ..render._json import to_json
from ..render._text import ledger_json
from ..rulebook._catalog import list_rules, rule_row
from ..rulebook._jurisdiction import US_STATES

__all__ = ["Tally", "available_backends", "case_from_mapping", "case_schema", "list_rules",
           "parse_json", "rulefile_schema"]



def parse_case(raw: bytes, source: str) -> Case:
    """A request body as a case; `CaseError` lists every problem by JSON path, as the CLI does."""
    return case_from_json(raw, source)


def check_json(book: Rulebook, case: Case, *, as_of: dt.date, jurisdiction: str | None,
               backend: str) -> str:
    """The text `iep-rules check --format json` prints for this case."""
    return to_json(evaluate(book, case, as_of=as_of, jurisdiction=jurisdiction, backend=backend))


def ledger_text_json(book: Rulebook, case: Case, *, as_of: dt.date,
                     jurisdiction: str | None) -> str:
    """The text `iep-rules ledger --format json` prints for this case."""
    resolved = book.resolve(jurisdiction or case.jurisdiction)
    return ledger_json(case_ledger(case, as_of, resolved.values_on(as_of)))


def audit_line(book: Rulebook, source: str, line: int, text: str, *, as_of: dt.date,
               jurisdiction: str | None, backend: str) -> dict[str, Any]:
    """One JSON Lines record's result object, as `iep-rules audit --format jsonl` has it."""
    return run_one(CaseRecord(source, line, text=text),
                   Settings((), as_of, jurisdiction, backend), book)


def jsonl(obj: dict[str, Any]) -> bytes:
    """One output line, serialised as the audit command serialises it."""
    return (json.dumps(obj, sort_keys=True) + "\n").encode("utf-8")


def explain(book: Rulebook, rule_id: str, jurisdiction: str) -> dict[str, Any] | None:
    """What `iep-rules rules explain` shows, as JSON; None if no such rule is in force."""
    resolved = book.resolve(jurisdiction)
    rule = next((r for r in resolved.rules if r.id == rule_id), None)
    if rule is None:
        return None
    row = rule_row(rule)
    row["citations"] = [{"authority": c.authority, "verified": c.verified, "kind": c.kind,
                         "note": c.note} for c in rule.cite]
    parameters = []
    for name in rule.params_used:
        param = resolved.parameters[name]
        parameters.append({
            "name": name, "unit": param.unit, "source": str(param.source),
            "layer": param.source.layer,
            "values": [{"from": start.isoformat(), "value": json_value(value)}
                       for start, value in param.values],
            "citations": [{"authority": c.authority, "verified": c.verified, "kind": c.kind}
                          for c in param.cite],
        })
    row.update({
        "jurisdiction": jurisdiction,
        "condition": str(rule.when),
        "clock": rule.clock or None,
        "effective_from": rule.effective_from.isoformat() if rule.effective_from else None,
        "effective_to": rule.effective_to.isoformat() if rule.effective_to else None,
        "parameters": parameters,
        "examples": [{"name": e.name, "expect": e.expect} for e in rule.examples],
    })
    return row


def disabled_reason(book: Rulebook, rule_id: str, jurisdiction: str) -> str | None:
    """Why a rule is not in force for a jurisdiction, when an overlay disabled it."""
    gone = book.resolve(jurisdiction).disabled.get(rule_id)
    return f"disabled at {gone.source}: {gone.reason}" if gone else None


def rule_counts(book: Rulebook) -> dict[str, int]:
    """Rules in force per loaded jurisdiction, for /version."""
    return {code: len(book.resolve(code).rules) for code in book.jurisdictions()}


def accepted_jurisdictions(book: Rulebook) -> list[str]:
    """The codes `evaluate` accepts: the rulebook's layers, then every other US state (federal
    rules only)."""
    loaded = book.jurisdictions()
    others = sorted(f"US-{state}" for state in US_STATES)
    return [*loaded, *(code for code in others if code not in loaded)]
