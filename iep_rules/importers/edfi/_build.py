"""Case building: one student's Ed-Fi records -> one case document for `case_from_mapping`.

The rule that governs every choice here: what Ed-Fi does not say stays ABSENT in the document
(unknown), never empty or false, so rules answer needs-data rather than violation. Lists that
the case reads as "none recorded" (goals, services) are written only when Ed-Fi supplied at
least one item. A value that cannot be mapped is reported with its file:line, never dropped.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs

from iep_rules import CaseError, case_from_mapping

from ._catalog import Bucket, Catalog
from ._keys import (
    attendance_category,
    iep_key,
    parse_date,
    parse_number,
    prescription_key,
    ref,
    referenced_prescription,
)
from ._mapping import DescriptorMap, Unmapped
from ._merge import NO_UNKNOWN_FORM, describe
from ._source import SourceRecord, as_list, text

NO_ELIGIBILITY = ("Ed-Fi records no eligibility determination with both a date and an outcome, "
                  "which the case's eligibility needs; the category is reported only")
EXITS_DISAGREE = ("the record's exit reasons name different exits or dates; an exit silences "
                  "every later obligation, so neither is placed")
ABSENCE_NOT_PLACED = ("the case has no absence list; an absence is checked against the session "
                      "log (data quality) and becomes a miss reason only for a logged session")
NO_EVALUATION_KIND = ("Ed-Fi 5.x does not say whether the last evaluation was initial or a "
                      "reevaluation; the case's evaluation needs the kind")


@attrs.define
class Built:
    document: dict[str, Any]
    unmapped: list[Unmapped]


def _iso(value: dt.date | None) -> str | None:
    return value.isoformat() if value else None


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Set only known values: an unknown stays absent from the document."""
    if value is not None:
        target[key] = value


def _span(start: dt.date | None, end: dt.date | None) -> tuple[str | None, str | None]:
    """Start and end as ISO text; an end before its start is dropped (reported as quality)."""
    if start and end and end < start:
        return _iso(start), None
    return _iso(start), _iso(end)


class _Builder:
    def __init__(self, student: str, bucket: Bucket, catalog: Catalog, mapping: DescriptorMap,
                 jurisdiction: str) -> None:
        self.student = student
        self.bucket = bucket
        self.catalog = catalog
        self.map = mapping
        self.sink: list[Unmapped] = []
        self.doc: dict[str, Any] = {"id": f"edfi-{student}", "jurisdiction": jurisdiction,
                                    "student": {"id": student}}
        self.ieps: list[dict[str, Any]] = []
        self.placements: list[dict[str, Any]] = []
        self.service_ids: dict[Any, str] = {}
        self.used_ids: set[str] = set()
        self.exit_list: list[dict[str, Any]] = []

    def lookup(self, table: str, record: SourceRecord, field: str, value: Any = None) -> Any:
        raw = text(record.data.get(field)) if value is None else text(value)
        return self.map.lookup(table, raw, record.at(field), self.sink)

    def unique(self, wanted: str) -> str:
        name, n = wanted, 2
        while name in self.used_ids:
            name, n = f"{wanted}-{n}", n + 1
        self.used_ids.add(name)
        return name

    def build(self) -> Built:
        if self.bucket.student is not None:
            birth = ref(self.bucket.student.data, "BirthData").get("BirthDate") \
                or self.bucket.student.data.get("BirthDate")
            _put(self.doc["student"], "date_of_birth", _iso(parse_date(birth)))
        for record in self.bucket.associations:
            self.association(record)
        for record in self.bucket.ieps:
            self.student_iep(record)
        self.events()
        self.sessions()
        for record in self.bucket.attendance:
            self.attendance(record)
        removals = [r for record in self.bucket.discipline for r in self.removals(record)]
        if removals:
            self.doc["removals"] = removals
        if self.ieps:
            self.doc["ieps"] = self.ieps
        if self.placements:
            self.doc["placements"] = self.placements
        if self.exit_list:
            self.doc["exits"] = sorted({(e["date"], e["reason"]): e
                                        for e in self.exit_list}.values(),
                                       key=lambda e: (e["date"], e["reason"]))
        self.disputed_lists()
        return Built(self.doc, self.sink)

    def disputed_lists(self) -> None:
        """Leave out (unknown) each case list a disputed duplicate left incomplete: absent,
        never [], even when every item was left out (see `_merge`)."""
        for record, entry in self.bucket.dropped:
            if record.kind != "IDEAEvent":
                continue
            mapped = self.map.peek("idea_event", text(record.data.get("IDEAEvent")))
            kind = next((k for k in ("consent", "meeting", "evaluation")
                         if isinstance(mapped, dict) and k in mapped), None)
            if kind is not None and f"{kind}s" not in entry["case_lists_unknown"]:
                entry["case_lists_unknown"].append(f"{kind}s")
                describe(entry)
        for entry in self.bucket.conflicts:
            for name in entry["case_lists_unknown"]:
                if name not in NO_UNKNOWN_FORM:
                    self.doc.pop(name, None)

    def attendance(self, record: SourceRecord) -> None:
        field = "AttendanceEvent.AttendanceEventCategory"
        value = attendance_category(record)
        if self.lookup("attendance", record, field, value) == "student_absence":
            self.map.not_placed("attendance", str(value), record.at(field), ABSENCE_NOT_PLACED,
                                self.sink)

    def removals(self, record: SourceRecord) -> list[dict[str, Any]]:
        """DisciplineAction -> disciplinary removals (one per mapped Discipline descriptor).

        Only the start is certain; the end is the same day for a one-school-day action and
        otherwise unknown (counting school days needs the calendar). Whether services were
        provided, and any manifestation review, stay unknown."""
        start = parse_date(record.data.get("DisciplineDate"))
        length = parse_number(record.data.get("ActualDisciplineActionLength")
                              or record.data.get("DisciplineActionLength"))
        out = []
        for i, value in enumerate(as_list(record.data.get("Discipline"))):
            field = f"Discipline[{i}]" if isinstance(record.data.get("Discipline"), list) \
                else "Discipline"
            kind = self.lookup("discipline", record, field, value)
            if kind is None:
                continue
            if start is None:
                self.map.not_placed("discipline", str(value), record.at(field),
                                    "no valid DisciplineDate to date the removal", self.sink)
                continue
            removal = {"start": start.isoformat(), "kind": kind}
            if length == 1:
                removal["end"] = start.isoformat()
            elif length is not None:
                self.map.not_placed("discipline", f"{length:g} school days",
                                    record.at("DisciplineActionLength"),
                                    "the removal's end needs the school calendar", self.sink)
            out.append(removal)
        return out

    def disabilities(self, record: SourceRecord) -> None:
        for i, item in enumerate(as_list(record.data.get("Disability"))):
            value = item.get("Disability") if isinstance(item, dict) else item
            field = f"Disability[{i}].Disability"
            if self.lookup("disability", record, field, value) is not None:
                self.map.not_placed("disability", str(value), record.at(field), NO_ELIGIBILITY,
                                    self.sink)

    def exits(self, record: SourceRecord, *pairs: tuple[str, str | None]) -> None:
        """Exit reasons -> the case's exits, each dated by its own date field.

        An exit silences every later obligation, so one is placed only when its reason maps,
        its date is valid and not before the record's BeginDate, and the record's exits agree
        (two mapped exits with another reason or date place neither: a quality entry says so).
        """
        placed: dict[tuple[str, str], str] = {}
        begin = parse_date(record.data.get("BeginDate"))
        for field, date_field in pairs:
            raw = text(record.data.get(field))
            if raw is None:
                continue
            reason = self.lookup("exit_reason", record, field)
            if reason is None:
                continue
            date = parse_date(record.data.get(date_field)) if date_field else None
            if date is None or (begin is not None and date < begin):
                why = (f"no valid {date_field} to date the exit" if date_field else
                       f"{record.kind} has no exit date")
                if date is not None:
                    why = f"{date_field} is before BeginDate"
                self.map.not_placed("exit_reason", raw, record.at(field), why, self.sink)
                continue
            placed[(str(reason), date.isoformat())] = raw
        if len(placed) > 1:
            for raw in placed.values():
                self.map.not_placed("exit_reason", raw, record.at(), EXITS_DISAGREE, self.sink)
            return
        for exit_reason, exit_date in placed:
            self.exit_list.append({"date": exit_date, "reason": exit_reason})

    def placement(self, record: SourceRecord, date: dt.date | None) -> None:
        setting = self.lookup("setting", record, "SpecialEducationSetting")
        if setting is None:
            return
        if date is None:
            self.map.not_placed("setting", str(record.data["SpecialEducationSetting"]),
                                record.at("SpecialEducationSetting"),
                                "no meeting date to date the placement decision", self.sink)
            return
        self.placements.append({"date": date.isoformat(), "setting": setting["placement"]})

    def association(self, record: SourceRecord) -> None:
        """Data Standard 5.x StudentSpecialEducationProgramAssociation -> one IEP."""
        d = record.data
        begin = parse_date(d.get("IEPBeginDate"))
        review = parse_date(d.get("IEPReviewDate"))
        start, end = _span(begin, parse_date(d.get("IEPEndDate")))
        iep: dict[str, Any] = {"id": self.unique(f"sped-{text(d.get('BeginDate')) or 'program'}")}
        _put(iep, "meeting_date", _iso(review))
        _put(iep, "start", start)
        _put(iep, "end", end)
        services = []
        for i, item in enumerate(as_list(d.get("SpecialEducationProgramService"))):
            value = item.get("SpecialEducationProgramService") if isinstance(item, dict) else item
            mapped = self.lookup("service", record,
                                 f"SpecialEducationProgramService[{i}]."
                                 "SpecialEducationProgramService", value)
            if mapped is not None:
                services.append({"id": self.unique(f"{iep['id']}-{mapped['name']}"),
                                 "name": mapped["name"], "type": mapped["type"]})
        if services:
            iep["services"] = services
        self.ieps.append(iep)
        self.placement(record, review)
        self.disabilities(record)
        self.exits(record, ("SpecialEducationExitReason", "SpecialEducationExitDate"),
                   ("ReasonExited", "EndDate"))
        last_eval = text(d.get("LastEvaluationDate"))
        if last_eval:
            self.map.not_placed("evaluation", "LastEvaluationDate", record.at(
                "LastEvaluationDate"), NO_EVALUATION_KIND, self.sink)

    def student_iep(self, record: SourceRecord) -> None:
        """Data Standard 6.1 StudentIEP with its prescriptions and goals -> one IEP."""
        d = record.data
        key = iep_key(d)
        finalized = parse_date(d.get("IEPFinalizedDate"))
        start, end = _span(parse_date(d.get("IEPBeginDate")), parse_date(d.get("IEPEndDate")))
        iep: dict[str, Any] = {"id": self.unique(text(d.get("StudentIEPIdentifier")) or "iep")}
        _put(iep, "meeting_date", _iso(finalized))
        _put(iep, "start", start)
        _put(iep, "end", end)
        services = [s for rx in self.bucket.prescriptions
                    if iep_key(ref(rx.data, "StudentIEPReference")) == key
                    for s in [self.prescription(rx, iep["id"])] if s]
        if services:
            iep["services"] = services
        goals = [self.goal(g) for g in self.bucket.goals
                 if iep_key(ref(g.data, "StudentIEPReference")) == key]
        if goals:
            iep["goals"] = goals
        self.ieps.append(iep)
        self.placement(record, finalized)
        self.disabilities(record)
        self.exits(record, ("ReasonExited", None))
        self.lookup("iep_status", record, "IEPStatus")
        for i, value in enumerate(as_list(d.get("Accommodation"))):
            self.map.not_placed("accommodation", str(value), record.at(f"Accommodation[{i}]"),
                                "Ed-Fi does not tie these accommodations to state or district "
                                "assessments, which is what the case records", self.sink)

    def prescription(self, rx: SourceRecord, iep_id: str) -> dict[str, Any] | None:
        d = rx.data
        mapped = self.lookup("service", rx, "ServicePrescription")
        if mapped is None:
            return None
        service: dict[str, Any] = {"id": self.unique(f"{iep_id}-{mapped['name']}"),
                                   "name": mapped["name"], "type": mapped["type"]}
        start, end = _span(parse_date(d.get("BeginDate")), parse_date(d.get("EndDate")))
        _put(service, "start", start)
        _put(service, "end", end)
        _put(service, "frequency", self.frequency(rx))
        _put(service, "duration_minutes", self.duration(rx))
        _put(service, "location", self.lookup("location", rx, "ServiceLocationType"))
        self.within_limits(rx, service)
        self.service_ids[prescription_key(ref(d, "StudentIEPReference"), d)] = service["id"]
        return service

    def within_limits(self, rx: SourceRecord, service: dict[str, Any]) -> None:
        """Drop an amount the case format refuses (e.g. more minutes than a period holds), so
        one implausible prescription does not cost the whole case; report it instead."""
        if "frequency" not in service and "duration_minutes" not in service:
            return
        probe = {"id": "probe", "jurisdiction": "US", "student": {"id": "probe"},
                 "ieps": [{"id": "probe", "services": [service]}]}
        try:
            case_from_mapping(probe)
        except CaseError as exc:
            amount = f"{rx.data.get('Frequency')} x {rx.data.get('Duration')}"
            service.pop("frequency", None)
            service.pop("duration_minutes", None)
            self.map.not_placed("amount", amount, rx.at("Frequency"),
                                "outside the case format's limits: "
                                + "; ".join(p.message for p in exc.problems), self.sink)

    def frequency(self, rx: SourceRecord) -> dict[str, Any] | None:
        unit = self.lookup("frequency_interval", rx, "FrequencyInterval")
        times = parse_number(rx.data.get("Frequency"))
        if unit is None or times is None:
            return None
        if times != int(times) or times < 1:
            self.map.not_placed("frequency", str(rx.data.get("Frequency")), rx.at("Frequency"),
                                "the case counts whole sessions per period; a fractional "
                                "frequency cannot be scheduled without guessing", self.sink)
            return None
        return {"times": int(times), "per": unit}

    def duration(self, rx: SourceRecord) -> int | None:
        how = self.lookup("duration_interval", rx, "DurationInterval")
        minutes = parse_number(rx.data.get("Duration"))
        if how != "per_session" or minutes is None:
            return None
        if minutes != int(minutes) or minutes < 1:
            self.map.not_placed("duration", str(rx.data.get("Duration")), rx.at("Duration"),
                                "not a whole number of minutes", self.sink)
            return None
        return int(minutes)

    def goal(self, g: SourceRecord) -> dict[str, Any]:
        area = self.lookup("goal_area", g, "IEPGoalType")
        raw = text(g.data.get("IEPGoalType")) or ""
        return {"area": area or raw.rpartition("#")[2] or "unspecified"}

    def events(self) -> None:
        """IDEA events -> consents, evaluations, meetings, dated by the event's BeginDate.

        A consent's `written` stays unknown (no event says so), and an evaluation's
        consent_date stays absent: the evaluation clock starts at written consent."""
        consents, evaluations, meetings = [], [], []
        for ev in self.bucket.events:
            mapped = self.lookup("idea_event", ev, "IDEAEvent")
            date = parse_date(ev.data.get("BeginDate"))
            if mapped is not None and date is None:
                self.map.not_placed("idea_event", str(ev.data.get("IDEAEvent")), ev.at(),
                                    "the event has no valid BeginDate to date it", self.sink)
            if mapped is None or date is None:
                continue
            if "consent" in mapped:
                consents.append({"kind": mapped["consent"]["kind"], "date": date.isoformat(),
                                 "response": mapped["consent"]["response"]})
            elif "meeting" in mapped:
                meetings.append({"date": date.isoformat(),
                                 "purpose": mapped["meeting"]["purpose"]})
            elif "evaluation" in mapped:
                kind = self.lookup("evaluation_kind", ev, "EventCompliance")
                if text(ev.data.get("EventCompliance")) is None:
                    self.map.not_placed("evaluation_kind", "(no EventCompliance)",
                                        ev.at("IDEAEvent"), "the event does not say whether "
                                        "the evaluation was initial or a reevaluation", self.sink)
                if kind is not None:
                    evaluations.append({"kind": kind, "completed": date.isoformat()})
        for name, items in (("consents", consents), ("evaluations", evaluations),
                            ("meetings", meetings)):
            if items:
                self.doc[name] = items

    def sessions(self) -> None:
        """Deliveries -> the session log (delivered, minutes unknown). A delivery is placed
        only when its IEP resolves; its service is the prescription it references, else the
        service its own descriptor names."""
        logs = []
        for dv in self.bucket.deliveries:
            d = dv.data
            if iep_key(ref(d, "StudentIEPReference")) not in self.catalog.ieps:
                continue  # reported as an unresolved reference by the quality checks
            date = parse_date(d.get("ServiceDeliveryDate"))
            rx_key = referenced_prescription(d)
            service = self.service_ids.get(rx_key) if rx_key else None
            if service is None:
                mapped = self.lookup("service", dv, "ServiceDelivery")
                service = mapped["name"] if mapped else None
            if date is None or service is None:
                continue
            logs.append({"date": date.isoformat(), "service": service, "status": "delivered"})
        if logs:
            self.doc["sessions"] = logs


def build_case(student: str, bucket: Bucket, catalog: Catalog, mapping: DescriptorMap,
               jurisdiction: str) -> Built:
    """The case document for one student, and what of theirs did not map."""
    return _Builder(student, bucket, catalog, mapping, jurisdiction).build()

