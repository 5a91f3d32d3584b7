"""An Ed-Fi import run: find the files, read them in two passes, build one case per student.

Pass 1 reads the special-education records (5.x program associations; 6.1 IEPs, prescriptions,
deliveries, goals and IDEA events) and notes which files also hold students, attendance, staff,
leave or discipline. Pass 2 re-reads only those files and keeps only the records of the students
and providers found in pass 1. Files may come in any order; other students' records are read
and discarded, so memory grows with the special-education caseload, not with the district.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any

import attrs

from iep_rules import Problem

from ._api import read_jsonl
from ._build import build_case
from ._catalog import AUX_KINDS, CORE_KINDS, READ_FIELDS, Catalog
from ._json import read_json
from ._keys import event_key, iep_key, prescription_key, ref, student_of
from ._mapping import DescriptorMap, Unmapped, coverage
from ._quality import check_student
from ._source import EdfiInputError, SourceRecord, as_list, text
from ._xml import read_xml

Reader = Callable[[Path, Callable[[str], bool], Counter[str]], Iterator[SourceRecord]]
READERS: dict[str, Reader] = {".xml": read_xml, ".json": read_json, ".jsonl": read_jsonl}


@attrs.frozen
class ImportedCase:
    """One case document with its origin, what did not map, and its data-quality entries."""

    document: dict[str, Any]
    source: str  # file of the student's first special-education record
    line: int  # its line (XML) or 1 (JSON)
    where: str
    unmapped: tuple[Unmapped, ...]
    quality: tuple[dict[str, Any], ...]


def expand(paths: Iterable[str | Path]) -> list[Path]:
    """Files to read: each path itself, or a folder's *.xml, *.json and *.jsonl files (sorted)."""
    out: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            out += sorted(f for f in p.iterdir() if f.suffix.lower() in READERS)
        else:
            out.append(p)
    return out


@attrs.define
class ImportRun:
    """Reads files on demand (`cases()`), then knows its summary."""

    paths: list[Path]
    mapping: DescriptorMap
    jurisdiction: str = "US"
    catalog: Catalog = attrs.field(factory=Catalog)
    records_read: Counter[str] = attrs.field(factory=Counter)
    problems: list[Problem] = attrs.field(factory=list)
    files_failed: list[str] = attrs.field(factory=list)
    quality_by_rule: Counter[str] = attrs.field(factory=Counter)
    not_imported: Counter[str] = attrs.field(factory=Counter)  # "Kind.Field" -> records
    cases_built: int = 0
    started: bool = False

    def _read(self, path: Path, wanted: Callable[[str], bool],
              seen: Counter[str]) -> Iterator[SourceRecord]:
        reader = READERS.get(path.suffix.lower())
        if reader is None:
            self.problems.append(Problem(str(path), "expected an .xml, .json or .jsonl Ed-Fi file"))
            self.files_failed.append(str(path))
            return
        if not path.is_file():
            self.problems.append(Problem(str(path), "no such file"))
            self.files_failed.append(str(path))
            return
        try:
            yield from reader(path, wanted, seen)
        except EdfiInputError as exc:
            if str(path) not in self.files_failed:  # the second pass meets the same error
                self.problems += exc.problems
                self.files_failed.append(str(path))

    def _first_pass(self) -> list[Path]:
        cat, aux_files = self.catalog, []
        for path in self.paths:
            seen: Counter[str] = Counter()
            for rec in self._read(path, CORE_KINDS.__contains__, seen):
                student = student_of(rec.kind, rec.data)
                if student is None:
                    self.problems.append(Problem(rec.at(), f"{rec.kind} names no student"))
                    continue
                if cat.add(student, rec):
                    self._index(rec)
                    self._tally_fields(rec)
            self.records_read.update(seen)
            if AUX_KINDS.intersection(seen):
                aux_files.append(path)
        return aux_files

    def _tally_fields(self, rec: SourceRecord) -> None:
        read = READ_FIELDS.get(rec.kind, frozenset())
        self.not_imported.update(f"{rec.kind}.{k}" for k in rec.data if k not in read)

    def _index(self, rec: SourceRecord) -> None:
        d, cat = rec.data, self.catalog
        if rec.kind == "StudentIEP":
            cat.ieps[iep_key(d)] = rec
        elif rec.kind == "StudentIEPServicePrescription":
            cat.prescriptions[prescription_key(ref(d, "StudentIEPReference"), d)] = rec
            cat.providers.update(s for s in map(text, as_list(d.get("StaffUniqueId"))) if s)
        elif rec.kind == "IDEAEvent":
            cat.events[event_key(d)] = rec
        elif rec.kind == "StudentIEPServiceDelivery":
            cat.providers.update(s for p in as_list(d.get("Provider")) if isinstance(p, dict)
                                 for s in [text(p.get("StaffUniqueId"))] if s)
        elif rec.kind == "StudentSpecialEducationProgramAssociation":
            for svc in as_list(d.get("SpecialEducationProgramService")):
                for p in as_list(svc.get("ServiceProvider") if isinstance(svc, dict) else None):
                    staff = text(p.get("StaffUniqueId")) if isinstance(p, dict) else None
                    if staff:
                        cat.providers.add(staff)

    def _second_pass(self, files: list[Path]) -> None:
        cat = self.catalog
        for path in files:
            for rec in self._read(path, AUX_KINDS.__contains__, Counter()):
                if rec.kind == "Staff":
                    cat.staff = cat.staff if cat.staff is not None else set()
                    staff = text(rec.data.get("StaffUniqueId"))
                    if staff in cat.providers:
                        cat.staff.add(staff)
                elif rec.kind == "StaffLeave":
                    staff = text(rec.data.get("StaffUniqueId"))
                    if staff is None or staff not in cat.providers:
                        continue
                    repeated, conflict = cat.repeat(rec)
                    if conflict is not None:
                        cat.unattached_conflicts.append(conflict)
                        self.quality_by_rule[conflict["rule_id"]] += 1
                    if not repeated:
                        cat.leaves.setdefault(staff, []).append(rec)
                        self.mapping.lookup("staff_leave", text(rec.data.get(
                            "StaffLeaveEventCategory")), rec.at("StaffLeaveEventCategory"))
                else:
                    cat.students_read |= rec.kind == "Student"
                    student = text(rec.data.get("StudentUniqueId"))
                    if student in cat.by_student and cat.add(student, rec):
                        self._tally_fields(rec)

    def cases(self) -> Iterator[ImportedCase]:
        """One case per special-education student, in student-id order (once per run)."""
        if self.started:
            raise RuntimeError("an ImportRun reads its files once; start a new run")
        self.started = True
        self._second_pass(self._first_pass())
        self.catalog.first_seen.clear()  # only the buckets are needed from here on
        self.catalog.kept.clear()
        for student in sorted(self.catalog.by_student):
            bucket = self.catalog.by_student[student]
            built = build_case(student, bucket, self.catalog, self.mapping, self.jurisdiction)
            quality = check_student(bucket, self.catalog, self.mapping)
            self.quality_by_rule.update(q["rule_id"] for q in quality)
            self.cases_built += 1
            first = bucket.first()
            yield ImportedCase(built.document, first.file, first.line or 1, first.at(),
                               tuple(built.unmapped), tuple(quality))
            self.catalog.by_student[student] = type(bucket)()  # release the records

    def summary(self) -> dict[str, Any]:
        """Counts for docs and the CLI: records read, cases built, unmapped, quality by rule."""
        cov = coverage(self.mapping)
        def count(placed: bool) -> dict[str, int]:
            out = {t: sum(v["count"] for v in c["unmapped"].values()
                          if v["not_placed"] is placed) for t, c in cov.items()}
            return dict(sorted((t, n) for t, n in out.items() if n))

        return {
            "type": "import-summary",
            "files": [str(p) for p in self.paths],
            "files_failed": self.files_failed,
            "records_read": dict(sorted(self.records_read.items())),
            "cases_built": self.cases_built,
            "duplicates": {"identical_collapsed": self.catalog.duplicates_collapsed,
                           "conflicting": self.catalog.duplicates_conflicting,
                           "conflicts_in_no_case": self.catalog.unattached_conflicts},
            "unmapped_by_descriptor": count(False),
            "not_placed_by_descriptor": count(True),
            "data_quality_by_rule": dict(sorted(self.quality_by_rule.items())),
            "fields_not_imported": dict(sorted(self.not_imported.items())),
            "coverage": cov,
            "problems": [str(p) for p in self.problems],
            "mapping_sources": list(self.mapping.sources),
        }


def import_edfi(paths: Iterable[str | Path], mapping: DescriptorMap,
                jurisdiction: str = "US") -> ImportRun:
    """An import run over files and folders; iterate `run.cases()`, then read `run.summary()`."""
    return ImportRun(expand(paths), mapping, jurisdiction)
