"""Malformed rule files: every problem at once, each with file:line:col, nothing executed."""

from __future__ import annotations

import textwrap

import pytest

from iep_rules import RuleFileError, load_rulebook
from iep_rules.lang._rulefile import parse_layer

RULE = """\
jurisdiction: US
rules:
  - id: custom.demo
    title: Demo
    topic: timelines
    severity: warning
    scope: iep
    when: {WHEN}
    message: "IEP {id} flagged"
    cite: [{authority: "34 CFR 300.324(b)(1)(i)", verified: true}]
"""


def _problems(text: str) -> list[str]:
    layer, problems = parse_layer(textwrap.dedent(text), "custom.yaml")
    assert layer is None
    return [str(p) for p in problems]


def test_unknown_fact_is_located():
    problems = _problems(RULE.replace("{WHEN}", "{fact: strat, is: x}"))
    assert problems == ["custom.yaml:8:18: unknown fact 'strat' for this scope; did you mean 'start'?"]


def test_ordering_a_date_against_text_is_refused():
    problems = _problems(RULE.replace("{WHEN}", "{fact: start, before: '2024-01-01'}"))
    assert len(problems) == 1 and "compares dates with dates" in problems[0]


def test_python_tags_are_refused_without_constructing_anything():
    text = RULE.replace("{WHEN}", "!!python/object/apply:os.system ['touch /tmp/pwned']")
    problems = _problems(text)
    assert any("python/object/apply" in p and p.startswith("custom.yaml:8:") for p in problems)


def test_alias_bomb_is_bounded():
    bomb = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
    for i, name in enumerate("bcdefgh"):
        prev = "abcdefgh"[i]
        bomb += f"{name}: &{name} [*{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}, *{prev}]\n"
    problems = _problems(bomb)
    assert "alias bomb" in problems[0]


def test_duplicate_keys_and_schema_errors_all_reported():
    text = RULE.replace("{WHEN}", "{fact: start, exists: x}").replace(
        "severity: warning", "severity: warning\n    severity: notice\n    colour: red")
    problems = _problems(text)
    assert any("duplicate key 'severity'" in p for p in problems)
    text = RULE.replace("{WHEN}", "{exists: start}").replace("severity: warning", "severity: awful")
    problems = _problems(text)
    assert problems[0].startswith("custom.yaml:6:15:") and "awful" in problems[0]


def test_bad_placeholder_is_refused():
    problems = _problems(RULE.replace("{WHEN}", "{exists: start}").replace(
        "IEP {id} flagged", "IEP {id.__class__} flagged"))
    assert any("placeholder" in p for p in problems)


def test_non_utf8_rule_file():
    layer, problems = parse_layer(b"jurisdiction: US\n\xff\xfe", "x.yaml")
    assert layer is None and "UTF-8" in problems[0].message


def test_overlay_must_say_it_overrides(tmp_path):
    clash = tmp_path / "clash.yaml"
    clash.write_text(RULE.replace("{WHEN}", "{exists: start}").replace(
        "custom.demo", "idea.iep.transition-services").replace("jurisdiction: US", "jurisdiction: US-NY"))
    with pytest.raises(RuleFileError, match="set overrides: true"):
        load_rulebook(clash)


def test_overlay_overrides_and_disables(tmp_path):
    over = tmp_path / "over.yaml"
    over.write_text(RULE.replace("{WHEN}", "{exists: start}").replace(
        "custom.demo", "idea.iep.transition-services").replace(
        "jurisdiction: US", "jurisdiction: US-NY-NYC").replace(
        "    title: Demo", "    overrides: true\n    title: Demo") + textwrap.dedent("""\
        disable:
          - {id: idea.timeline.reevaluation-too-frequent, reason: district tracks this elsewhere}
        """))
    book = load_rulebook(over)
    nyc = book.resolve("US-NY-NYC")
    assert book.rule("idea.iep.transition-services", "US-NY-NYC").title == "Demo"
    assert book.rule("idea.iep.transition-services", "US-NY").title != "Demo"
    assert "idea.timeline.reevaluation-too-frequent" in nyc.disabled
    assert all(r.id != "idea.timeline.reevaluation-too-frequent" for r in nyc.rules)


def test_errors_across_files_are_collected(tmp_path):
    (tmp_path / "a.yaml").write_text("jurisdiction: US\nrules: 3\n")
    (tmp_path / "b.yaml").write_text("jurisdiction: [\n")
    with pytest.raises(RuleFileError) as info:
        load_rulebook(tmp_path)
    files = {p.location.split(":")[0] for p in info.value.problems}
    assert files == {str(tmp_path / "a.yaml"), str(tmp_path / "b.yaml")}
