"""Ed-Fi ODS/API JSON (camelCase resources, nested references, descriptor URIs, one endpoint per
file, JSON arrays or JSON Lines) builds the same cases as the equivalent interchange XML.

The API fixtures in fixtures/edfi/api-5.2 and api-6.1 were written from the XML fixtures by
fixtures/edfi/api_fixtures.py, which spells out the API property names per property (see
docs/edfi.md for where they were checked); the importer reads them by its own generic rules.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from edfi_fixtures import FIX, XML_52, run

from iep_rules import case_from_mapping
from iep_rules.importers.edfi import EdfiInputError, import_edfi, load_mapping
from iep_rules.importers.edfi._api import endpoint_of, from_api


@pytest.mark.parametrize(("xml", "api"), [(XML_52, [FIX / "api-5.2"]),
                                          ([FIX / "sped-6.1.xml"], [FIX / "api-6.1"])])
def test_api_json_builds_the_same_cases_as_the_xml(xml: list[Path], api: list[Path]) -> None:
    from_xml, xml_summary = run(*xml)
    from_json, json_summary = run(*api)
    assert from_json and {k: c.document for k, c in from_xml.items()} == \
        {k: c.document for k, c in from_json.items()}
    for key in ("cases_built", "data_quality_by_rule", "unmapped_by_descriptor",
                "not_placed_by_descriptor"):
        assert xml_summary[key] == json_summary[key], key
    assert json_summary["problems"] == [] and json_summary["files_failed"] == []
    for case in from_json.values():
        case_from_mapping(case.document)
        assert [u.value for u in case.unmapped] == [u.value for u in from_xml[
            case.document["id"]].unmapped]


def test_fixtures_are_in_the_api_shape() -> None:
    text = (FIX / "api-5.2" / "studentSpecialEducationProgramAssociations.json").read_text(
        encoding="utf-8")
    page = json.loads(text)
    assert isinstance(page, list) and all({"id", "_etag", "_lastModifiedDate"} <= set(r)
                                          for r in page)
    assert all(r["studentReference"]["studentUniqueId"] and "link" in r["studentReference"]
               for r in page)
    assert "iepBeginDate" in text and "IEPBeginDate" not in text
    assert '"specialEducationExitReasonDescriptor": "uri://ed-fi.org/' in text
    assert '"disabilities": [' in text and '"providers": [' in text
    first = (FIX / "api-6.1" / "ideaEvents.jsonl").read_text(encoding="utf-8").splitlines()[0]
    assert json.loads(first)["ideaEventDescriptor"].startswith("uri://ed-fi.org/")


def test_unmapped_values_are_located_by_their_api_path() -> None:
    cases, _ = run(FIX / "api-6.1")
    where = {u.where for c in cases.values() for u in c.unmapped}
    assert any(w.endswith("studentIEPs.json $[0].disabilities[1].disabilityDescriptor")
               for w in where)
    assert any(w.endswith("studentIEPServicePrescriptions.json $[1].frequency") for w in where)
    quality = [q["where"] for c in cases.values() for q in c.quality]
    assert any("ideaEvents.jsonl" in w or "studentIEPs.json $[" in w for w in quality)


def test_json_lines_records_are_located_by_line() -> None:
    cases, _ = run(FIX / "api-6.1")
    events = [u.where for c in cases.values() for u in c.unmapped if "ideaEvents.jsonl" in u.where]
    assert events and all(":" in w.split(" ")[0] and " $." in w for w in events)


def test_a_flat_prescription_reference_resolves_like_the_nested_xml_one() -> None:
    cases, _ = run(FIX / "api-6.1")
    sessions = [s for c in cases.values() for s in c.document.get("sessions", [])]
    services = {sv["id"] for c in cases.values() for i in c.document.get("ieps", [])
                for sv in i.get("services", [])}
    assert sessions and any(s["service"] in services for s in sessions)


def test_api_bookkeeping_is_dropped_and_numbers_and_booleans_read_as_text() -> None:
    rec = from_api("StudentSpecialEducationProgramAssociation", {
        "id": "abc", "_etag": "1", "_lastModifiedDate": "2024-01-01T00:00:00Z",
        "studentReference": {"studentUniqueId": "900001", "link": {"rel": "Student",
                                                                   "href": "/x"}},
        "educationOrganizationReference": {"educationOrganizationId": 255901},
        "iepBeginDate": "2024-01-02", "ideaEligibility": True, "schoolHoursPerWeek": 32.5,
        "specialEducationProgramServices": [{
            "specialEducationProgramServiceDescriptor": "uri://ed-fi.org/X#Y",
            "providers": [{"staffReference": {"staffUniqueId": "1"}, "primaryProvider": False}]}],
    }, "f.json", "$[0]")
    assert rec.data == {
        "StudentUniqueId": "900001", "EducationOrganizationId": "255901",
        "IEPBeginDate": "2024-01-02", "IdeaEligibility": "true", "SchoolHoursPerWeek": "32.5",
        "SpecialEducationProgramService": [{
            "SpecialEducationProgramService": "uri://ed-fi.org/X#Y",
            "ServiceProvider": [{"StaffUniqueId": "1", "PrimaryProvider": "false"}]}]}
    assert rec.at("SpecialEducationProgramService[0].SpecialEducationProgramService") == \
        "f.json $[0].specialEducationProgramServices[0].specialEducationProgramServiceDescriptor"
    assert rec.at("NotThere") == "f.json $[0]"  # never a path the file does not have


@pytest.mark.parametrize(("name", "kind"), [
    ("studentSpecialEducationProgramAssociations.json", "StudentSpecialEducationProgramAssociation"),
    ("students-page2.json", "Student"), ("STUDENTIEPS.jsonl", "StudentIEP"),
    ("studentSchoolAttendanceEvents_2021.json", "StudentSchoolAttendanceEvent"),
    ("studentsX.json", None), ("cases.jsonl", None)])
def test_the_file_name_names_the_endpoint(name: str, kind: str | None) -> None:
    assert endpoint_of(Path(name)) == kind


def test_an_unnamed_array_file_and_bad_lines_are_reported_not_guessed(tmp_path: Path) -> None:
    unnamed = tmp_path / "export.json"
    unnamed.write_text("[]", encoding="utf-8")
    bad = tmp_path / "ideaEvents.jsonl"
    good = (FIX / "api-6.1" / "ideaEvents.jsonl").read_text(encoding="utf-8").splitlines()[0]
    bad.write_text(good + "\n{not json\n[1]\n", encoding="utf-8")
    r = import_edfi([unnamed, bad], load_mapping())
    list(r.cases())
    problems = "\n".join(r.summary()["problems"])
    assert "export.json" in problems and "one resource type" in problems
    assert f"{bad}:2: not valid JSON" in problems and f"{bad}:3: expected a resource" in problems
    assert r.records_read["IDEAEvent"] == 1  # the good line was read
    with pytest.raises(EdfiInputError):
        from iep_rules.importers.edfi._api import read_jsonl
        list(read_jsonl(unnamed, lambda k: True))
