"""What people read in the reports: ledger periods as date ranges (never ISO week codes), the
summary's "due next" from the deadline calendar, Markdown that escapes case text only, and
evidence that carries a JSON path only for facts that are in the file (derived facts are named
as derived)."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from iep_rules import deadlines, evaluate, load_case
from iep_rules.case._records import Case
from iep_rules.cli import cli
from iep_rules.render._html import to_html
from iep_rules.render._inert import markdown_text
from iep_rules.render._markdown import to_markdown
from iep_rules.render._text import ledger_text, to_text

ROOT = Path(__file__).resolve().parent.parent
LEDGER_CASE = "examples/ledger-speech.json"
LEDGER_DAY = dt.date(2024, 11, 29)
WEEK_CODE = re.compile(r"\b\d{4}-W\d{2}\b")
# ISO week 2024-W47 is Monday 18 to Sunday 24 November 2024; its school days are 18-22.
WEEK_47 = "the week of 2024-11-18 to 2024-11-22"


def _run(args: list[str]) -> str:
    return CliRunner().invoke(cli, args).output


def _ledger_report(rulebook: Any) -> tuple[Any, Case]:
    case = load_case(LEDGER_CASE)
    return evaluate(rulebook, case, as_of=LEDGER_DAY), case


# ---- 1. ledger periods as date ranges ---------------------------------------------------------

def test_no_week_code_in_any_human_format(rulebook):
    report, case = _ledger_report(rulebook)
    calendar = deadlines(rulebook, case, as_of=LEDGER_DAY, within=365)
    outputs = {
        "text": to_text(report, calendar),
        "ledger text": ledger_text(report.ledger),
        "markdown": to_markdown(report, case, calendar),
        "html": to_html(report, case, calendar),
        "cli ledger": _run(["ledger", LEDGER_CASE, "--as-of", LEDGER_DAY.isoformat()]),
    }
    for name, text in outputs.items():
        assert not WEEK_CODE.search(text), f"{name}: {WEEK_CODE.search(text)}"
        # one convention everywhere: the same words the rule messages use
        assert WEEK_47 in " ".join(text.split()), name


def test_json_keeps_the_period_code_and_carries_its_dates(rulebook):
    report = json.loads(_run(["check", LEDGER_CASE, "--as-of", LEDGER_DAY.isoformat(),
                              "--format", "json"]))
    items = report["ledger"][0]["owed_items"] + report["ledger"][0]["missed_when_due_items"]
    week = [i for i in items if i["source"] == "2024-W47"]
    assert week and all((i["start"], i["end"]) == ("2024-11-18", "2024-11-24") for i in week)
    days = [i for i in items if i["source"] == "2024-10-14"]
    assert days and all((i["start"], i["end"]) == ("2024-10-14", "2024-10-14") for i in days)
    ledger = json.loads(_run(["ledger", LEDGER_CASE, "--as-of", LEDGER_DAY.isoformat(),
                              "--format", "json"]))
    assert any(i["start"] == "2024-11-18" for i in ledger[0]["owed_items"])


# ---- 2. due next from the deadline calendar -----------------------------------------------------

def _calendar_rows(case_file: str, day: dt.date) -> list[tuple[str, str]]:
    """(due, what) of the `iep-rules deadlines` table over the next year."""
    out = _run(["deadlines", case_file, "--as-of", day.isoformat(), "--within", "365d"])
    rows = re.findall(r"^(\d{4}-\d{2}-\d{2})\s+\d+d\s+\S+\s+(.+)$", out, flags=re.M)
    return [(due, what.strip()) for due, what in rows]


def test_due_next_is_the_deadline_calendar_in_every_human_format(rulebook):
    report, case = _ledger_report(rulebook)
    calendar = deadlines(rulebook, case, as_of=LEDGER_DAY, within=365)
    rows = _calendar_rows(LEDGER_CASE, LEDGER_DAY)
    assert len(rows) >= 3
    first = rows[:3]
    text = to_text(report, calendar)
    block = text.split("Due next")[1]
    for due, what in first:
        assert f"{due}  {what}" in block
    assert "34 CFR 300.153(c)" in block  # each with its law
    assert rows[3][0] not in block.split("\n\n")[0]  # the next few, not all
    day_words = {due: f"{int(due[8:])} {dt.date.fromisoformat(due):%B %Y}" for due, _ in first}
    md = to_markdown(report, case, calendar)
    due_line = md.split("What is due next")[1].split("\n- ")[0]
    html = " ".join(to_html(report, case, calendar).split())
    for due, _what in first:
        assert day_words[due] in due_line
        assert day_words[due] in html
    assert "make up 150 owed minutes of speech therapy" in due_line  # plain service name
    assert "34 CFR 300.153(c)" in due_line


def test_due_next_from_the_cli_agrees_with_the_deadlines_command():
    day = "2025-11-01"
    rows = _calendar_rows("examples/ny-grade9.json", dt.date.fromisoformat(day))
    text = _run(["check", "examples/ny-grade9.json", "--as-of", day])
    md = _run(["check", "examples/ny-grade9.json", "--as-of", day, "--format", "markdown"])
    assert rows, "the example has an annual review due within the year"
    due, what = rows[0]
    assert f"{due}  {what}" in text.split("Due next")[1]
    assert "10 June 2026" in md.split("What is due next")[1].split("\n- ")[0]


def test_nothing_due_says_so(rulebook):
    case = load_case("examples/ny-grade9.json")
    day = dt.date(2026, 11, 23)
    report = evaluate(rulebook, case, as_of=day)
    calendar = deadlines(rulebook, case, as_of=day, within=365)
    assert not calendar.deadlines
    assert "Due next: nothing falls due" in to_text(report, calendar)


# ---- 3. Markdown escapes case text only ---------------------------------------------------------

def test_markdown_leaves_the_reports_own_punctuation_alone(rulebook):
    report, case = _ledger_report(rulebook)
    md = to_markdown(report, case, deadlines(rulebook, case, as_of=LEDGER_DAY, within=365))
    assert "Law: 34 CFR 300.320(a)(6)(i) (rule idea.iep.assessment-participation)" in md
    assert "Speech therapy, IEP of 2024-10-07: 16 expected, 9 delivered, 5 owed" in md
    assert "This review found" in md and "rule idea.makeup" in md
    # none of the escapes the old escaper put on ordinary punctuation
    assert not re.search(r"\\[.:()!#{}-]", md), re.search(r".{30}\\[.:()!#{}-].{10}", md)


@pytest.mark.parametrize("case_text,shown", [
    ("[click](http://evil.example)", "\\[click\\](http\\://evil.example)"),
    ("![img](x.png)", "!\\[img\\](x.png)"),
    ("<b>bold</b>", "\\<b\\>bold\\</b\\>"),
    ("a | b", "a \\| b"),
    ("*emphasis* and _this_", "\\*emphasis\\* and \\_this\\_"),
    ("www.example.com", "www\\.example.com"),
    ("# heading", "\\# heading"),
    ("1. item", "1\\. item"),
    ("- item", "\\- item"),
    ("> quote", "\\> quote"),
    ("IEP of 2024-10-07 (speech), 3.5 hours: ok!", "IEP of 2024-10-07 (speech), 3.5 hours: ok!"),
])
def test_markdown_text_escapes_only_what_makes_syntax(case_text, shown):
    assert markdown_text(case_text) == shown


# ---- 4. evidence paths: only facts on file ------------------------------------------------------

def _resolves(case_doc: Any, path: str) -> bool:
    """The JSON path names a place in the case file: every step but the last exists, and the
    last is present or is a field the case format has (an unrecorded field a rule needs)."""
    steps = re.findall(r"\.([A-Za-z_]+)|\[(\d+)\]", path[1:])
    node = case_doc
    for i, (key, index) in enumerate(steps):
        last = i == len(steps) - 1
        if key:
            if not isinstance(node, dict):
                return False
            if key not in node:
                return last and _is_case_field(path)
            node = node[key]
        else:
            if not isinstance(node, list) or int(index) >= len(node):
                return False
            node = node[int(index)]
    return True


def _is_case_field(path: str) -> bool:
    from iep_rules.lang._explain import record_field_at

    return record_field_at(path)


EXAMPLES = sorted(str(p.relative_to(ROOT)) for p in (ROOT / "examples").glob("*.json"))


@pytest.mark.parametrize("example", EXAMPLES)
@pytest.mark.parametrize("day", ["2024-11-29", "2026-11-23"])
def test_every_json_path_resolves_in_the_case_file(example, day):
    doc = json.loads((ROOT / example).read_text(encoding="utf-8"))
    report = json.loads(_run(["check", example, "--as-of", day, "--format", "json"]))
    bad = []
    for finding in report["findings"]:
        for e in finding["evidence"]:
            if e["path"] is not None and not _resolves(doc, e["path"]):
                bad.append((finding["rule_id"], e["fact"], e["path"]))
        for m in finding.get("missing", []):
            if m.startswith("$") and not _resolves(doc, m):
                bad.append((finding["rule_id"], "missing", m))
        assert _resolves(doc, finding["subject"])
    assert not bad, bad


@pytest.mark.parametrize("example", ["examples/ny-grade9.json",
                                     "examples/areas-noncompliant-ny.json"])
def test_derived_facts_are_labelled_with_their_meaning(example):
    from iep_rules.facts._derived import AREA, DECLARED, LEDGER, STUDENT_AGE

    report = json.loads(_run(["check", example, "--as-of", "2026-11-23", "--format", "json"]))
    evidence = [e for f in report["findings"] for e in f["evidence"]]
    derived = [e for e in evidence if e.get("derived")]
    assert derived and [e for e in evidence if e["path"]]  # both kinds are read
    assert all(e["path"] is None for e in derived)
    meanings = {d.meaning for d in [*DECLARED, *AREA, *LEDGER, STUDENT_AGE]}
    assert all(e["derived"] in meanings for e in derived), derived
    names = {e["fact"] for e in derived}
    assert names & {"in_effect_until", "developed_by_as_of", "counted", "areas_not_assessed"}


def test_derived_fact_in_words_for_people(rulebook):
    from iep_rules._findings import Evidence
    from iep_rules.render import _plain as plain

    case = load_case("examples/ny-grade9.json")
    e = Evidence("in_effect_until", None, dt.date(2025, 6, 9), "the last day this IEP was in effect")
    words = plain.evidence_line(case, e, subject="$.ieps[0]")
    assert words.startswith("the last day this IEP was in effect")
    assert "worked out from the file" in words and "$." not in words
    assert words.endswith("9 June 2025")


def test_markdown_from_case_text_renders_inert(rulebook):
    """Rendered by a CommonMark parser (markdown-it-py, with GitHub tables): case text with
    link, image, HTML, emphasis and table syntax yields none of them, and the report's own
    tables and emphasis are still there."""
    markdown_it = pytest.importorskip("markdown_it")
    from iep_rules import case_from_mapping

    evil = "[x](http://e.example) ![i](y.png) <b>b</b> | c *em* www.e.example"
    data = json.loads((ROOT / LEDGER_CASE).read_text(encoding="utf-8"))
    data["student"]["id"] = "kid " + evil
    data["student"]["school"] = "# " + evil
    old_iep = data["ieps"][0]["id"]
    text = json.dumps(data).replace(json.dumps(old_iep), json.dumps("iep " + evil))
    case = case_from_mapping(json.loads(text))
    report = evaluate(rulebook, case, as_of=LEDGER_DAY)
    md = to_markdown(report, case, deadlines(rulebook, case, as_of=LEDGER_DAY, within=365))
    assert md.count("e.example") >= 3  # the case text is in the report
    parser = markdown_it.MarkdownIt("commonmark").enable("table")
    html = parser.render(md)
    assert "<a " not in html and "<img" not in html and "<b>" not in html
    assert "<em>em</em>" not in html
    clean_case = load_case(LEDGER_CASE)
    clean = parser.render(to_markdown(
        evaluate(rulebook, clean_case, as_of=LEDGER_DAY), clean_case,
        deadlines(rulebook, clean_case, as_of=LEDGER_DAY, within=365)))
    assert html.count("<table>") == clean.count("<table>") >= 2
    assert html.count("<td>") == clean.count("<td>")  # no cell split by a case `|`
    assert html.count("<h1>") == 1 and html.count("<strong>") == clean.count("<strong>")


def _paths(node: Any) -> list[str]:
    """Every `path` value in a JSON document."""
    if isinstance(node, dict):
        found = [node["path"]] if isinstance(node.get("path"), str) else []
        return found + [p for v in node.values() for p in _paths(v)]
    if isinstance(node, list):
        return [p for v in node for p in _paths(v)]
    return []


@pytest.mark.parametrize("example", EXAMPLES)
def test_deadline_and_explanation_paths_resolve_in_the_case_file(example):
    doc = json.loads((ROOT / example).read_text(encoding="utf-8"))
    calendar = json.loads(_run(["deadlines", example, "--as-of", "2024-11-29", "--within", "800d",
                                "--format", "json"]))
    explained = json.loads(_run(["check", example, "--as-of", "2026-11-23", "--explain",
                                 "idea.iep.transition-services", "--format", "json"]))
    paths = _paths(calendar) + _paths(explained)
    assert not [p for p in paths if not _resolves(doc, p)]
    if example.endswith("ny-grade9.json"):
        assert "$.ieps[1].transition" in paths  # the check is not vacuous


def test_a_far_future_date_of_birth_still_gives_a_report_that_says_what_is_due():
    """A date of birth in 9990 puts due dates near the end of the calendar: the report still
    comes out with what is due next (the deadline calendar saturates at 9999-12-31 instead of
    overflowing, so check needs no guard of its own)."""
    result = CliRunner().invoke(cli, ["check", str(ROOT / "tests/repro/case-dob-9990.json"),
                                      "--as-of", "2025-01-01"])
    assert result.exit_code in (0, 1), result.output
    assert "Due next" in result.output
