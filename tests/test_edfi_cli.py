"""`iep-rules import edfi` and `iep-rules audit --from edfi` over the fixtures."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iep_rules import Rulebook, case_from_mapping
from iep_rules.cli import cli
from iep_rules.importers.edfi import _audit as edfi_audit
from iep_rules.importers.edfi import import_edfi, load_mapping
from iep_rules.importers.edfi._audit import audit_edfi
from iep_rules.render import AUDIT_FORMATS

FIX = Path(__file__).parent / "fixtures" / "edfi"


def test_import_writes_valid_cases_and_a_report(tmp_path: Path) -> None:
    out, report = tmp_path / "cases.jsonl", tmp_path / "import.jsonl"
    result = CliRunner().invoke(cli, ["import", "edfi", str(FIX / "program-5.2.xml"),
                                      str(FIX / "students-5.2.xml"), "--out", str(out),
                                      "--report", str(report)])
    assert result.exit_code == 0, result.output
    docs = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [case_from_mapping(d).id for d in docs] == [
        "edfi-604872", "edfi-604920", "edfi-605146", "edfi-605238", "edfi-605569"]
    lines = [json.loads(line) for line in report.read_text(encoding="utf-8").splitlines()]
    assert [r["type"] for r in lines] == ["import-case"] * 5 + ["import-summary"]
    assert lines[-1]["data_quality_by_rule"]["edfi.dq.review-before-begin"] == 5
    assert "Ed-Fi import: 5 cases from 2 files" in result.stderr


def test_import_exits_2_when_a_file_is_hostile(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["import", "edfi", str(FIX / "billion-laughs.xml"),
                                      "--out", str(tmp_path / "x.jsonl")])
    assert result.exit_code == 2
    assert "refused" in result.stderr


def test_audit_from_edfi_reports_gaps_as_needs_data_with_quality_alongside(
        rulebook: Rulebook, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(edfi_audit, "load_rulebook", lambda *extra: rulebook)  # load once
    result = CliRunner().invoke(cli, ["audit", "--from", "edfi", str(FIX / "sped-6.1.xml"),
                                      "--as-of", "2026-11-30", "--quiet"])
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    results, summary = lines[:-1], lines[-1]
    assert summary["reconciled"] and summary["records_in"] == 5 and summary["errors"] == 0
    # Every would-be violation here rests on something Ed-Fi cannot carry.
    assert summary["findings_by_severity"].get("violation", 0) == 0
    assert result.exit_code == 0
    gaps = [f for r in results for f in r["findings"] if "import_gap" in f]
    assert {f["import_gap"]["was"] for f in gaps} >= {"violation"}
    revoked = [f for r in results if r["case_id"] == "edfi-605225" for f in r["findings"]
               if f["rule_id"] == "idea.consent.services-after-revocation"]
    assert revoked and revoked[0]["severity"] == "needs-data"
    assert all("data_quality" in r and r["where"].startswith(str(FIX)) for r in results)
    assert summary["import"]["data_quality_by_rule"]["edfi.dq.delivery-service-mismatch"] >= 1


def test_audit_text_has_the_import_summary_and_exits_2_on_a_bad_file(
        rulebook: Rulebook) -> None:
    out = io.StringIO()
    run = import_edfi([FIX / "events-renamed-6.1.xml", FIX / "billion-laughs.xml"],
                      load_mapping())
    code = audit_edfi(run, out=out, fmt="text", as_of=dt.date(2024, 6, 30), jurisdiction=None,
                      backend="python", workers=1, extra_rules=(), book=rulebook)
    text = out.getvalue()
    assert "Records in: 1" in text and "(reconciled)" in text
    assert "Ed-Fi import: 1 cases from 2 files (1 failed)" in text
    assert "edfi.dq.dates-out-of-order" in text and "billion-laughs.xml:2: refused" in text
    assert code == 2


def test_plain_audit_still_takes_exactly_one_input(tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["audit", "a.jsonl", "b.jsonl"])
    assert result.exit_code == 2 and "one INPUT" in result.output


@pytest.mark.parametrize("fmt", sorted(AUDIT_FORMATS))
def test_audit_from_edfi_offers_every_registered_audit_format(
        fmt: str, rulebook: Rulebook) -> None:
    out = io.StringIO()
    run = import_edfi([FIX / "events-renamed-6.1.xml"], load_mapping())
    code = audit_edfi(run, out=out, fmt=fmt, as_of=dt.date(2024, 6, 30), jurisdiction=None,
                      backend="python", workers=1, extra_rules=(), book=rulebook,
                      err=io.StringIO())
    text = out.getvalue()
    assert code in (0, 1) and text
    if fmt == "csv":
        rows = list(csv.DictReader(io.StringIO(text)))
        assert rows and all(r["source"].endswith("events-renamed-6.1.xml") for r in rows)
    elif fmt == "sarif":
        log = json.loads(text)
        assert log["runs"][0]["results"] and log["runs"][0]["tool"]["driver"]["rules"]
    elif fmt == "json":
        assert json.loads(text)["summary"]["import"]["cases_built"] == 1
    elif fmt == "text":
        assert "Ed-Fi import: 1 cases from 1 files" in text


def test_audit_from_edfi_format_choices_are_the_audit_choices() -> None:
    result = CliRunner().invoke(cli, ["audit", "--help"])
    assert all(name in result.output for name in AUDIT_FORMATS)
    bad = CliRunner().invoke(cli, ["audit", "--from", "edfi", str(FIX / "sped-6.1.xml"),
                                   "--format", "nonesuch"])
    assert bad.exit_code == 2 and "nonesuch" in bad.output
