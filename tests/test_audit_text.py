"""Audit workers write each result's text for the formats that allow it (JSON Lines, JSON,
CSV), so the process writing the output only counts and writes. That path must give the very
bytes, counts and exit status of the path that passes whole result objects."""

from __future__ import annotations

import datetime as dt
import io
import json
from pathlib import Path

import pytest
from test_audit_stream import _results

from iep_rules.batch._audit import CaseRecord, Encoded, Settings, Tally, run_audit_text
from iep_rules.batch._run import audit
from iep_rules.render import AUDIT_FORMATS, AuditOutput, audit_writer, record_text
from iep_rules.rulebook._rulebook import load_rulebook

TEXT_FORMATS = ["jsonl", "json", "csv"]


def test_the_formats_that_write_one_result_at_a_time_say_so() -> None:
    assert {f for f in AUDIT_FORMATS if record_text(f) is not None} == set(TEXT_FORMATS)


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_add_text_of_record_text_is_add(fmt: str) -> None:
    by_object, by_text = io.StringIO(), io.StringIO()
    whole = audit_writer(fmt, AuditOutput(by_object, io.StringIO(), lambda codes: []))
    split = audit_writer(fmt, AuditOutput(by_text, io.StringIO(), lambda codes: []))
    encode = record_text(fmt)
    assert encode is not None
    for result in _results():
        whole.add(result)
        split.add_text(encode(result))  # type: ignore[attr-defined]
    summary = {"type": "summary", "records_in": 4}
    whole.finish(summary)
    split.finish(summary)
    assert by_text.getvalue() == by_object.getvalue()
    assert "c1" in by_object.getvalue() and "$: bad" in by_object.getvalue()  # not vacuous


def test_encoded_results_count_as_the_objects_do() -> None:
    by_object, by_parts = Tally(), Tally()
    for result in _results():
        by_object.add(result)
        by_parts.add(Encoded.of(result, "text"))
    assert by_parts.summary() == by_object.summary()
    assert by_object.summary()["findings_by_rule"] == {"idea.iep.present-levels": 3}


def _district(tmp_path: Path) -> Path:
    lines = Path("examples/district-sample.jsonl").read_text(encoding="utf-8").splitlines()
    areas = json.loads(Path("examples/areas-noncompliant-ny.json").read_text(encoding="utf-8"))
    lines[1:1] = ['{"id": "broken"', json.dumps(areas), "[1, 2]"]
    path = tmp_path / "district.jsonl"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("fmt", TEXT_FORMATS)
def test_workers_writing_text_give_the_bytes_of_the_object_path(tmp_path: Path, fmt: str) -> None:
    path = _district(tmp_path)
    book = load_rulebook()
    runs: dict[str, tuple[int, str]] = {}
    for name, workers, review in (("text", 2, None), ("objects", 0, lambda r: r)):
        out = io.StringIO()
        status = audit(str(path), book=book, as_of=dt.date(2025, 6, 20), fmt=fmt,
                       workers=workers, out=out, err=io.StringIO(), review=review)
        runs[name] = status, out.getvalue()
    assert runs["text"] == runs["objects"]
    assert runs["text"][0] == 2  # bad records are in it
    if fmt == "jsonl":
        rows = [json.loads(line) for line in runs["text"][1].splitlines()]
        assert {2, 4} <= {r["line"] for r in rows if r["type"] == "error"}
        assert rows[-1]["reconciled"] and rows[-1]["cases_with_violations"] >= 1


def test_record_text_for_a_format_that_needs_the_whole_audit_is_refused() -> None:
    settings = Settings((), dt.date(2025, 6, 20), None, "python")
    records = [CaseRecord("in", 1, text="{}")]
    with pytest.raises(ValueError, match="one result at a time"):
        list(run_audit_text(records, settings=settings, fmt="sarif", workers=0))
