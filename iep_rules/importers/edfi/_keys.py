"""Ed-Fi natural keys: how records refer to each other (an IEP by student, organization,
identifier and finalized date; an event by student, organization, identifier and descriptor)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from ._source import SourceRecord, text

Key = tuple[str | None, ...]


def iep_key(d: Mapping[str, Any]) -> Key:
    return (text(d.get("StudentUniqueId")), text(d.get("EducationOrganizationId")),
            text(d.get("StudentIEPIdentifier")), text(d.get("IEPFinalizedDate")))


def prescription_key(iep_ref: Mapping[str, Any], d: Mapping[str, Any]) -> Key:
    return (*iep_key(iep_ref), text(d.get("ServicePrescription")),
            text(d.get("ServicePrescriptionDate")))


def referenced_prescription(d: Mapping[str, Any]) -> Key | None:
    """The prescription key a delivery references: XML nests the IEP reference inside the
    prescription reference; an ODS/API reference is flat (all identity fields together)."""
    rx_ref = ref(d, "StudentIEPServicePrescriptionReference")
    if not rx_ref:
        return None
    iep_ref = ref(rx_ref, "StudentIEPReference") or rx_ref
    return prescription_key(iep_ref, rx_ref)


def event_key(d: Mapping[str, Any]) -> Key:
    return (text(d.get("StudentUniqueId")), text(d.get("EducationOrganizationId")),
            text(d.get("IDEAEventIdentifier")), text(d.get("IDEAEvent")))


def ref(d: Mapping[str, Any], name: str) -> Mapping[str, Any]:
    """A reference object field (empty when absent or not an object)."""
    value = d.get(name)
    return value if isinstance(value, dict) else {}


def student_of(kind: str, d: Mapping[str, Any]) -> str | None:
    """The student a record belongs to (prescriptions, deliveries and goals via their IEP)."""
    if kind in ("StudentIEPServicePrescription", "StudentIEPServiceDelivery", "StudentIEPGoal"):
        return text(ref(d, "StudentIEPReference").get("StudentUniqueId"))
    return text(d.get("StudentUniqueId"))


def attendance_category(record: SourceRecord) -> str | None:
    """5.x nests the category in AttendanceEvent; a flat resource has it at the top."""
    return text(ref(record.data, "AttendanceEvent").get("AttendanceEventCategory")
                or record.data.get("AttendanceEventCategory"))


def parse_date(value: Any) -> dt.date | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        return dt.date.fromisoformat(raw[:10])
    except ValueError:
        return None


def parse_number(value: Any) -> float | None:
    raw = text(value)
    if raw is None:
        return None
    try:
        return float(raw)
    except ValueError:
        return None
