"""Duplicate records: the same natural key read twice (in two files, or twice in one).

District exports overlap (an XML interchange and an API pull of the same year, two pages that
share a record). An identical duplicate is the same fact said twice: it collapses without a
note (the summary counts it). A duplicate that differs is a contradiction the importer cannot
resolve, and a finding resting on either value would be a legal claim on disputed data. So the
case keeps only what both records say: each disputed field is left out (unknown, so the rules
that read it answer needs-data), and a record that cannot do without a disputed field (an
undated delivery or event) is left out whole. A case list the disputed value would have
completed (its placements, exits, session log) is left unknown too, since a list with an item
missing would read as complete. A `data-quality` entry names both places, the fields that
differ and what was done. Records are compared after reading, so an XML record and its ODS/API
twin compare equal (numbers, booleans and one-item lists normalised; child collections
unordered, as Ed-Fi defines them).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

import attrs

from ._keys import Key, event_key, iep_key, prescription_key, ref
from ._source import SourceRecord, text

# Fields a record cannot lose: its identity (the natural key), and what the case needs to place
# it at all (a delivery's date and service, an event's date and, for an evaluation, its kind:
# EventCompliance, which this table cannot tell apart from a consent event's, so any event
# disputed there is left out; a discipline action's kind). A dispute over one of these leaves
# the record out of the case.
ESSENTIAL: dict[str, frozenset[str]] = {
    "StudentSpecialEducationProgramAssociation": frozenset({
        "StudentUniqueId", "EducationOrganizationId", "ProgramReference", "BeginDate"}),
    "StudentIEP": frozenset({"StudentUniqueId", "EducationOrganizationId",
                             "StudentIEPIdentifier", "IEPFinalizedDate"}),
    "StudentIEPServicePrescription": frozenset({
        "StudentIEPReference", "ServicePrescription", "ServicePrescriptionDate"}),
    "StudentIEPServiceDelivery": frozenset({
        "StudentIEPReference", "IEPServiceDeliveryIdentifier", "ServiceDeliveryDate",
        "ServiceDelivery", "StudentIEPServicePrescriptionReference"}),
    "StudentIEPGoal": frozenset({"StudentIEPReference", "IEPGoalIdentifier"}),
    "IDEAEvent": frozenset({"StudentUniqueId", "EducationOrganizationId", "IDEAEventIdentifier",
                            "IDEAEvent", "BeginDate", "EventCompliance"}),
    "Student": frozenset({"StudentUniqueId"}),
    "StudentSchoolAttendanceEvent": frozenset({
        "StudentUniqueId", "SchoolReference", "SessionReference", "AttendanceEvent",
        "EventDate", "AttendanceEventCategory"}),
    "StaffLeave": frozenset({"StaffUniqueId", "BeginDate", "StaffLeaveEventCategory"}),
    "DisciplineAction": frozenset({"StudentUniqueId", "DisciplineActionIdentifier",
                                   "DisciplineDate", "Discipline"}),
}

# Fields the case builder reads in place of a missing one: when the first is disputed, the
# stand-in must not speak for it (a disputed actual length is not the planned length).
STAND_INS: dict[str, dict[str, str]] = {
    "DisciplineAction": {"ActualDisciplineActionLength": "DisciplineActionLength"},
}

# Case lists (not only the record's own item) that a disputed field leaves incomplete: the
# placement is dated by the review date and named by the setting; the exits are gathered from
# every program association of the student.
_EXITS = dict.fromkeys(("SpecialEducationExitReason", "SpecialEducationExitDate",
                        "ReasonExited", "EndDate"), "exits")
CASE_LIST_OF_FIELD: dict[str, dict[str, str]] = {
    "StudentSpecialEducationProgramAssociation": {
        "SpecialEducationSetting": "placements", "IEPReviewDate": "placements", **_EXITS},
    "StudentIEP": {"SpecialEducationSetting": "placements"},
}
# The case list a left-out record would have joined (an IDEA event's depends on its mapping,
# which the case builder knows: see `_build`).
CASE_LIST_OF_RECORD = {"StudentIEPServiceDelivery": "sessions",
                       "DisciplineAction": "removals"}
# Lists the case format reads as complete when absent (no "unknown"): said in the entry.
NO_UNKNOWN_FORM = frozenset({"removals"})


def natural_key(record: SourceRecord) -> Key | None:
    """The record's Ed-Fi identity, or None when it has none the importer can rely on."""
    d, kind = record.data, record.kind
    student = text(d.get("StudentUniqueId"))
    key: Key
    if kind == "StudentSpecialEducationProgramAssociation":
        program = ref(d, "ProgramReference")
        key = (student, text(d.get("EducationOrganizationId")),
               text(program.get("EducationOrganizationId")), text(program.get("ProgramName")),
               text(program.get("ProgramType")), text(d.get("BeginDate")))
    elif kind == "StudentIEP":
        key = iep_key(d)
    elif kind == "StudentIEPServicePrescription":
        key = prescription_key(ref(d, "StudentIEPReference"), d)
    elif kind in ("StudentIEPServiceDelivery", "StudentIEPGoal"):
        ident = "IEPServiceDeliveryIdentifier" if kind == "StudentIEPServiceDelivery" \
            else "IEPGoalIdentifier"
        if text(d.get(ident)) is None:
            return None
        key = (*iep_key(ref(d, "StudentIEPReference")), text(d.get(ident)))
    elif kind == "IDEAEvent":
        key = event_key(d)
    elif kind == "Student":
        key = (student,)
    elif kind == "StudentSchoolAttendanceEvent":
        event = ref(d, "AttendanceEvent") or d
        session = ref(d, "SessionReference")
        key = (student, text(ref(d, "SchoolReference").get("SchoolId")),
               text(session.get("SessionName")), text(event.get("EventDate")),
               text(event.get("AttendanceEventCategory")))
    elif kind == "StaffLeave":
        key = (text(d.get("StaffUniqueId")), text(d.get("BeginDate")),
               text(d.get("StaffLeaveEventCategory")))
    elif kind == "DisciplineAction":
        key = (student, text(d.get("DisciplineActionIdentifier")),
               text(d.get("DisciplineDate")))
    else:
        return None
    return (kind, *key) if any(k is not None for k in key) else None


def _scalar(value: Any) -> str | None:
    if isinstance(value, bool):
        return "true" if value else "false"
    raw = text(value)
    if raw is None:
        return None
    try:
        number = float(raw)
    except ValueError:
        return raw
    return repr(number) if math.isfinite(number) else raw


def _leaves(value: Any, name: str) -> Iterator[tuple[str, str]]:
    if isinstance(value, Mapping):
        for key, item in value.items():
            yield from _leaves(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item, name)
    else:
        scalar = _scalar(value)
        if scalar is not None:
            yield name, scalar


def canonical(data: Mapping[str, Any]) -> dict[str, list[str]]:
    """A record as its values per field name, wherever the field sits: the XML groups some
    fields (BirthData, AttendanceEvent, nested references) that the API keeps flat, and a
    child of one descriptor is a list of URIs in one shape and of records in the other.
    Numbers, booleans and order within a collection (unordered in Ed-Fi) do not matter."""
    out: dict[str, list[str]] = {}
    for name, scalar in _leaves(data, ""):
        out.setdefault(name, []).append(scalar)
    return {name: sorted(values) for name, values in sorted(out.items())}


def differing_fields(a: SourceRecord, b: SourceRecord) -> list[str]:
    """Fields whose values differ (empty: the records say the same)."""
    ca, cb = canonical(a.data), canonical(b.data)
    return sorted(k for k in set(ca) | set(cb) if ca.get(k) != cb.get(k))


def disputed_fields(a: SourceRecord, b: SourceRecord, fields: list[str]) -> list[str]:
    """The top-level fields of either record that hold a differing value. `fields` (from
    `differing_fields`) are leaf names; a top-level field is disputed when it holds one of them
    and the two records do not say the same under it (so a reference that merely shares a leaf
    name with a differing one, e.g. an identifier in another reference, is not disputed)."""
    names = set(fields)
    out: set[str] = set()
    for this, other in ((a.data, b.data), (b.data, a.data)):
        for field, value in this.items():
            if not names & {name for name, _ in _leaves(value, field)}:
                continue
            if field in other and canonical({field: value}) == canonical({field: other[field]}):
                continue
            out.add(field)
    return sorted(out)


@attrs.frozen
class Settled:
    """What a differing duplicate does to the record kept (None: left out of the case)."""

    record: SourceRecord | None
    entry: dict[str, Any]


def settle(kept: SourceRecord | None, first: SourceRecord, again: SourceRecord,
           fields: list[str]) -> Settled:
    """Keep what both say: drop the disputed fields from the kept record (the first read, or
    what earlier duplicates left of it), or the whole record when one of them is essential."""
    disputed = disputed_fields(first, again, fields) or sorted(fields)
    stand_ins = STAND_INS.get(again.kind, {})
    disputed = sorted({*disputed, *(stand_ins[f] for f in disputed if f in stand_ins)})
    essential = sorted(ESSENTIAL.get(again.kind, frozenset()).intersection(disputed))
    field_lists = CASE_LIST_OF_FIELD.get(again.kind, {})
    lists = sorted({field_lists[f] for f in disputed if f in field_lists})
    entry: dict[str, Any] = {
        "rule_id": "edfi.dq.conflicting-duplicate", "topic": "data-quality",
        "where": again.at(), "also_at": first.at(), "record": again.kind, "fields": fields}
    if kept is None or essential:
        own = CASE_LIST_OF_RECORD.get(again.kind)
        entry.update(action="record-dropped", unknown_fields=essential or disputed,
                     case_lists_unknown=[own] if own else [], already_left_out=kept is None)
        describe(entry)
        return Settled(None, entry)
    entry.update(action="fields-unknown", unknown_fields=disputed,
                 case_lists_unknown=lists)
    describe(entry)
    data = {k: v for k, v in kept.data.items() if k not in disputed}
    return Settled(attrs.evolve(kept, data=data), entry)


def describe(entry: dict[str, Any]) -> None:
    """(Re)write the entry's message from what was done (the case builder may add a list)."""
    lists = [x for x in entry["case_lists_unknown"] if x not in NO_UNKNOWN_FORM]
    said = (f"{entry['record']} with the same Ed-Fi identity as the one at {entry['also_at']} "
            f"differs in {', '.join(entry['fields'])}; ")
    if entry.get("already_left_out"):
        said += "the record was already left out of the case for an earlier disagreement"
    elif entry["action"] == "record-dropped":
        said += (f"the record cannot do without {', '.join(entry['unknown_fields'])}, so it "
                 "is left out of the case")
    else:
        said += (f"the case takes neither value: {', '.join(entry['unknown_fields'])} left "
                 "unknown, the fields both records agree on kept")
    if lists:
        said += (f"; the case's {' and '.join(lists)} left unknown, since the list would "
                 "otherwise read as complete")
    if NO_UNKNOWN_FORM.intersection(entry["case_lists_unknown"]):
        said += ("; the case format cannot mark its removals unknown, so findings on removals "
                 "may miss this one")
    entry["message"] = said + ". The district needs to say which is right."
