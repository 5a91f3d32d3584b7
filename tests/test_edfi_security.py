"""Hostile and broken Ed-Fi files: refused with their location, nothing from them imported,
and the rest of the import goes on."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from iep_rules.importers.edfi import EdfiInputError, import_edfi, load_mapping
from iep_rules.importers.edfi._xml import read_xml

FIX = Path(__file__).parent / "fixtures" / "edfi"


@pytest.mark.parametrize("name", ["billion-laughs.xml", "external-entity.xml"])
def test_entity_declarations_are_refused(name: str) -> None:
    with pytest.raises(EdfiInputError) as err:
        list(read_xml(FIX / name, lambda k: True, Counter()))
    text = err.value.format_message()
    assert f"{name}:2: refused" in text  # the DOCTYPE line
    assert "root:" not in text and "lollol" not in text  # nothing expanded or read


def test_hostile_file_fails_alone_and_the_import_goes_on() -> None:
    run = import_edfi([FIX / "billion-laughs.xml", FIX / "external-entity.xml",
                       FIX / "program-5.2.xml"], load_mapping())
    cases = list(run.cases())
    assert len(cases) == 5  # all from program-5.2.xml
    summary = run.summary()
    assert [Path(f).name for f in summary["files_failed"]] == ["billion-laughs.xml",
                                                               "external-entity.xml"]
    assert all("refused" in p for p in summary["problems"])


def test_malformed_file_keeps_the_records_before_the_break() -> None:
    run = import_edfi([FIX / "malformed.xml"], load_mapping())
    cases = [c.document["id"] for c in run.cases()]
    assert cases == ["edfi-900001"]
    (problem,) = run.summary()["problems"]
    assert "malformed.xml:" in problem and "not well-formed" in problem


def test_not_an_edfi_file_is_named() -> None:
    with pytest.raises(EdfiInputError, match="not in an Ed-Fi namespace"):
        list(read_xml(FIX / "not-edfi.xml", lambda k: True, Counter()))


def test_missing_and_unknown_files_are_problems_not_crashes(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("hello", encoding="utf-8")
    run = import_edfi([tmp_path / "notes.txt", tmp_path / "gone.xml"], load_mapping())
    assert list(run.cases()) == []
    assert len(run.summary()["problems"]) == 2


def test_broken_student_file_is_reported_once_and_its_good_records_still_count() -> None:
    run = import_edfi([FIX / "program-5.2.xml", FIX / "students-truncated.xml"], load_mapping())
    cases = {c.document["id"]: c.document for c in run.cases()}
    assert cases["edfi-604872"]["student"]["date_of_birth"] == "2012-04-16"
    summary = run.summary()
    assert len(summary["problems"]) == 1 and "students-truncated.xml:" in summary["problems"][0]
    assert [Path(f).name for f in summary["files_failed"]] == ["students-truncated.xml"]
