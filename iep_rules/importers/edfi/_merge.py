"""Duplicate records: the same natural key read twice (in two files, or twice in one).

District exports overlap (an XML interchange and an API pull of the same year, two pages that
share a record). An identical duplicate is the same fact said twice: it collapses without a
note (the summary counts it). A duplicate that differs is a contradiction the importer cannot
resolve: the case keeps the record read first, and a `data-quality` entry names both places
and the fields that differ, so the choice is never silent. Records are compared after reading,
so an XML record and its ODS/API twin compare equal (numbers, booleans and one-item lists
normalised; child collections unordered, as Ed-Fi defines them).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from typing import Any

from ._keys import Key, event_key, iep_key, prescription_key, ref
from ._source import SourceRecord, text


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


def conflict_entry(first: SourceRecord, again: SourceRecord, fields: list[str]
                   ) -> dict[str, Any]:
    """The data-quality entry for a duplicate that differs (both places named)."""
    return {"rule_id": "edfi.dq.conflicting-duplicate", "topic": "data-quality",
            "message": f"{again.kind} with the same Ed-Fi identity as the one at {first.at()} "
                       f"differs in {', '.join(fields)}; the case uses the one read first, and "
                       "findings that rest on these fields need the district to say which is "
                       "right",
            "where": again.at(), "also_at": first.at(), "record": again.kind,
            "fields": fields}
