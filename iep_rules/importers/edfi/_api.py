"""Ed-Fi ODS/API resources, as the API returns them, in the importer's record shape.

A client that pages through `GET /ed-fi/studentSpecialEducationProgramAssociations` (and the
other endpoints) gets a JSON array of resources per page: camelCase property names, references
as nested objects (`studentReference: {studentUniqueId, link}`), descriptors as full URIs in
properties named `...Descriptor`, child collections as plural arrays (`disabilities`,
`specialEducationProgramServices`), plus API bookkeeping (`id`, `_etag`, `_lastModifiedDate`,
`link`). This module turns one such resource into the element-name shape the XML reader
produces (see `_source`), so one case builder serves both; the resource type comes from the
file name (one endpoint per file, as a client saves its pages). The shapes and where they were
checked are listed in docs/edfi.md ("ODS/API JSON").

Each element field remembers the API path it came from, so an unmapped value is located as
`file $[3].disabilities[0].disabilityDescriptor`, in the terms of the file the user has.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from iep_rules import Problem

from ._catalog import READ_FIELDS
from ._source import EdfiInputError, SourceRecord

# Endpoint (resource collection) name -> Ed-Fi entity. The Data Standard 5.x names are the
# ODS/API's; the 6.1 special-education names follow the same plural camelCase convention
# (no published 6.1 SEDM API description was found to check them against).
ENDPOINTS = {
    "studentSpecialEducationProgramAssociations": "StudentSpecialEducationProgramAssociation",
    "students": "Student",
    "studentSchoolAttendanceEvents": "StudentSchoolAttendanceEvent",
    "staffs": "Staff",
    "staffLeaves": "StaffLeave",
    "disciplineActions": "DisciplineAction",
    "studentIEPs": "StudentIEP",
    "studentIEPServicePrescriptions": "StudentIEPServicePrescription",
    "studentIEPServiceDeliveries": "StudentIEPServiceDelivery",
    "studentIEPGoals": "StudentIEPGoal",
    "ideaEvents": "IDEAEvent",
}
_BY_LOWER = {name.lower(): entity for name, entity in ENDPOINTS.items()}
# Bookkeeping the API adds to every resource and reference; not data about the child.
API_METADATA = frozenset({"id", "_etag", "_lastModifiedDate", "link"})
# References whose identity is merged into the record (as the XML reader and the sample
# *.records.json files do); other references stay objects of their identity fields.
FLATTENED = frozenset({"studentReference", "educationOrganizationReference", "staffReference"})
# Element names whose capitals a camelCase property does not give back (IEP, IDEA, ...).
_EXTRA_NAMES = (
    "Disability", "DisabilityDiagnosis", "OrderOfDisability", "DisabilityDeterminationSourceType",
    "DisabilityDesignation", "ServiceProvider", "PrimaryProvider", "Provider", "ProviderCode",
    "StaffUniqueId", "StudentIEPIdentifier", "IEPFinalizedDate", "IDEAEventIdentifier",
    "IDEAEvent", "IDEAEventReference", "StudentIEPReference", "IEPServiceDeliveryIdentifier",
    "IEPGoalIdentifier", "IEPGoalDetails", "IdeaEligibility", "ProgramReference", "ProgramName",
    "ProgramType", "SchoolId", "IEPPlacementMeetingIndicator")
_NAMES = {n.lower(): n for fields in READ_FIELDS.values() for n in fields} | {
    n.lower(): n for n in _EXTRA_NAMES}
# Collections whose element name is not the singular of the property: (parent, property).
_COLLECTION_NAMES = {("SpecialEducationProgramService", "providers"): "ServiceProvider"}
MAX_LINE_BYTES = 16 * 1024 * 1024


def endpoint_of(path: Path) -> str | None:
    """The entity a file holds, from its name: the endpoint name, then the end of the name or
    `.`, `-` or `_` (`studentIEPs.json`, `staffLeaves-page2.json`, `ideaEvents.jsonl`)."""
    name = path.name.lower()
    for endpoint in sorted(_BY_LOWER, key=len, reverse=True):
        if name.startswith(endpoint) and name[len(endpoint):len(endpoint) + 1] in (".", "-",
                                                                                  "_", ""):
            return _BY_LOWER[endpoint]
    return None


def _element(prop: str) -> str:
    key = prop[:-len("Descriptor")] if prop.endswith("Descriptor") else prop
    return _NAMES.get(key.lower()) or key[:1].upper() + key[1:]


def _singular(prop: str) -> str:
    stem = re.sub(r"ies$", "y", prop) if prop.endswith("ies") else re.sub(r"s$", "", prop)
    return _element(stem)


def _scalar(value: Any) -> Any:
    """Values as the XML reader gives them: text (booleans as true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return value


class _Converter:
    def __init__(self) -> None:
        self.fields: dict[str, str] = {}  # element path (every segment indexed) -> API path

    def note(self, element_path: str, api_path: str) -> None:
        self.fields.setdefault(element_path, api_path)

    def record(self, data: dict[str, Any], parent: str, epath: str, apath: str
               ) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for prop, value in data.items():
            if prop in API_METADATA:
                continue
            sub = f"{apath}.{prop}" if apath else prop
            if prop in FLATTENED and isinstance(value, dict):
                for key, item in self.record(value, parent, epath, sub).items():
                    out.setdefault(key, item)
                continue
            name = _element(prop)
            if isinstance(value, list):
                self.collection(out, parent, prop, value, epath, sub)
            elif isinstance(value, dict):
                here = f"{epath}.{name}[0]" if epath else f"{name}[0]"
                self.note(here, sub)
                out[name] = self.record(value, name, here, sub)
            else:
                here = f"{epath}.{name}[0]" if epath else f"{name}[0]"
                self.note(here, sub)
                out[name] = _scalar(value)
        return out

    def collection(self, out: dict[str, Any], parent: str, prop: str, items: list[Any],
                   epath: str, apath: str) -> None:
        """A child collection: items of one descriptor become a list of URIs, items of one
        reference a list of references (or ids, for flattened ones), others a list of
        records named by the singular of the property."""
        values: list[Any] = []
        name = _COLLECTION_NAMES.get((parent, prop)) or _singular(prop)
        for i, item in enumerate(items):
            sub = f"{apath}[{i}]"
            keys = [k for k in item if k not in API_METADATA] if isinstance(item, dict) else []
            if isinstance(item, dict) and len(keys) == 1 and (
                    keys[0].endswith("Descriptor") or keys[0] in FLATTENED):
                inner = item[keys[0]]
                if keys[0] in FLATTENED and isinstance(inner, dict):
                    ids = self.record(inner, parent, "", f"{sub}.{keys[0]}")
                    if len(ids) == 1:
                        name, value = next(iter(ids.items()))
                        self.note(f"{epath}.{name}[{len(values)}]".lstrip("."),
                                  f"{sub}.{keys[0]}")
                        values.append(value)
                        continue
                else:
                    name = _element(keys[0])
                    here = f"{epath}.{name}[{len(values)}]".lstrip(".")
                    self.note(here, f"{sub}.{keys[0]}")
                    self.note(f"{here}.{name}[0]", f"{sub}.{keys[0]}")  # XML: <X><X>uri</X></X>
                    values.append(_scalar(inner))
                    continue
            if isinstance(item, dict) and len(keys) == 1 and keys[0].endswith("Reference"):
                name = _element(keys[0])
                here = f"{epath}.{name}[{len(values)}]".lstrip(".")
                values.append(self.record(item[keys[0]], name, here, f"{sub}.{keys[0]}"))
                continue
            here = f"{epath}.{name}[{len(values)}]".lstrip(".")
            self.note(here, sub)
            values.append(self.record(item, name, here, sub) if isinstance(item, dict)
                          else _scalar(item))
        if values:
            out[name] = values


def from_api(kind: str, resource: dict[str, Any], file: str, pointer: str,
             line: int | None = None) -> SourceRecord:
    """One API resource as a SourceRecord of entity `kind`."""
    conv = _Converter()
    data = conv.record(resource, kind, "", "")
    return SourceRecord(kind, data, file, line, pointer, fields=conv.fields)


def _kind_or_error(path: Path) -> str:
    kind = endpoint_of(path)
    if kind is None:
        raise EdfiInputError(str(path), [Problem(
            str(path), "an Ed-Fi API file holds one resource type, named by its file: expected "
            "a name starting with one of " + ", ".join(sorted(ENDPOINTS)))])
    return kind


def api_array(path: Path, document: list[Any], wanted: Callable[[str], bool],
              seen: Counter[str]) -> Iterator[SourceRecord]:
    """The resources of a JSON array file (one page or all pages of one endpoint)."""
    file, kind = str(path), _kind_or_error(path)
    seen[kind] += len(document)
    if not wanted(kind):
        return
    problems = []
    for index, resource in enumerate(document):
        if isinstance(resource, dict):
            yield from_api(kind, resource, file, f"$[{index}]")
        else:
            problems.append(Problem(f"{file} $[{index}]", "expected a resource object"))
    if problems:
        raise EdfiInputError(file, problems)


def read_jsonl(path: Path, wanted: Callable[[str], bool],
               seen: Counter[str] | None = None) -> Iterator[SourceRecord]:
    """JSON Lines of one endpoint's resources, read a line at a time (memory stays flat)."""
    file, kind = str(path), _kind_or_error(path)
    seen = seen if seen is not None else Counter()
    keep, problems = wanted(kind), []
    with path.open("rb") as fh:
        for number, raw in enumerate(fh, 1):
            if not raw.strip():
                continue
            if len(raw) > MAX_LINE_BYTES:
                problems.append(Problem(f"{file}:{number}", f"line longer than "
                                        f"{MAX_LINE_BYTES} bytes"))
                continue
            try:
                resource = json.loads(raw)
            except (json.JSONDecodeError, UnicodeDecodeError) as exc:
                problems.append(Problem(f"{file}:{number}", f"not valid JSON: {exc}"))
                continue
            if not isinstance(resource, dict):
                problems.append(Problem(f"{file}:{number}", "expected a resource object"))
                continue
            seen[kind] += 1
            if keep:
                yield from_api(kind, resource, file, "$", number)
    if problems:
        raise EdfiInputError(file, problems)
