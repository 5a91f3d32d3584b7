from __future__ import annotations

import json

import pytest

from iep_rules import CaseError, case_from_mapping, case_to_mapping, load_case

BASE = {"id": "c1", "jurisdiction": "US", "student": {"id": "s1"}}


def _problems(doc):
    with pytest.raises(CaseError) as info:
        case_from_mapping(doc)
    return {p.location: p.message for p in info.value.problems}


def test_every_problem_is_reported_with_its_json_path():
    doc = {**BASE, "student": {"id": "s1", "date_of_birth": "2010-13-01"}, "typo": 1,
           "ieps": [{"id": "i1", "services": [{"id": "x", "name": "speech",
                                               "frequency": {"times": "two", "per": "fortnight"}}]}]}
    problems = _problems(doc)
    assert set(problems) == {
        "$.student.date_of_birth", "$.typo",
        "$.ieps[0].services[0].frequency.times", "$.ieps[0].services[0].frequency.per",
    }
    assert "YYYY-MM-DD" in problems["$.student.date_of_birth"]
    assert "fortnight" in problems["$.ieps[0].services[0].frequency.per"]
    assert problems["$.typo"] == "unknown field"


def test_missing_required_fields_are_named():
    assert set(_problems({"jurisdiction": "US", "student": {}})) == {"$.id", "$.student.id"}


def test_dates_out_of_order_are_refused_at_the_item():
    problems = _problems({**BASE, "ieps": [{"id": "i", "start": "2024-05-01", "end": "2024-01-01"}]})
    assert list(problems) == ["$.ieps[0]"]
    assert "before start" in problems["$.ieps[0]"]


def test_bad_json_file_names_line_and_column(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"id": "c1",\n  "student": }')
    with pytest.raises(CaseError) as info:
        load_case(bad)
    assert str(bad) in info.value.format_message()
    assert info.value.problems[0].location == "line 2 col 14"


def test_non_utf8_file_is_a_case_error(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_bytes(b'{"id": "\xff"}')
    with pytest.raises(CaseError, match="UTF-8"):
        load_case(bad)


def test_round_trip_is_lossless():
    with open("examples/ny-grade9.json", encoding="utf-8") as fh:
        doc = json.load(fh)
    case = case_from_mapping(doc)
    assert case_from_mapping(json.loads(json.dumps(case_to_mapping(case)))) == case
