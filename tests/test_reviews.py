"""Reviewed findings: fingerprints, review files, baselines."""

from __future__ import annotations

import datetime as dt
import json

import attrs
import pytest
from click.testing import CliRunner

from iep_rules import case_from_mapping, case_to_mapping, evaluate, load_case
from iep_rules._reviews import ReviewFileError, load_reviews
from iep_rules.cli import cli

CASE = "examples/ny-grade9.json"
DAY = dt.date(2026, 11, 23)


def _report(rulebook, case=None, day=DAY):
    return evaluate(rulebook, case or load_case(CASE), as_of=day)


@pytest.mark.durable
def test_every_finding_has_a_fingerprint_stable_across_dates_and_backends(rulebook):
    first = _report(rulebook)
    later = _report(rulebook, day=dt.date(2027, 2, 1))
    assert all(f.fingerprint.startswith("fp1-") for f in first.findings)
    assert len({f.fingerprint for f in first.findings}) == len(first.findings)
    same = {(f.rule_id, f.subject): f.fingerprint for f in first.findings}
    for f in later.findings:
        if (f.rule_id, f.subject) in same:  # as_of is not part of the identity
            assert f.fingerprint == same[(f.rule_id, f.subject)]
    rete = evaluate(rulebook, load_case(CASE), as_of=DAY, backend="durable")
    assert [f.fingerprint for f in rete.findings] == [f.fingerprint for f in first.findings]


def test_fingerprint_ignores_wording_but_follows_the_recorded_facts_read(rulebook):
    from iep_rules.engine._evaluate import fingerprint

    f = next(f for f in _report(rulebook).findings
             if f.rule_id == "idea.iep.transition-services")
    reworded = attrs.evolve(f, message="other words", title="another title")
    assert fingerprint("example-ny-0001", reworded, "iep") == f.fingerprint
    assert fingerprint("another-case", f, "iep") != f.fingerprint
    data = case_to_mapping(load_case(CASE))
    data["ieps"][1]["end"] = "2026-06-20"  # still past the transition age: still fires
    changed = next(g for g in _report(rulebook, case_from_mapping(data)).findings
                   if g.rule_id == f.rule_id and g.subject == f.subject)
    assert changed.fingerprint != f.fingerprint


def _review_file(tmp_path, fingerprint, rule="idea.iep.transition-services", subject="$.ieps[1]"):
    path = tmp_path / "reviews.yaml"
    path.write_text(f"""\
reviews:
  - case: example-ny-0001
    rule: {rule}
    subject: "{subject}"
    fingerprint: {fingerprint}
    decision: accepted
    reason: Transition planning meeting set for 2026-12-02
    reviewer: J. Rivera
    date: 2026-11-24
""", encoding="utf-8")
    return path


def test_reviewed_findings_are_shown_as_reviewed_never_hidden(rulebook, tmp_path):
    report = _report(rulebook)
    f = next(f for f in report.findings if f.rule_id == "idea.iep.transition-services")
    path = _review_file(tmp_path, f.fingerprint)
    args = ["check", CASE, "--as-of", "2026-11-23", "--reviews", str(path)]
    text = CliRunner().invoke(cli, args)
    assert text.exit_code == 1
    assert ("Reviewed: accepted by J. Rivera on 2026-11-24: Transition planning meeting set "
            "for 2026-12-02") in text.output
    assert "1 of them reviewed" in text.output
    data = json.loads(CliRunner().invoke(cli, [*args, "--format", "json"]).output)
    assert len(data["findings"]) == len(report.findings)  # nothing hidden
    reviewed = [x for x in data["findings"] if "review" in x]
    assert [x["rule_id"] for x in reviewed] == ["idea.iep.transition-services"]
    assert reviewed[0]["review"]["current"] is True


def test_a_review_of_changed_facts_is_no_longer_current(rulebook, tmp_path):
    path = _review_file(tmp_path, "fp1-" + "0" * 20)
    result = CliRunner().invoke(cli, ["check", CASE, "--as-of", "2026-11-23", "--reviews",
                                      str(path)])
    assert "the facts it read have changed since: review it again" in result.output
    assert "0 of them reviewed" in result.output


def test_bad_review_file_lists_every_problem_with_its_place(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("reviews:\n  - case: x\n    rule: y\n    subject: $\n"
                    "    fingerprint: 123\n    decision: maybe\n    reason: r\n"
                    "    reviewer: a\n    date: 2026-01-01\n    extra: 1\n", encoding="utf-8")
    with pytest.raises(ReviewFileError) as info:
        load_reviews(path)
    text = info.value.format_message()
    assert "bad.yaml: 3 problems in review file" in text
    assert f"{path}:5:18" in text and f"{path}:6:15" in text and "extra" in text
    result = CliRunner().invoke(cli, ["check", CASE, "--reviews", str(path)])
    assert result.exit_code == 2
    bad_date = tmp_path / "date.yaml"
    bad_date.write_text(_review_file(tmp_path, "fp1-" + "a" * 20).read_text()
                        .replace("2026-11-24", "2026-02-30"), encoding="utf-8")
    with pytest.raises(ReviewFileError, match="not a real date"):
        load_reviews(bad_date)


def test_baseline_reports_only_new_findings(tmp_path):
    runner = CliRunner()
    earlier = tmp_path / "earlier.json"
    first = runner.invoke(cli, ["check", CASE, "--as-of", "2026-11-23", "--format", "json"])
    data = json.loads(first.output)
    data["findings"] = data["findings"][1:]  # pretend the first finding is new since then
    earlier.write_text(json.dumps(data), encoding="utf-8")
    again = runner.invoke(cli, ["check", CASE, "--as-of", "2026-11-23", "--format", "json",
                                "--baseline", str(earlier)])
    out = json.loads(again.output)
    assert [f["fingerprint"] for f in out["findings"]] == [
        json.loads(first.output)["findings"][0]["fingerprint"]]
    assert f"{len(data['findings'])} findings already in it left out" in out["notes"][-1]
    text = runner.invoke(cli, ["check", CASE, "--as-of", "2026-11-23", "--baseline",
                               str(earlier)])
    assert f"{len(data['findings'])} findings already in it left out" in text.output


def test_baseline_without_fingerprints_is_refused(tmp_path):
    old = tmp_path / "old.json"
    old.write_text(json.dumps({"findings": [{"rule_id": "x"}]}), encoding="utf-8")
    result = CliRunner().invoke(cli, ["check", CASE, "--baseline", str(old)])
    assert result.exit_code == 2
    assert "finding without a fingerprint" in result.output


def test_audit_with_baseline_and_reviews(tmp_path):
    runner = CliRunner()
    args = ["audit", "examples/district-sample.jsonl", "--as-of", "2025-03-01", "--quiet"]
    first = runner.invoke(cli, [*args, "--format", "json"])
    earlier = tmp_path / "audit.json"
    earlier.write_text(first.output, encoding="utf-8")
    results = [r for r in json.loads(first.output)["results"] if r["type"] == "result"]
    some = next(r for r in results if r["findings"])
    f = some["findings"][0]
    reviews = tmp_path / "r.yaml"
    reviews.write_text(f"reviews:\n  - case: {some['case_id']}\n    rule: {f['rule_id']}\n"
                       f"    subject: \"{f['subject']}\"\n    fingerprint: {f['fingerprint']}\n"
                       "    decision: disputed\n    reason: Sessions were logged on paper\n"
                       "    reviewer: K. Osei\n    date: 2025-03-02\n", encoding="utf-8")
    again = runner.invoke(cli, [*args, "--format", "jsonl", "--baseline", str(earlier),
                                "--reviews", str(reviews)])
    rows = [json.loads(line) for line in again.output.splitlines()]
    summary = rows[-1]
    total = sum(len(r["findings"]) for r in results)
    assert summary["baseline"]["left_out"] == total
    assert all(not r.get("findings") for r in rows[:-1])
    with_reviews = runner.invoke(cli, [*args, "--format", "jsonl", "--reviews", str(reviews)])
    rows = [json.loads(line) for line in with_reviews.output.splitlines()]
    assert rows[-1]["reviewed"] == {"accepted": 0, "disputed": 1, "stale": 0}
    marked = [x for r in rows[:-1] for x in r.get("findings", []) if "review" in x]
    assert [x["review"]["reason"] for x in marked] == ["Sessions were logged on paper"]
