"""Duplicate Ed-Fi records (same natural key in two files, or twice in one) are merged:
identical ones collapse silently, differing ones keep the first and say so, naming both."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from edfi_fixtures import FIX, XML_52, run

from iep_rules import case_from_mapping
from iep_rules.importers.edfi import ImportedCase


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


def test_a_differing_duplicate_keeps_the_first_and_names_both(tmp_path: Path) -> None:
    page = json.loads((FIX / "api-5.2" / "studentSpecialEducationProgramAssociations.json")
                      .read_text(encoding="utf-8"))
    page[1]["iepReviewDate"] = "2021-09-20"  # student 604920, against the XML's 2021-08-27
    folder = tmp_path / "pull"
    folder.mkdir()
    (folder / "studentSpecialEducationProgramAssociations.json").write_text(
        json.dumps(page), encoding="utf-8")
    cases, summary = run(FIX / "program-5.2.xml", folder)
    case = cases["edfi-604920"]
    assert case.document["ieps"][0]["meeting_date"] == "2021-08-27"  # the first read
    (entry,) = conflicts(cases)
    assert entry["fields"] == ["IEPReviewDate"] and entry["topic"] == "data-quality"
    assert entry["where"].endswith("studentSpecialEducationProgramAssociations.json $[1]")
    assert "program-5.2.xml:" in entry["also_at"] and "program-5.2.xml:" in entry["message"]
    assert summary["duplicates"]["conflicting"] == 1
    assert summary["data_quality_by_rule"]["edfi.dq.conflicting-duplicate"] == 1
    assert len(case.document["ieps"]) == 1  # not two IEPs
    for c in cases.values():
        case_from_mapping(c.document)


def test_a_differing_duplicate_within_one_json_lines_file(tmp_path: Path) -> None:
    lines = (FIX / "api-6.1" / "ideaEvents.jsonl").read_text(encoding="utf-8").splitlines()
    twin = json.loads(lines[0])
    twin["beginDate"] = "2030-01-01"
    path = tmp_path / "ideaEvents.jsonl"
    path.write_text("\n".join([*lines, json.dumps(twin)]) + "\n", encoding="utf-8")
    cases, summary = run(path)
    (entry,) = conflicts(cases)
    assert entry["fields"] == ["BeginDate"]
    assert entry["where"].startswith(f"{path}:{len(lines) + 1} ")
    assert entry["also_at"].startswith(f"{path}:1 ")
    assert summary["records_read"]["IDEAEvent"] == len(lines) + 1


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
