"""Standalone test files: a district tests bundled or own rules against its own cases, filtered
by rule id, with a coverage figure; the pytest plugin collects the same files."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from click.testing import CliRunner

from iep_rules.cli import cli

TESTS = """\
tests:
  - rule: idea.iep.transition-services
    name: grade 9, IEP runs past the 15th birthday, no plan
    case_file: cases/grade9.json
    as_of: 2026-11-23
    expect: EXPECT
    subjects: ["$.ieps[1]"]
  - rule: idea.iep.transition-services
    name: same child under the federal age of 16 (IEP ends before the 16th birthday)
    case_file: cases/grade9.json
    jurisdiction: US
    as_of: 2026-11-23
    expect: silent
  - rule: idea.iep.assessment-participation
    name: inline case without assessment participation
    as_of: 2025-01-01
    expect: fires
    case:
      id: inline-1
      jurisdiction: US
      student: {id: s1, date_of_birth: 2014-05-01}
      ieps: [{id: i1, start: 2024-09-01, end: 2025-06-30}]
"""


def _setup(tmp_path, expect="fires"):
    (tmp_path / "cases").mkdir()
    shutil.copy("examples/ny-grade9.json", tmp_path / "cases" / "grade9.json")
    path = tmp_path / "district.yaml"
    path.write_text(TESTS.replace("EXPECT", expect), encoding="utf-8")
    return path


def test_a_district_tests_bundled_rules_against_its_own_cases(tmp_path):
    path = _setup(tmp_path)
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 0, result.output
    assert "3 passed, 0 failed" in result.output
    assert "PASS idea.iep.transition-services: same child under the federal age of 16" in (
        result.output)
    assert "Coverage: " in result.output and "conditions in 2 rule(s)" in result.output


def test_filter_by_rule_id(tmp_path):
    path = _setup(tmp_path)
    result = CliRunner().invoke(cli, ["test", str(path), "--rule", "idea.iep.assessment-*"])
    assert "1 passed, 0 failed" in result.output
    assert "transition" not in result.output.split("Coverage")[0]


def test_a_failing_standalone_test_prints_the_trace(tmp_path):
    path = _setup(tmp_path, expect="silent")
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    assert "FAIL idea.iep.transition-services: grade 9" in result.output
    assert f"example:  grade 9, IEP runs past the 15th birthday, no plan ({path}:2:5)" in (
        result.output)
    assert "$.ieps[1]: FIRES" in result.output
    assert ("read in_effect_until (derived: the last day this IEP was in effect) = 2026-06-25"
            in result.output)


def test_coverage_names_conditions_not_seen_both_ways(tmp_path):
    path = _setup(tmp_path)
    result = CliRunner().invoke(cli, ["test", str(path), "--coverage"])
    assert "idea.iep.transition-services: " in result.output
    assert "not both ways: " in result.output


def test_bad_test_file_is_reported_with_locations(tmp_path):
    path = tmp_path / "bad.yaml"
    path.write_text("tests:\n  - rule: x\n    name: n\n    expect: maybe\n    case: {}\n"
                    "  - rule: x\n    name: n\n    expect: fires\n"
                    "    case_file: nowhere.json\n    as_of: 2025-13-01\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 2
    assert f"{path}:4:13: 'maybe' is not one of" in result.output
    assert f"{path}:10:12: not a real date" in result.output


def test_unknown_rule_in_a_test_file_fails_with_its_place(tmp_path):
    path = tmp_path / "t.yaml"
    case = json.loads(Path("examples/ny-grade9.json").read_text())
    path.write_text("tests:\n  - rule: no.such.rule\n    name: n\n    expect: fires\n"
                    f"    case: {json.dumps(case)}\n", encoding="utf-8")
    result = CliRunner().invoke(cli, ["test", str(path)])
    assert result.exit_code == 1
    assert f"no rule 'no.such.rule' in force for US-NY ({path}:2:5)" in result.output


def test_pytest_collects_standalone_test_files(pytester):
    (pytester.path / "cases").mkdir()
    shutil.copy(Path(__file__).parent.parent / "examples/ny-grade9.json",
                pytester.path / "cases" / "grade9.json")
    pytester.makefile(".yaml", district=TESTS.replace("EXPECT", "fires"))
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=3)
    result.stdout.fnmatch_lines(["*idea.iep.transition-services::same child*PASSED*"])
