"""Data-quality checks: what the Ed-Fi records say that cannot all be true, or cannot be followed.

These are not legal findings; they never stop an import. Each is a `data-quality` entry with a
rule id, a message and the file:line of the record. They appear in the import summary (counts by
rule) and next to each case in `audit --from edfi` output (`data_quality`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from ._catalog import Bucket, Catalog
from ._keys import (
    attendance_category,
    event_key,
    iep_key,
    parse_date,
    parse_number,
    ref,
    referenced_prescription,
)
from ._mapping import DescriptorMap
from ._source import SourceRecord, as_list, text

TOPIC = "data-quality"

# (record kind, earlier field, later field): pairs of dates whose order Ed-Fi's meaning fixes.
DATE_ORDER = (
    ("StudentSpecialEducationProgramAssociation", "BeginDate", "EndDate"),
    ("StudentSpecialEducationProgramAssociation", "BeginDate", "SpecialEducationExitDate"),
    ("StudentSpecialEducationProgramAssociation", "IEPBeginDate", "IEPEndDate"),
    ("StudentIEP", "IEPFinalizedDate", "IEPBeginDate"),
    ("StudentIEP", "IEPBeginDate", "IEPEndDate"),
    ("StudentIEP", "IEPFinalizedDate", "IEPAmendedDate"),
    ("StudentIEPServicePrescription", "BeginDate", "EndDate"),
    ("StudentIEPServicePrescription", "ServicePrescriptionDate", "EndDate"),
    ("IDEAEvent", "BeginDate", "EndDate"),
    ("StudentIEPGoal", "GoalAchievementPeriod.BeginDate", "GoalAchievementPeriod.EndDate"),
)
DATE_FIELDS = {
    "StudentSpecialEducationProgramAssociation": ("BeginDate", "EndDate", "IEPBeginDate",
                                                  "IEPEndDate", "IEPReviewDate",
                                                  "LastEvaluationDate",
                                                  "SpecialEducationExitDate"),
    "StudentIEP": ("IEPFinalizedDate", "IEPBeginDate", "IEPEndDate", "IEPAmendedDate"),
    "StudentIEPServicePrescription": ("ServicePrescriptionDate", "BeginDate", "EndDate"),
    "StudentIEPServiceDelivery": ("ServiceDeliveryDate",),
    "IDEAEvent": ("BeginDate", "EndDate"),
}


def _get(d: Any, dotted: str) -> Any:
    for part in dotted.split("."):
        d = d.get(part) if isinstance(d, dict) else None
    return d


def _entry(rule: str, record: SourceRecord, message: str, field: str = "") -> dict[str, Any]:
    return {"rule_id": f"edfi.dq.{rule}", "topic": TOPIC, "message": message,
            "where": record.at(field), "record": record.kind}


class _Checks:
    def __init__(self, bucket: Bucket, catalog: Catalog, mapping: DescriptorMap) -> None:
        self.bucket = bucket
        self.catalog = catalog
        self.map = mapping

    def all(self) -> Iterator[dict[str, Any]]:
        b = self.bucket
        for record in [*b.associations, *b.ieps, *b.prescriptions, *b.deliveries, *b.goals,
                       *b.events]:
            yield from self.dates(record)
            yield from self.event_references(record)
        for record in b.associations:
            yield from self.association(record)
        for record in b.ieps:
            yield from self.student_iep(record)
        for record in [*b.prescriptions, *b.goals]:
            yield from self.iep_reference(record)
        for record in b.deliveries:
            yield from self.delivery(record)
        yield from self.student_record()
        yield from b.conflicts

    def dates(self, record: SourceRecord) -> Iterator[dict[str, Any]]:
        for field in DATE_FIELDS.get(record.kind, ()):
            raw = text(record.data.get(field))
            if raw is not None and parse_date(raw) is None:
                yield _entry("invalid-date", record, f"{field} {raw!r} is not a date "
                             "(YYYY-MM-DD); it was left out", field)
        for kind, first, last in DATE_ORDER:
            if kind != record.kind:
                continue
            a, z = parse_date(_get(record.data, first)), parse_date(_get(record.data, last))
            if a and z and z < a:
                yield _entry("dates-out-of-order", record,
                             f"{last} {z} is before {first} {a}", last)

    def event_references(self, record: SourceRecord) -> Iterator[dict[str, Any]]:
        for i, event in enumerate(as_list(record.data.get("IDEAEventReference"))):
            if isinstance(event, dict) and event_key(event) not in self.catalog.events:
                yield _entry("unresolved-reference", record,
                             f"IDEAEventReference {text(event.get('IDEAEventIdentifier'))} "
                             f"({text(event.get('IDEAEvent'))}) for student "
                             f"{text(event.get('StudentUniqueId'))} matches no IDEAEvent",
                             f"IDEAEventReference[{i}]")

    def hours(self, record: SourceRecord) -> Iterator[dict[str, Any]]:
        sped = parse_number(record.data.get("SpecialEducationHoursPerWeek"))
        school = parse_number(record.data.get("SchoolHoursPerWeek"))
        if sped is None or school is None:
            return
        if sped > school:
            yield _entry("hours-exceed-school-hours", record,
                         f"SpecialEducationHoursPerWeek {sped:g} is more than "
                         f"SchoolHoursPerWeek {school:g}", "SpecialEducationHoursPerWeek")
            return
        setting = self.map.peek("setting", text(record.data.get("SpecialEducationSetting")))
        if sped == school and isinstance(setting, dict) and setting.get("inside_regular_class"):
            yield _entry("hours-contradict-setting", record,
                         f"every school hour ({school:g}/week) is special education, but the "
                         "setting says the child is inside the regular class part of the day",
                         "SpecialEducationSetting")

    def association(self, record: SourceRecord) -> Iterator[dict[str, Any]]:
        d = record.data
        review, begin = parse_date(d.get("IEPReviewDate")), parse_date(d.get("IEPBeginDate"))
        if review and begin and review < begin:
            yield _entry("review-before-begin", record,
                         f"IEPReviewDate {review} is before IEPBeginDate {begin}: a review of "
                         "this IEP cannot precede it; the importer reads the date as the meeting "
                         "that wrote it", "IEPReviewDate")
        yield from self.hours(record)
        if self.catalog.staff is not None:
            for i, svc in enumerate(as_list(d.get("SpecialEducationProgramService"))):
                providers = as_list(svc.get("ServiceProvider")) if isinstance(svc, dict) else []
                for j, provider in enumerate(providers):
                    staff = text(provider.get("StaffUniqueId")) if isinstance(provider,
                                                                             dict) else None
                    if staff and staff not in self.catalog.staff:
                        yield _entry("unresolved-reference", record,
                                     f"service provider {staff} matches no Staff record",
                                     f"SpecialEducationProgramService[{i}].ServiceProvider[{j}]")

    def student_iep(self, record: SourceRecord) -> Iterator[dict[str, Any]]:
        d = record.data
        status = self.map.peek("iep_status", text(d.get("IEPStatus")))
        exited = text(d.get("ReasonExited"))
        if status == "active" and exited:
            yield _entry("active-iep-with-exit", record,
                         f"IEP {text(d.get('StudentIEPIdentifier'))} is Active but carries "
                         f"ReasonExited {exited!r}", "ReasonExited")
        yield from self.hours(record)

    def iep_reference(self, record: SourceRecord) -> Iterator[dict[str, Any]]:
        iep_ref = ref(record.data, "StudentIEPReference")
        if iep_key(iep_ref) in self.catalog.ieps:
            return
        same_id = [k for k in self.catalog.ieps
                   if k[:3] == iep_key(iep_ref)[:3]]
        hint = (f"; StudentIEP {iep_ref.get('StudentIEPIdentifier')} exists with "
                f"IEPFinalizedDate {same_id[0][3]}" if same_id else "")
        yield _entry("unresolved-reference", record,
                     f"StudentIEPReference {text(iep_ref.get('StudentIEPIdentifier'))} "
                     f"(IEPFinalizedDate {text(iep_ref.get('IEPFinalizedDate'))}) matches no "
                     f"StudentIEP{hint}; the record was not placed in the case",
                     "StudentIEPReference")

    def delivery(self, record: SourceRecord) -> Iterator[dict[str, Any]]:
        d = record.data
        yield from self.iep_reference(record)
        rx_ref = ref(d, "StudentIEPServicePrescriptionReference")
        date = parse_date(d.get("ServiceDeliveryDate"))
        rx_key = referenced_prescription(d)
        if rx_ref and rx_key:
            rx = self.catalog.prescriptions.get(rx_key)
            if rx is None:
                yield _entry("unresolved-reference", record,
                             "StudentIEPServicePrescriptionReference "
                             f"{text(rx_ref.get('ServicePrescription'))} "
                             f"({text(rx_ref.get('ServicePrescriptionDate'))}) matches no "
                             "StudentIEPServicePrescription",
                             "StudentIEPServicePrescriptionReference")
            else:
                yield from self.delivery_against(record, rx, date)
        codes = [text(p.get("ProviderCode")) or text(p.get("StaffUniqueId"))
                 for p in as_list(d.get("Provider")) if isinstance(p, dict)]
        repeated = sorted({c for c in codes if c and codes.count(c) > 1})
        if repeated:
            yield _entry("duplicate-provider", record,
                         f"provider {', '.join(repeated)} is listed more than once", "Provider")
        if date is not None:
            yield from self.absent_on(record, date)

    def delivery_against(self, record: SourceRecord, rx: SourceRecord,
                         date: dt.date | None) -> Iterator[dict[str, Any]]:
        delivered = text(record.data.get("ServiceDelivery"))
        prescribed = text(rx.data.get("ServicePrescription"))
        a, b = self.map.peek("service", delivered), self.map.peek("service", prescribed)
        same = (a["name"] == b["name"]) if isinstance(a, dict) and isinstance(b, dict) else (
            (delivered or "").rpartition("#")[2] == (prescribed or "").rpartition("#")[2])
        if not same:
            yield _entry("delivery-service-mismatch", record,
                         f"the delivery names {delivered!r} but the prescription it references "
                         f"({rx.at()}) is for {prescribed!r}", "ServiceDelivery")
        begin, end = parse_date(rx.data.get("BeginDate")), parse_date(rx.data.get("EndDate"))
        if date and ((begin and date < begin) or (end and date > end)):
            yield _entry("delivery-outside-prescription", record,
                         f"delivered on {date}, outside the prescription's period "
                         f"{begin} to {end or 'open'}", "ServiceDeliveryDate")

    def absent_on(self, record: SourceRecord, date: dt.date) -> Iterator[dict[str, Any]]:
        for att in self.bucket.attendance:
            when = parse_date(ref(att.data, "AttendanceEvent").get("EventDate")
                              or att.data.get("EventDate"))
            if when == date and self.map.peek("attendance", attendance_category(att)) == \
                    "student_absence":
                yield _entry("delivered-while-absent", record,
                             f"a session is logged as delivered on {date}, a day the student "
                             f"is recorded absent ({att.at()})", "ServiceDeliveryDate")
        staff = {text(p.get("StaffUniqueId")) for p in as_list(record.data.get("Provider"))
                 if isinstance(p, dict)} - {None}
        for person in sorted(s for s in staff if s):
            for leave in self.catalog.leaves.get(person, []):
                if parse_date(leave.data.get("BeginDate")) == date or _within(leave, date):
                    yield _entry("delivered-while-provider-on-leave", record,
                                 f"provider {person} delivered on {date}, a day of recorded "
                                 f"leave ({leave.at()})", "ServiceDeliveryDate")

    def student_record(self) -> Iterator[dict[str, Any]]:
        if self.catalog.students_read and self.bucket.student is None:
            first = self.bucket.first()
            yield _entry("unresolved-reference", first,
                         "no Student record for this student among the files read (birth "
                         "date unknown)", "StudentUniqueId")


def _within(leave: SourceRecord, date: dt.date) -> bool:
    begin, end = parse_date(leave.data.get("BeginDate")), parse_date(leave.data.get("EndDate"))
    return bool(begin and end and begin <= date <= end)


def check_student(bucket: Bucket, catalog: Catalog,
                  mapping: DescriptorMap) -> list[dict[str, Any]]:
    """Every data-quality entry for one student's records, in record order."""
    return list(_Checks(bucket, catalog, mapping).all())
