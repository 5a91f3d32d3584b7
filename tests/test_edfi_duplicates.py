"""Duplicate Ed-Fi records (same natural key in two files, or twice in one) are merged:
identical ones collapse silently; differing ones keep what both say, leave each disputed field
unknown (or leave out a record that cannot do without it), and say so, naming both places."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from edfi_fixtures import FIX, XML_52, run

from iep_rules import Rulebook, case_from_mapping
from iep_rules.cli import cli
from iep_rules.importers.edfi import ImportedCase
from iep_rules.importers.edfi import _audit as edfi_audit


def documents(cases: dict[str, ImportedCase]) -> dict[str, Any]:
    return {k: c.document for k, c in cases.items()}


def conflicts(cases: dict[str, ImportedCase]) -> list[dict[str, Any]]:
    return [q for c in cases.values() for q in c.quality
            if q["rule_id"] == "edfi.dq.conflicting-duplicate"]


def test_xml_and_its_api_twin_together_collapse_to_the_same_cases() -> None:
    alone, alone_summary = run(*XML_52)
    both, summary = run(*XML_52, FIX / "api-5.2")
    assert documents(both) == documents(alone)
    assert conflicts(both) == []
    read = alone_summary["records_read"]
    kept = read["StudentSpecialEducationProgramAssociation"] + 5 + 16  # + students, absences
    assert summary["duplicates"]["identical_collapsed"] >= kept
    assert summary["duplicates"]["conflicting"] == 0
    assert summary["data_quality_by_rule"] == alone_summary["data_quality_by_rule"]


def test_the_same_file_twice_is_read_once_in_effect() -> None:
    once, _ = run(FIX / "sped-6.1.xml")
    twice, summary = run(FIX / "sped-6.1.xml", FIX / "sped-6.1.xml")
    assert documents(twice) == documents(once)
    assert summary["duplicates"]["identical_collapsed"] == 25  # 5 of each 6.1 entity
    assert conflicts(twice) == []


def _pull(tmp_path: Path, name: str, page: list[dict[str, Any]]) -> Path:
    folder = tmp_path / "pull"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(json.dumps(page), encoding="utf-8")
    return folder


def _api_page(folder: str, name: str) -> list[dict[str, Any]]:
    page: list[dict[str, Any]] = json.loads((FIX / folder / name).read_text(encoding="utf-8"))
    return page


ASSOCIATIONS = "studentSpecialEducationProgramAssociations.json"


def test_a_disputed_field_is_left_unknown_and_both_places_are_named(tmp_path: Path) -> None:
    page = _api_page("api-5.2", ASSOCIATIONS)
    page[1]["iepReviewDate"] = "2021-09-20"  # student 604920, against the XML's 2021-08-27
    cases, summary = run(FIX / "program-5.2.xml", _pull(tmp_path, ASSOCIATIONS, page))
    case = cases["edfi-604920"]
    (iep,) = case.document["ieps"]  # not two IEPs
    assert "meeting_date" not in iep  # neither 2021-08-27 (read first) nor 2021-09-20
    assert iep["start"] == "2021-09-01"  # what both say is kept
    # the placement was dated by the disputed review date: the case's placements are unknown
    assert "placements" not in case.document
    (entry,) = conflicts(cases)
    assert entry["fields"] == ["IEPReviewDate"] and entry["topic"] == "data-quality"
    assert entry["action"] == "fields-unknown" and entry["unknown_fields"] == ["IEPReviewDate"]
    assert entry["case_lists_unknown"] == ["placements"]
    assert "left unknown" in entry["message"] and "placements" in entry["message"]
    assert entry["where"].endswith(f"{ASSOCIATIONS} $[1]")
    assert "program-5.2.xml:" in entry["also_at"] and "program-5.2.xml:" in entry["message"]
    assert summary["duplicates"]["conflicting"] == 1
    assert summary["data_quality_by_rule"]["edfi.dq.conflicting-duplicate"] == 1
    # the other students' records agree: untouched
    alone, _ = run(FIX / "program-5.2.xml")
    assert documents({k: c for k, c in cases.items() if k != "edfi-604920"}) == \
        documents({k: c for k, c in alone.items() if k != "edfi-604920"})
    for c in cases.values():
        case_from_mapping(c.document)


def _findings(result: Any, case_id: str) -> dict[str, str]:
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    (case,) = [r for r in lines[:-1] if r["case_id"] == case_id]
    return {f["rule_id"]: f["severity"] for f in case["findings"]}


EXIT_SILENCED = ("idea.timeline.reevaluation-overdue", "idea.placement.annual",
                 "idea.iep.transition-services")


def test_a_disputed_exit_date_makes_the_rules_it_silenced_needs_data(
        tmp_path: Path, rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    """The XML says student 605146 left special education on 2021-10-01 (no longer eligible);
    an API pull of the same association says 2022-09-15, after the as-of date. On the first
    record's word the exit silenced the reevaluation, annual placement and transition rules;
    with the date disputed the exit is unknown, so they ask for data instead."""
    monkeypatch.setattr(edfi_audit, "load_rulebook", lambda *extra: rulebook)  # load once
    page = _api_page("api-5.2", ASSOCIATIONS)
    assert page[2]["specialEducationExitDate"] == "2021-10-01"
    page[2]["specialEducationExitDate"] = "2022-09-15"
    pull = _pull(tmp_path, ASSOCIATIONS, page)
    args = ["audit", "--from", "edfi", *map(str, XML_52), "--as-of", "2022-06-30", "--quiet"]

    agreed = _findings(CliRunner().invoke(cli, args), "edfi-605146")
    assert not set(EXIT_SILENCED) & set(agreed)  # one source only: the exit silences them

    result = CliRunner().invoke(cli, [*args, str(pull)])
    disputed = _findings(result, "edfi-605146")
    assert {r: disputed.get(r) for r in EXIT_SILENCED} == dict.fromkeys(EXIT_SILENCED,
                                                                        "needs-data")
    cases, _ = run(*XML_52, pull)
    assert "exits" not in cases["edfi-605146"].document
    (entry,) = conflicts(cases)
    assert entry["unknown_fields"] == ["SpecialEducationExitDate"]
    assert entry["case_lists_unknown"] == ["exits"]


def test_a_delivery_with_a_disputed_date_is_left_out_and_the_log_is_unknown(
        tmp_path: Path) -> None:
    page = _api_page("api-6.1", "studentIEPServiceDeliveries.json")
    assert page[0]["iepServiceDeliveryIdentifier"] == "SRV-001"
    twin = dict(page[0], serviceDeliveryDate="2024-02-05")  # the XML says 2024-01-29
    before, _ = run(FIX / "sped-6.1.xml")
    assert before["edfi-604854"].document["sessions"] == [
        {"date": "2024-01-29", "service": "transportation", "status": "delivered"}]
    cases, summary = run(FIX / "sped-6.1.xml",
                         _pull(tmp_path, "studentIEPServiceDeliveries.json", [twin]))
    doc = cases["edfi-604854"].document
    assert "sessions" not in doc  # absent (unknown), never []: the only delivery was disputed
    assert doc["ieps"] == before["edfi-604854"].document["ieps"]
    (entry,) = conflicts(cases)
    assert entry["action"] == "record-dropped" and entry["fields"] == ["ServiceDeliveryDate"]
    assert entry["case_lists_unknown"] == ["sessions"]
    assert "left out of the case" in entry["message"]
    assert summary["duplicates"]["conflicting"] == 1
    case_from_mapping(doc)


def test_a_differing_duplicate_within_one_json_lines_file(tmp_path: Path) -> None:
    lines = (FIX / "api-6.1" / "ideaEvents.jsonl").read_text(encoding="utf-8").splitlines()
    twin = json.loads(lines[0])  # student 604854's consent to evaluate, 2024-01-15
    twin["beginDate"] = "2030-01-01"
    path = tmp_path / "ideaEvents.jsonl"
    path.write_text("\n".join([*lines, json.dumps(twin)]) + "\n", encoding="utf-8")
    before, _ = run(FIX / "api-6.1" / "ideaEvents.jsonl")
    assert before["edfi-604854"].document["consents"][0]["date"] == "2024-01-15"
    cases, summary = run(path)
    (entry,) = conflicts(cases)
    assert entry["fields"] == ["BeginDate"] and entry["action"] == "record-dropped"
    assert entry["case_lists_unknown"] == ["consents"]
    assert entry["where"].startswith(f"{path}:{len(lines) + 1} ")
    assert entry["also_at"].startswith(f"{path}:1 ")
    assert summary["records_read"]["IDEAEvent"] == len(lines) + 1
    assert "consents" not in cases["edfi-604854"].document  # the event is the case's only one
    assert cases["edfi-604854"].where.startswith(f"{path}:1 ")


def test_a_disputed_field_an_event_can_do_without_keeps_the_event(tmp_path: Path) -> None:
    lines = (FIX / "api-6.1" / "ideaEvents.jsonl").read_text(encoding="utf-8").splitlines()
    twin = dict(json.loads(lines[0]), endDate="2024-02-02")
    path = tmp_path / "ideaEvents.jsonl"
    path.write_text("\n".join([*lines, json.dumps(twin)]) + "\n", encoding="utf-8")
    before, _ = run(FIX / "api-6.1" / "ideaEvents.jsonl")
    cases, _ = run(path)
    (entry,) = conflicts(cases)
    assert entry["action"] == "fields-unknown" and entry["unknown_fields"] == ["EndDate"]
    assert entry["case_lists_unknown"] == []
    assert documents(cases) == documents(before)  # the case does not read an event's end


def test_disputed_details_inside_a_collection_leave_the_whole_field_unknown() -> None:
    """The two sample versions disagree on IEP-001's disability details (nested in each
    Disability): the IEP keeps its agreed fields, its Disability field becomes unknown."""
    alone, _ = run(FIX / "sped-6.1.xml")
    cases, summary = run(FIX / "sped-6.1.xml", FIX / "sped-6.1-0627b6d.xml")
    (entry,) = conflicts(cases)
    assert entry["record"] == "StudentIEP" and entry["action"] == "fields-unknown"
    assert "DisabilityDiagnosis" in entry["fields"] and entry["unknown_fields"] == ["Disability"]
    (iep,) = cases["edfi-604854"].document["ieps"]
    first = alone["edfi-604854"].document["ieps"][0]
    assert {k: iep[k] for k in ("id", "start", "end", "meeting_date")} == \
        {k: first[k] for k in ("id", "start", "end", "meeting_date")}
    disabilities = [u for u in cases["edfi-604854"].unmapped if u.table == "disability"]
    assert disabilities == []  # not reported from one source as if agreed
    assert summary["duplicates"]["conflicting"] == 1


def test_records_without_an_identity_are_never_merged(tmp_path: Path) -> None:
    from iep_rules.importers.edfi._merge import canonical, natural_key
    from iep_rules.importers.edfi._source import SourceRecord
    assert natural_key(SourceRecord("StudentIEPGoal", {"IEPGoalType": "x"}, "f")) is None
    assert canonical({"a": ["1"], "b": "20.00", "c": True}) == \
        canonical({"a": "1", "b": 20, "c": "true"})
    assert canonical({"d": ["x", "y"]}) == canonical({"d": ["y", "x"]})
    assert canonical({"BirthData": {"BirthDate": "2014-11-13"}}) == \
        canonical({"BirthDate": "2014-11-13"})
    assert canonical({"d": "x"}) != canonical({"d": "y"})


def _discipline_twin(tmp_path: Path, old: str, new: str) -> Path:
    text = (FIX / "discipline-5.2.xml").read_text(encoding="utf-8")
    assert text.count(old) == 2  # both actions (605266's has no special-education record)
    path = tmp_path / "discipline-again.xml"
    path.write_text(text.replace(old, new), encoding="utf-8")
    return path


def test_a_disputed_actual_length_leaves_the_removal_end_unknown(tmp_path: Path) -> None:
    """The builder reads the planned length when the actual one is missing; a disputed actual
    length must not fall back to the planned one (one day), so the end stays unknown."""
    twin = _discipline_twin(tmp_path, "<ActualDisciplineActionLength>1<",
                            "<ActualDisciplineActionLength>4<")
    cases, _ = run(FIX / "program-discipline-5.2.xml", FIX / "discipline-5.2.xml", twin)
    assert cases["edfi-605370"].document["removals"] == [
        {"start": "2022-02-02", "kind": "in_school_suspension"}]
    (entry,) = conflicts(cases)
    assert entry["unknown_fields"] == ["ActualDisciplineActionLength", "DisciplineActionLength"]


def test_a_disputed_discipline_kind_leaves_the_action_out_and_says_removals_cannot_be_unknown(
        tmp_path: Path) -> None:
    twin = _discipline_twin(tmp_path, "#In School Suspension<", "#Out of School Suspension<")
    cases, _ = run(FIX / "program-discipline-5.2.xml", FIX / "discipline-5.2.xml", twin)
    assert "removals" not in cases["edfi-605370"].document
    (entry,) = conflicts(cases)
    assert entry["action"] == "record-dropped" and entry["unknown_fields"] == ["Discipline"]
    assert "cannot mark its removals unknown" in entry["message"]


def test_a_third_copy_narrows_what_is_kept_further(tmp_path: Path) -> None:
    lines = (FIX / "api-6.1" / "ideaEvents.jsonl").read_text(encoding="utf-8").splitlines()
    first = json.loads(lines[0])
    copies = [dict(first, endDate="2024-02-02"), dict(first, beginDate="2024-01-16"),
              dict(first, eventComplianceDescriptor=None)]
    path = tmp_path / "ideaEvents.jsonl"
    path.write_text("\n".join([*lines, *map(json.dumps, copies)]) + "\n", encoding="utf-8")
    cases, summary = run(path)
    entries = conflicts(cases)
    assert [e["action"] for e in entries] == ["fields-unknown", "record-dropped",
                                              "record-dropped"]
    assert entries[1]["unknown_fields"] == ["BeginDate"]
    assert "already left out" in entries[2]["message"]
    assert "consents" not in cases["edfi-604854"].document
    assert summary["duplicates"]["conflicting"] == 3


def test_a_disputed_birth_date_is_unknown_across_the_xml_and_api_shapes(tmp_path: Path) -> None:
    """XML nests BirthDate in BirthData, the API keeps it flat: both shapes of the disputed
    value are left out, so the case has no birth date rather than the first one read."""
    lines = (FIX / "api-5.2" / "students.jsonl").read_text(encoding="utf-8").splitlines()
    student = next(json.loads(x) for x in lines if '"604872"' in x)
    path = tmp_path / "students.jsonl"
    path.write_text(json.dumps(dict(student, birthDate="2009-01-01")) + "\n", encoding="utf-8")
    before, _ = run(*XML_52)
    assert "date_of_birth" in before["edfi-604872"].document["student"]
    cases, _ = run(*XML_52, path)
    assert "date_of_birth" not in cases["edfi-604872"].document["student"]
    (entry,) = conflicts(cases)
    assert entry["fields"] == ["BirthDate"] and entry["action"] == "fields-unknown"
