"""explain(): why one rule fired, stayed silent or needs data for each item of a case.

OPA's `--explain` and OpenFisca's trace are the models: every condition, its truth, and the
facts it read with their values and JSON paths. The trace comes from the reference evaluator
(lang/_explain.py), which a property test holds to the compiled backend's truth values.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from .._errors import IEPRulesError
from .._findings import json_value
from ..case._records import Case
from ..facts._ledger import case_ledger
from ..facts._namespace import items
from ..lang import _conditions as c
from ..lang._explain import TRUTH_WORDS, Step, trace
from ..lang._model import Rule
from ..rulebook._rulebook import Rulebook

OUTCOMES = {c.TRUE: "fires", c.FALSE: "silent", c.UNKNOWN: "needs-data"}


class UnknownRuleError(IEPRulesError, LookupError):
    """The rule asked about is not in force for the jurisdiction (or does not exist)."""


@attrs.frozen
class ItemExplanation:
    subject: str  # JSON path of the item, e.g. $.ieps[1]
    outcome: str  # fires | silent | needs-data
    step: Step


@attrs.frozen
class Explanation:
    rule: Rule
    case_id: str
    jurisdiction: str
    as_of: dt.date
    in_force: bool
    params: dict[str, object]
    items: tuple[ItemExplanation, ...]


def explain(rulebook: Rulebook, case: Case, rule_id: str, *, as_of: dt.date | None = None,
            jurisdiction: str | None = None) -> Explanation:
    """Trace `rule_id` on every item of its scope in `case`, as `evaluate` would see them."""
    day = as_of or dt.date.today()
    code = jurisdiction or case.jurisdiction
    resolved = rulebook.resolve(code)
    rule = next((r for r in resolved.rules if r.id == rule_id), None)
    if rule is None:
        gone = resolved.disabled.get(rule_id)
        why = f" (disabled at {gone.source}: {gone.reason})" if gone else ""
        raise UnknownRuleError(f"no rule {rule_id!r} in force for {code}{why}")
    params = resolved.values_on(day)
    ctx = c.Context(params, case.student.date_of_birth)
    ledgers = tuple(case_ledger(case, day, params))
    found = items(case, day, {rule.scope}, {lg.subject: lg.facts() for lg in ledgers})
    explained = []
    for item in found:
        step = trace(rule.when, item.ns, ctx)
        explained.append(ItemExplanation(item.subject, OUTCOMES[step.truth], step))
    used = {name: params[name] for name in rule.params_used}
    return Explanation(rule, case.id, code, day, rule.in_force(day), used, tuple(explained))


def explanation_to_json(ex: Explanation) -> dict[str, Any]:
    """The explanation as JSON: per item, the nested steps with the facts each read."""

    def step(s: Step) -> dict[str, Any]:
        out: dict[str, Any] = {"condition": s.text, "truth": TRUTH_WORDS[s.truth]}
        if s.element:
            out["element"] = s.element
        if s.reads:
            out["read"] = [{"fact": r.fact, "path": r.path, "value": json_value(r.value),
                            **({"derived": r.derived} if r.derived else {})}
                           for r in s.reads]
        if s.steps:
            out["steps"] = [step(x) for x in s.steps]
        return out

    return {"rule_id": ex.rule.id, "case_id": ex.case_id, "jurisdiction": ex.jurisdiction,
            "as_of": ex.as_of.isoformat(), "in_force": ex.in_force,
            "parameters": {k: json_value(v) for k, v in ex.params.items()},
            "items": [{"subject": i.subject, "outcome": i.outcome, "trace": step(i.step)}
                      for i in ex.items]}
