"""Calendar outputs (text, JSON, CSV, .ics), the CLI, the district view, and `due:` checking."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from pathlib import Path
from typing import Any

import icalendar
from click.testing import CliRunner

from iep_rules import case_from_mapping, deadlines
from iep_rules.cli import cli
from iep_rules.lang._rulefile import parse_layer
from iep_rules.render import CalendarInput, render_calendar
from iep_rules.render._ics import calendars_ics

NAMED = {"id": "case-0042", "jurisdiction": "US-NY",
         "student": {"id": "s-42", "date_of_birth": "2010-01-31", "school": "Example School"},
         "meetings": [], "agreements": [],
         "evaluations": [{"kind": "initial", "completed": "2022-02-28"}],
         "eligibility": [{"date": "2022-03-10", "outcome": "eligible"}],
         "ieps": [{"id": "i1", "meeting_date": "2024-02-29", "start": "2024-03-04",
                   "end": "2025-01-20"}]}
AS_OF = dt.date(2024, 12, 1)


def test_ics_reads_back_with_the_same_dates_and_no_name(rulebook: Any) -> None:
    cal = deadlines(rulebook, case_from_mapping(NAMED), as_of=AS_OF, within=120)
    assert {d.rule_id for d in cal.deadlines} >= {"idea.timeline.annual-review-overdue",
                                                  "idea.timeline.reevaluation-overdue",
                                                  "idea.iep.transition-services"}
    data = calendars_ics([cal])
    parsed = icalendar.Calendar.from_ical(data)
    events = list(parsed.walk("VEVENT"))
    assert sorted(e.decoded("dtstart") for e in events) == sorted(d.due for d in cal.deadlines)
    for event, d in zip(sorted(events, key=lambda e: (e.decoded("dtstart"), str(e["summary"]))),
                        sorted(cal.deadlines, key=lambda d: (d.due, f"Case {d.case_id}: "
                                                                    f"{d.label}")),
                        strict=True):
        assert event.decoded("dtend") - event.decoded("dtstart") == dt.timedelta(days=1)
        assert str(event["summary"]).startswith("Case case-0042:")
        description = str(event["description"])
        assert all(c.authority in description for c in d.citations)
    # the child is named by case id only: no student id, no school, no date of birth
    text = data.decode("utf-8")
    assert "s-42" not in text and "Example School" not in text and "2010-01-31" not in text
    assert len({str(e["uid"]) for e in events}) == len(events)


def test_json_and_csv_carry_dates_rules_citations_and_facts(rulebook: Any) -> None:
    cal = deadlines(rulebook, case_from_mapping(NAMED), as_of=AS_OF, within=120)
    doc = json.loads(render_calendar("json", CalendarInput([cal], AS_OF, cal.until)))
    annual = next(d for d in doc["deadlines"]
                  if d["rule_id"] == "idea.timeline.annual-review-overdue")
    assert annual["due"] == "2025-02-28"  # 12 months from 2024-02-29
    assert annual["days_left"] == 89
    assert annual["overdue_from"] == "2025-03-01"
    assert {"fact": "case.last_annual_review", "path": None,
            "value": "2024-02-29"} in annual["computed_from"]
    assert any(c["authority"] == "34 CFR 300.324(b)(1)(i)" for c in annual["citations"])
    rows = list(csv.DictReader(io.StringIO(render_calendar("csv", CalendarInput([cal], AS_OF,
                                                                              cal.until)))))
    assert [r["due"] for r in rows] == [d["due"] for d in doc["deadlines"]]
    assert all(r["citations"] for r in rows)


def test_cli_deadlines_formats(rulebook: Any, tmp_path: Path) -> None:
    case_file = tmp_path / "case.json"
    case_file.write_text(json.dumps(NAMED))
    runner = CliRunner()
    text = runner.invoke(cli, ["deadlines", str(case_file), "--as-of", "2024-12-01",
                               "--within", "120d"])
    assert text.exit_code == 0, text.output
    assert "2025-02-28" in text.output and "annual review of the IEP" in text.output
    ics = tmp_path / "out.ics"
    result = runner.invoke(cli, ["deadlines", str(case_file), "--as-of", "2024-12-01",
                                 "--within", "10w", "--format", "ics", "-o", str(ics)])
    assert result.exit_code == 0, result.output
    assert icalendar.Calendar.from_ical(ics.read_bytes()).walk("VEVENT")
    bad = runner.invoke(cli, ["deadlines", str(case_file), "--within", "soon"])
    assert bad.exit_code == 2 and "number of days" in bad.output


def test_district_view_by_school_and_rule_counts_bad_records(tmp_path: Path) -> None:
    other = {**NAMED, "id": "case-0043",
             "student": {"id": "s-43", "school": "Other School"}}
    lines = [json.dumps(NAMED), "{not json", json.dumps(other)]
    path = tmp_path / "district.jsonl"
    path.write_text("\n".join(lines) + "\n")
    result = CliRunner().invoke(cli, ["deadlines", str(path), "--as-of", "2024-12-01",
                                      "--within", "120d", "--format", "json"])
    assert result.exit_code == 2  # a bad record is reported, the good ones still listed
    start = result.output.index("{\n")
    doc = json.loads(result.output[start:])
    summary = doc["summary"]
    assert summary["records_in"] == 3 and summary["results"] == 2 and summary["errors"] == 1
    assert summary["reconciled"]
    assert summary["by_school"] == {"Example School": 3, "Other School": 2}
    assert summary["by_rule"]["idea.timeline.annual-review-overdue"] == 2
    assert {d["case_id"] for d in doc["deadlines"]} == {"case-0042", "case-0043"}


RULE = """
jurisdiction: US
title: t
rules:
  - id: x.due
    title: t
    topic: timelines
    severity: violation
    scope: case
    due: {due_spec}
    when: {when}
    message: m
    cite: [{{authority: "34 CFR 300.324(b)(1)(i)", verified: true}}]
"""


def problems(due_spec: str, when: str = "{fact: case.iep_count, greater_than: 0}") -> list[str]:
    _layer, found = parse_layer(RULE.format(due_spec=due_spec, when=when), "t.yaml")
    return [str(p) for p in found]


def test_due_is_checked_when_the_rule_file_loads() -> None:
    good = "{label: review, from: case.last_annual_review, add: {months: 12}}"
    assert problems(good) == []
    assert problems(good, "{value: {due: date}, before: {fact: as_of}}") == []
    assert any("date fact" in p for p in
               problems("{label: r, from: case.iep_count, add: {months: 12}}"))
    assert any("unknown fact" in p for p in
               problems("{label: r, from: case.no_such_date, add: {months: 12}}"))
    assert any("weeks" in p for p in
               problems("{label: r, from: case.last_annual_review, add: {weeks: 2}}"))
    assert any("expected {due: date}" in p for p in
               problems("{label: r, from: case.last_annual_review, add: {months: 12}}",
                        "{value: {due: soon}, before: {fact: as_of}}"))
    school = "{label: r, from: case.last_annual_review, add: {school_days: 10}}"
    assert any("school days" in p for p in
               problems(school, "{value: {due: date}, before: {fact: as_of}}"))
    # a rule without `due:` cannot use {due: date}
    _layer, found = parse_layer(RULE.replace("    due: {due_spec}\n", "").format(
        when="{value: {due: date}, before: {fact: as_of}}"), "t.yaml")
    assert any("needs the rule to declare `due:`" in str(p) for p in found)
