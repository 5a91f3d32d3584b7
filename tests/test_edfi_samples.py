"""The whole published Ed-Fi samples, imported and audited end to end (slow).

Skipped when the shared sample folder is not present. The counts are what the sample README
documents (and, where it understates, what the data holds; see docs/edfi.md)."""

from __future__ import annotations

import datetime as dt
import io
import json
import tracemalloc
from collections import Counter
from pathlib import Path

import pytest

from iep_rules import case_from_mapping
from iep_rules.importers.edfi import import_edfi, load_mapping
from iep_rules.importers.edfi._audit import audit_edfi
from iep_rules.importers.edfi._xml import read_xml

ROOT = Path("/work/shared/external/edfi")
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(not ROOT.is_dir(), reason="Ed-Fi samples not present")]


def audit(paths: list[Path], as_of: dt.date) -> tuple[list[dict], dict]:
    out = io.StringIO()
    run = import_edfi(paths, load_mapping())
    audit_edfi(run, out=out, fmt="jsonl", as_of=as_of, jurisdiction=None, backend="python",
               workers=1, extra_rules=())
    lines = [json.loads(line) for line in out.getvalue().splitlines()]
    return lines[:-1], lines[-1]


def test_whole_5_2_sample() -> None:
    _results, summary = audit([ROOT / "ds-5.2.0" / "samples"], dt.date(2022, 6, 30))
    assert summary["records_in"] == summary["results"] == 97 and summary["reconciled"]
    assert summary["findings_by_severity"].get("violation", 0) == 0
    imp = summary["import"]
    assert imp["records_read"]["StudentSpecialEducationProgramAssociation"] == 97
    assert imp["data_quality_by_rule"]["edfi.dq.review-before-begin"] == 97
    assert imp["data_quality_by_rule"]["edfi.dq.hours-exceed-school-hours"] == 6
    assert imp["files_failed"] == [] and imp["problems"] == []


@pytest.mark.parametrize("name, unresolved_iep_refs", [("SpecialEducation.xml", 0),
                                                       ("SpecialEducation.0627b6d.xml", 81)])
def test_whole_6_1_samples(name: str, unresolved_iep_refs: int) -> None:
    results, summary = audit([ROOT / "ds-6.1.0-sedm" / name], dt.date(2026, 11, 30))
    assert summary["records_in"] == summary["results"] == 27 and summary["reconciled"]
    assert summary["findings_by_severity"].get("violation", 0) == 0
    quality = Counter(q["message"].split(" ")[0] for r in results for q in r["data_quality"]
                      if q["rule_id"] == "edfi.dq.unresolved-reference")
    assert quality["IDEAEventReference"] == 209 - 84
    assert quality["StudentIEPReference"] == unresolved_iep_refs
    dq = summary["import"]["data_quality_by_rule"]
    assert dq["edfi.dq.delivery-service-mismatch"] == 18
    assert dq["edfi.dq.active-iep-with-exit"] == 13


def test_both_6_1_versions_together_leave_the_disputed_values_unknown() -> None:
    """The versions disagree on four records (sample README): the settings of IEP-007, IEP-008
    and IEP-024 and IEP-001's disability details. No case places a disputed setting."""
    folder = ROOT / "ds-6.1.0-sedm"
    run = import_edfi([folder / "SpecialEducation.xml", folder / "SpecialEducation.0627b6d.xml"],
                      load_mapping())
    cases = {c.document["id"]: c for c in run.cases()}
    entries = [q for c in cases.values() for q in c.quality
               if q["rule_id"] == "edfi.dq.conflicting-duplicate"]
    assert len(entries) == run.summary()["duplicates"]["conflicting"] == 4
    settings = [q for q in entries if q["fields"] == ["SpecialEducationSetting"]]
    assert len(settings) == 3
    for case in cases.values():
        disputed = [q for q in case.quality if q in settings]
        if disputed:
            assert "placements" not in case.document
            assert disputed[0]["case_lists_unknown"] == ["placements"]
        assert len(case.document["ieps"]) == 1
        case_from_mapping(case.document)


def test_json_resources_of_the_whole_6_1_sample_match_the_xml() -> None:
    folder = ROOT / "ds-6.1.0-sedm"
    for xml, js in (("SpecialEducation.xml", "SpecialEducation.records.json"),
                    ("SpecialEducation.0627b6d.xml", "SpecialEducation.0627b6d.records.json")):
        a = [c.document for c in import_edfi([folder / xml], load_mapping()).cases()]
        b = [c.document for c in import_edfi([folder / js], load_mapping()).cases()]
        assert a == b and len(a) == 27
        assert all(case_from_mapping(d) for d in a)


def _student_file(path: Path, n: int) -> None:
    with path.open("w", encoding="utf-8") as fh:
        fh.write('<?xml version="1.0"?>\n<InterchangeStudent xmlns="http://ed-fi.org/5.2.0">\n')
        for i in range(n):
            fh.write(f"\t<Student>\n\t\t<StudentUniqueId>{i}</StudentUniqueId>\n\t\t<BirthData>"
                     f"<BirthDate>2012-01-01</BirthDate></BirthData>\n\t</Student>\n")
        fh.write("</InterchangeStudent>\n")


def test_reading_memory_does_not_grow_with_the_number_of_records(tmp_path: Path) -> None:
    peaks = []
    for n in (2_000, 20_000):
        path = tmp_path / f"students-{n}.xml"
        _student_file(path, n)
        tracemalloc.start()
        count = sum(1 for _ in read_xml(path, lambda k: True, Counter()))
        peaks.append(tracemalloc.get_traced_memory()[1])
        tracemalloc.stop()
        assert count == n
    assert peaks[1] < peaks[0] * 1.5  # ten times the records, about the same peak


def test_whole_5_2_sample_as_api_json_builds_the_same_cases(tmp_path: Path) -> None:
    """Every 5.2 record the importer reads, written as ODS/API resources (one endpoint per
    file; attendance as JSON Lines) by tests/fixtures/edfi/api_fixtures.py, and read back."""
    import sys
    sys.path.insert(0, str(Path(__file__).parent / "fixtures" / "edfi"))
    import api_fixtures as api

    samples = ROOT / "ds-5.2.0" / "samples"
    by_kind: dict[str, list[dict]] = {}
    for path in sorted(samples.iterdir()):
        for n, rec in enumerate(read_xml(path, api.ENDPOINT.__contains__, Counter())):
            by_kind.setdefault(rec.kind, []).append(api.resource(rec.kind, dict(rec.data), n))
    for kind, items in by_kind.items():
        name = api.ENDPOINT[kind]
        if kind == "StudentSchoolAttendanceEvent":
            (tmp_path / f"{name}.jsonl").write_text(
                "".join(json.dumps(i) + "\n" for i in items), encoding="utf-8")
        else:
            (tmp_path / f"{name}.json").write_text(json.dumps(items), encoding="utf-8")
    from_xml = [c.document for c in import_edfi([samples], load_mapping()).cases()]
    run = import_edfi([tmp_path], load_mapping())
    from_api = [c.document for c in run.cases()]
    assert len(from_api) == 97 and from_api == from_xml
    assert run.summary()["problems"] == []
