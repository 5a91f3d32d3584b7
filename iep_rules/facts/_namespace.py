"""The facts a rule can read: each case item as a namespace, plus derived facts, as of a date.

Every scope (case, eligibility, iep, service, ...) yields items; each item is a plain mapping of
its recorded fields, `$path` (its JSON path in the case), and shared names: `as_of`, `student`
(with `age`), and `case` (case-level derived facts such as `last_iep_meeting`). The same
descriptions drive load-time checking of the fact paths a rule file names.
"""

from __future__ import annotations

import bisect
import datetime as dt
import typing
from collections.abc import Iterator, Mapping
from enum import Enum
from typing import Any

import attrs

from .._vocab import FactKind
from ..case import _records as r
from . import _areas
from ._age import age_on
from ._ledger import LEDGER_FACTS_DECLARED


@attrs.frozen
class ListOf:
    element: Any  # a kind string or a record description (dict)


# scope -> (record class, attribute of Case holding the items)
SCOPES: dict[str, tuple[type, str | None]] = {
    "case": (r.Case, None),
    "eligibility": (r.Eligibility, "eligibility"),
    "evaluation": (r.Evaluation, "evaluations"),
    "iep": (r.IEP, "ieps"),
    "service": (r.Service, None),  # nested in each IEP
    "placement": (r.Placement, "placements"),
    "meeting": (r.Meeting, "meetings"),
    "parent_request": (r.ParentRequest, "parent_requests"),
    "consent": (r.Consent, "consents"),
}

# Derived facts, by name, with their kind: documented in docs/facts.md.
CASE_DERIVED: dict[str, Any] = {
    "iep_count": "number",
    "last_iep_meeting": "date",
    "last_evaluation_completed": "date",
    "currently_eligible": "bool",
    "agreement_kinds": ListOf("string"),
    "reevaluation_waiver_on_file": "bool",
    "evaluation_consent_date": "date",
    "reevaluation_consent_dates": ListOf("date"),
    "services_consent_date": "date",
    "services_consent_revoked_on": "date",
    "first_delivered_session": "date",
    "last_delivered_session": "date",
}
SCOPE_DERIVED: dict[str, dict[str, Any]] = {
    "evaluation": {"previous_completed": "date"},
    "eligibility": {"next_iep_meeting": "date"},
}


# ---- issue-14 areas (implementation, evaluation rights, notices, discipline, progress,
# transfer, no cost): scopes and derived facts, computed in facts/_areas.py -----------------
AREA_SCOPES: dict[str, tuple[type, str | None]] = {
    "removal": (r.Removal, "removals"),
    "prior_written_notice": (r.PriorWrittenNotice, "prior_written_notices"),
    "parent_cost": (r.ParentCost, "parent_costs"),
    "transfer": (r.Transfer, "transfers"),
}
AREA_CASE_DERIVED: dict[str, Any] = {
    "initial_services_start": "date",
    "school_days_consent_to_services": "number",
    "school_days_consent_to_services_consent": "number",
    "school_years_without_safeguards_notice": ListOf("string"),
    "safeguards_notice_by_evaluation_consent": "bool",
}
AREA_SCOPE_DERIVED: dict[str, dict[str, Any]] = {
    "iep": {
        "staff_without_copy": ListOf("string"),
        "staff_copy_after_start": ListOf("string"),
        "staff_not_informed": ListOf("string"),
        "progress_reports_outstanding": ListOf("date"),
    },
    "service": {"provision_failures": ListOf("date")},
    "evaluation": {"areas_not_assessed": ListOf("string"), "next_iep_meeting": "date"},
    "prior_written_notice": {"in_parent_language": "bool"},
    "removal": {
        "counted": "bool",
        "school_days": "number",
        "school_days_before_this_year": "number",
        "cumulative_school_days": "number",
        "manifestation_school_days": "number",
        "school_days_since_decision": "number",
        "safeguards_notice_on_decision_date": "bool",
        "behavior_plans_recorded": "bool",
        "behavior_plan_action_after_manifestation": "date",
    },
}
SCOPES.update(AREA_SCOPES)
CASE_DERIVED.update(AREA_CASE_DERIVED)
for _scope, _facts in AREA_SCOPE_DERIVED.items():
    SCOPE_DERIVED.setdefault(_scope, {}).update(_facts)
# ---- end of issue-14 block ------------------------------------------------------------------


@attrs.frozen
class Item:
    scope: str
    subject: str  # JSON path of the item in the case, e.g. $.ieps[0].services[1]
    order: tuple[int, ...]  # natural sort key for the subject
    ns: Mapping[str, Any]


def to_data(value: Any, path: str) -> Any:
    """A record as nested plain data (enums as their strings), each mapping tagged with `$path`."""
    fields = getattr(type(value), "__attrs_attrs__", None)
    if fields is not None:
        out: dict[str, Any] = {"$path": path}
        for field in fields:
            out[field.name] = to_data(getattr(value, field.name), f"{path}.{field.name}")
        return out
    if isinstance(value, tuple):
        return tuple(to_data(item, f"{path}[{i}]") for i, item in enumerate(value))
    if isinstance(value, Enum):
        return value.value
    return value


def _age(dob: dt.date | None, on: dt.date) -> int | None:
    return None if dob is None else age_on(dob, on)


def case_facts(case: r.Case, as_of: dt.date) -> dict[str, Any]:
    """Case-level derived facts; only events on or before `as_of` count."""
    meetings = [i.meeting_date for i in case.ieps if i.meeting_date and i.meeting_date <= as_of]
    missing_meeting = any(i.meeting_date is None for i in case.ieps)
    done = [e.completed for e in case.evaluations if e.completed and e.completed <= as_of]
    decisions = sorted((e for e in case.eligibility if e.date <= as_of), key=lambda e: e.date)
    last_eval = max(done, default=None)
    waiver = any(
        a.kind == "reevaluation_unnecessary" and (last_eval is None or a.date >= last_eval)
        for a in case.agreements
        if a.date <= as_of
    )
    services = [x for x in case.consents
                if x.kind is r.ConsentKind.INITIAL_SERVICES and x.date <= as_of]
    given = [x.date for x in services if x.response is r.ConsentResponse.GIVEN and x.written]
    revoked = [x.date for x in services if x.response is r.ConsentResponse.REVOKED]
    delivered = [x.date for x in case.sessions
                 if x.status is not r.SessionStatus.MISSED and x.date <= as_of]
    to_evaluate = [x.date for x in case.consents
                   if x.kind is r.ConsentKind.INITIAL_EVALUATION and x.date <= as_of
                   and x.response is r.ConsentResponse.GIVEN and x.written]
    return {
        "$path": None,
        "evaluation_consent_date": min(to_evaluate, default=None),
        "reevaluation_consent_dates": tuple(sorted(
            x.date for x in case.consents
            if x.kind is r.ConsentKind.REEVALUATION and x.response is r.ConsentResponse.GIVEN
            and x.date <= as_of)),
        "services_consent_date": min(given, default=None),
        # Only a revocation after the latest written consent ends it; a new consent restarts.
        "services_consent_revoked_on": max(
            (d for d in revoked if not given or d >= max(given)), default=None),
        "first_delivered_session": min(delivered, default=None),
        "last_delivered_session": max(delivered, default=None),
        "iep_count": len(case.ieps),
        # An IEP with no meeting date makes "the last meeting" unknowable, not merely earlier.
        "last_iep_meeting": None if missing_meeting else max(meetings, default=None),
        "last_evaluation_completed": last_eval,
        "currently_eligible": (decisions[-1].outcome is r.Outcome.ELIGIBLE) if decisions else None,
        "agreement_kinds": tuple(sorted({a.kind for a in case.agreements if a.date <= as_of})),
        "reevaluation_waiver_on_file": waiver,
        **_areas.area_case_facts(case, as_of),  # issue-14 areas
    }


LEDGER_FACTS: dict[str, Any] = {  # declared with the ledger (facts/_ledger.py)
    name: ListOf("string") if kind == "list of string" else kind
    for name, kind, _ in LEDGER_FACTS_DECLARED
}


def items(case: r.Case, as_of: dt.date, scopes: set[str] | None = None,
          ledgers: Mapping[str, Mapping[str, Any]] | None = None) -> Iterator[Item]:
    """Every item of the wanted scopes, in a fixed order, each with its namespace.
    `ledgers` maps a service's JSON path to its ledger facts (read as `ledger.*`)."""
    student = to_data(case.student, "$.student")
    student["age"] = _age(case.student.date_of_birth, as_of)
    shared = {"as_of": as_of, "student": student, "case": case_facts(case, as_of)}

    def wanted(scope: str) -> bool:
        return scopes is None or scope in scopes

    whole = to_data(case, "$")  # converted once; every scope's items share these mappings
    # IEP meeting dates sorted once: each eligibility decision finds its next meeting by
    # bisection, so many decisions times many IEPs is not quadratic work.
    meeting_days = sorted(i.meeting_date for i in case.ieps
                          if i.meeting_date is not None and i.meeting_date <= as_of)
    if wanted("case"):
        yield Item("case", "$", (), {**whole, **shared})
    for scope, (_, attr) in SCOPES.items():
        if attr is None or not wanted(scope):
            continue
        records = getattr(case, attr)
        removals = _areas.removal_facts(case, as_of) if scope == "removal" else []
        previous: dt.date | None = None
        order: list[int] = list(range(len(records)))
        if scope == "evaluation":
            order = sorted(order, key=lambda i: (records[i].completed or dt.date.max, i))
        for index in order:
            data = dict(whole[attr][index])
            if scope == "eligibility":
                at = bisect.bisect_left(meeting_days, records[index].date)
                data["next_iep_meeting"] = meeting_days[at] if at < len(meeting_days) else None
            if scope == "evaluation":
                data["previous_completed"] = previous
                previous = records[index].completed or previous
            if scope == "evaluation":  # issue-14 areas
                data.update(_areas.evaluation_facts(case, records[index], as_of))
            if scope == "iep":  # issue-14 areas
                data.update(_areas.iep_facts(records[index], as_of))
            if scope == "prior_written_notice":  # issue-14 areas
                data["in_parent_language"] = _areas.same_language(
                    records[index].language, records[index].parent_language)
            if scope == "removal":  # issue-14 areas
                data.update(removals[index])
            yield Item(scope, data["$path"], (index,), {**data, **shared})
    if wanted("service"):
        for i, iep_data in enumerate(whole["ieps"]):
            for j, data in enumerate(iep_data["services"]):
                ledger = (ledgers or {}).get(data["$path"])
                plan = case.ieps[i]
                data = {**data, **_areas.service_facts(case, plan, plan.services[j], as_of)}
                yield Item("service", data["$path"], (i, j),
                           {**data, **shared, "iep": iep_data, "ledger": ledger})


# ---- descriptions used to check fact paths in rule files -------------------------------

def describe(cls: type) -> dict[str, Any]:
    """Field name -> kind ("date", "number", "string", "bool", a dict, or ListOf)."""
    hints = typing.get_type_hints(cls)
    return {f.name: _kind(hints[f.name]) for f in attrs.fields(cls)}


def _kind(hint: Any) -> Any:
    args = [a for a in typing.get_args(hint) if a is not type(None)]
    origin = typing.get_origin(hint)
    if origin is tuple:
        return ListOf(_kind(args[0]))
    if args and origin is not None and len(args) == 1:
        return _kind(args[0])
    if hint is dt.date:
        return FactKind.DATE
    if hint is bool:
        return FactKind.BOOL
    if hint in (int, float):
        return FactKind.NUMBER
    if isinstance(hint, type) and attrs.has(hint):
        return describe(hint)
    return FactKind.STRING  # str and the StrEnums


def scope_description(scope: str) -> dict[str, Any]:
    """What a rule of this scope may name."""
    cls = SCOPES[scope][0]
    desc = describe(cls)
    desc.update(SCOPE_DERIVED.get(scope, {}))
    student = describe(r.Student)
    student["age"] = "number"
    desc.update({"as_of": "date", "student": student, "case": dict(CASE_DERIVED)})
    if scope == "service":
        desc["iep"] = describe(r.IEP)
        desc["ledger"] = dict(LEDGER_FACTS)
    return desc
