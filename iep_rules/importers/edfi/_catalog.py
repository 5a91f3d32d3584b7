"""What the import keeps between reading and building: records grouped per student, plus the
indexes that references resolve against. This is the only state that grows with the input, and
it holds special-education students' records only (other students' records are never kept)."""

from __future__ import annotations

from typing import Any

import attrs

from ._keys import Key
from ._merge import differing_fields, natural_key, settle
from ._source import SourceRecord

# Records that make a student a special-education case, read in the first pass.
CORE_KINDS = frozenset({"StudentSpecialEducationProgramAssociation", "StudentIEP",
                        "StudentIEPServicePrescription", "StudentIEPServiceDelivery",
                        "StudentIEPGoal", "IDEAEvent"})
# Records kept in the second pass only for the students and providers found in the first.
AUX_KINDS = frozenset({"Student", "StudentSchoolAttendanceEvent", "Staff", "StaffLeave",
                       "DisciplineAction"})

# Top-level fields the importer reads, for the case or for a data-quality check. Every other
# field of a kept record is counted in the summary as not imported (names, narrative text, and
# indicators the case has no field for), so nothing is left out without a trace.
READ_FIELDS: dict[str, frozenset[str]] = {
    "StudentSpecialEducationProgramAssociation": frozenset({
        "StudentUniqueId", "BeginDate", "EndDate", "IEPBeginDate", "IEPEndDate",
        "IEPReviewDate", "LastEvaluationDate", "SpecialEducationProgramService",
        "SpecialEducationSetting", "Disability", "SpecialEducationExitReason", "ReasonExited",
        "SpecialEducationExitDate", "SpecialEducationHoursPerWeek", "SchoolHoursPerWeek"}),
    "StudentIEP": frozenset({
        "StudentUniqueId", "EducationOrganizationId", "StudentIEPIdentifier",
        "IEPFinalizedDate", "IEPBeginDate", "IEPEndDate", "IEPAmendedDate", "IEPStatus",
        "Accommodation", "Disability", "IDEAEventReference", "ReasonExited",
        "SchoolHoursPerWeek", "SpecialEducationHoursPerWeek", "SpecialEducationSetting"}),
    "StudentIEPServicePrescription": frozenset({
        "StudentIEPReference", "ServicePrescription", "ServicePrescriptionDate", "BeginDate",
        "EndDate", "Duration", "DurationInterval", "Frequency", "FrequencyInterval",
        "ServiceLocationType", "IDEAEventReference", "StaffUniqueId"}),
    "StudentIEPServiceDelivery": frozenset({
        "StudentIEPReference", "ServiceDelivery", "ServiceDeliveryDate", "IDEAEventReference",
        "Provider", "StudentIEPServicePrescriptionReference"}),
    "StudentIEPGoal": frozenset({"StudentIEPReference", "IEPGoalType", "GoalAchievementPeriod",
                                 "IDEAEventReference"}),
    "IDEAEvent": frozenset({"StudentUniqueId", "EducationOrganizationId", "IDEAEventIdentifier",
                            "IDEAEvent", "BeginDate", "EndDate", "EventCompliance"}),
    "Student": frozenset({"StudentUniqueId", "BirthData", "BirthDate"}),
    "StudentSchoolAttendanceEvent": frozenset({"StudentUniqueId", "AttendanceEvent",
                                               "AttendanceEventCategory", "EventDate"}),
    "DisciplineAction": frozenset({"StudentUniqueId", "DisciplineDate", "Discipline",
                                   "DisciplineActionLength", "ActualDisciplineActionLength"}),
}


@attrs.define
class Bucket:
    """One student's special-education records, in the order they were read."""

    associations: list[SourceRecord] = attrs.field(factory=list)
    ieps: list[SourceRecord] = attrs.field(factory=list)
    prescriptions: list[SourceRecord] = attrs.field(factory=list)
    deliveries: list[SourceRecord] = attrs.field(factory=list)
    goals: list[SourceRecord] = attrs.field(factory=list)
    events: list[SourceRecord] = attrs.field(factory=list)
    attendance: list[SourceRecord] = attrs.field(factory=list)
    discipline: list[SourceRecord] = attrs.field(factory=list)
    student: SourceRecord | None = None
    conflicts: list[dict[str, Any]] = attrs.field(factory=list)  # differing duplicates
    # records left out of the case (an essential field disputed), with their conflict entry
    dropped: list[tuple[SourceRecord, dict[str, Any]]] = attrs.field(factory=list)

    def first(self) -> SourceRecord:
        for group in (self.associations, self.ieps, self.events, self.prescriptions,
                      self.deliveries, self.goals, [r for r, _ in self.dropped]):
            if group:
                return group[0]
        raise ValueError("empty bucket")  # buckets are created by a core record


_GROUP = {"StudentSpecialEducationProgramAssociation": "associations", "StudentIEP": "ieps",
          "StudentIEPServicePrescription": "prescriptions",
          "StudentIEPServiceDelivery": "deliveries", "StudentIEPGoal": "goals",
          "IDEAEvent": "events", "StudentSchoolAttendanceEvent": "attendance",
          "DisciplineAction": "discipline"}


@attrs.define
class Catalog:
    by_student: dict[str, Bucket] = attrs.field(factory=dict)
    ieps: dict[Key, SourceRecord] = attrs.field(factory=dict)
    prescriptions: dict[Key, SourceRecord] = attrs.field(factory=dict)
    events: dict[Key, SourceRecord] = attrs.field(factory=dict)
    providers: set[str] = attrs.field(factory=set)  # staff named as providers
    staff: set[str] | None = None  # Staff records read (None: none, so not checkable)
    leaves: dict[str, list[SourceRecord]] = attrs.field(factory=dict)  # staff id -> leave
    students_read: bool = False  # any Student record read (else birth dates not checkable)
    # natural key -> the record read first, and what is kept of it after differing duplicates
    # (None: left out); both cleared once reading is done (see _merge)
    first_seen: dict[Key, SourceRecord] = attrs.field(factory=dict)
    kept: dict[Key, SourceRecord | None] = attrs.field(factory=dict)
    duplicates_collapsed: int = 0
    duplicates_conflicting: int = 0

    # conflicting duplicates of records that belong to no case (staff leave)
    unattached_conflicts: list[dict[str, Any]] = attrs.field(factory=list)

    def repeat(self, record: SourceRecord, student: str | None = None
               ) -> tuple[bool, dict[str, Any] | None]:
        """Whether the record repeats one read before, and the conflict entry if it differs.
        A differing repeat changes what is kept of the first (see `_merge.settle`)."""
        key = natural_key(record)
        if key is None:
            return False, None
        first = self.first_seen.get(key)
        if first is None:
            self.first_seen[key] = record
            return False, None
        fields = differing_fields(first, record)
        if not fields:
            self.duplicates_collapsed += 1
            return True, None
        self.duplicates_conflicting += 1
        current = self.kept.get(key, first)
        settled = settle(current, first, record, fields)
        self.kept[key] = settled.record
        if current is not None:
            self._replace(key, current, settled.record, student, settled.entry)
        return True, settled.entry

    def _replace(self, key: Key, old: SourceRecord, new: SourceRecord | None,
                 student: str | None, entry: dict[str, Any]) -> None:
        """Put what is kept of a record where the first read was put (None: take it out)."""
        index = {"StudentIEP": self.ieps, "StudentIEPServicePrescription": self.prescriptions,
                 "IDEAEvent": self.events}.get(old.kind)
        if index is not None and new is not None and index.get(key[1:]) is old:
            index[key[1:]] = new  # a left-out record stays resolvable: both say it exists
        if old.kind == "StaffLeave":
            for leaves in self.leaves.values():
                _swap(leaves, old, new)
            return
        bucket = self.by_student.get(student) if student is not None else None
        if bucket is None:
            return
        if old.kind == "Student":
            bucket.student = new  # never None: a Student's only essential field is its key
        elif _swap(getattr(bucket, _GROUP[old.kind]), old, new) and new is None:
            bucket.dropped.append((old, entry))

    def add(self, student: str, record: SourceRecord) -> bool:
        """Keep the record unless it repeats one already read (False: it was merged)."""
        repeated, conflict = self.repeat(record, student)
        if conflict is not None:
            self.by_student.setdefault(student, Bucket()).conflicts.append(conflict)
        if repeated:
            return False
        bucket = self.by_student.setdefault(student, Bucket())
        if record.kind == "Student":
            bucket.student = record
        else:
            getattr(bucket, _GROUP[record.kind]).append(record)
        return True


def _swap(records: list[SourceRecord], old: SourceRecord, new: SourceRecord | None) -> bool:
    """Replace `old` (by identity) with `new`, or remove it when `new` is None."""
    for i, record in enumerate(records):
        if record is old:
            if new is None:
                del records[i]
            else:
                records[i] = new
            return True
    return False
