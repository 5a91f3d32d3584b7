"""The pytest plugin, as an advocate would use it: a folder of custom rules and plain pytest."""

from __future__ import annotations

import pytest

# Each test starts a nested pytest session that loads the rulebook again.
pytestmark = pytest.mark.slow

RULE = """\
jurisdiction: US-NY
rules:
  - id: advocate.speech-twice-weekly
    title: Speech therapy less than twice a week
    topic: services
    severity: warning
    scope: service
    when:
      all:
        - {fact: name, is: speech_language_therapy}
        - {fact: frequency.per, is: week}
        - {fact: frequency.times, less_than: 2}
    message: "{name} only {frequency.times} per week"
    cite: [{authority: "34 CFR 300.320(a)(7)", verified: true}]
    examples:
      - name: once a week
        case: {id: a, jurisdiction: US-NY, student: {id: s},
               ieps: [{id: i, services: [{id: x, name: speech_language_therapy, frequency: {times: 1, per: week}}]}]}
        expect: EXPECT
      - name: twice a week
        case: {id: b, jurisdiction: US-NY, student: {id: s},
               ieps: [{id: i, services: [{id: x, name: speech_language_therapy, frequency: {times: 2, per: week}}]}]}
        expect: silent
"""


def test_custom_rule_examples_run_as_pytest_items(pytester):
    pytester.makefile(".yaml", my_rules=RULE.replace("EXPECT", "fires"))
    result = pytester.runpytest("-v", "-p", "no:cacheprovider")
    result.assert_outcomes(passed=2)
    result.stdout.fnmatch_lines(["*advocate.speech-twice-weekly::once a week PASSED*"])


def test_a_failing_example_shows_rule_example_expected_and_got(pytester):
    pytester.makefile(".yaml", my_rules=RULE.replace("EXPECT", "silent"))
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines([
        "*rule:     advocate.speech-twice-weekly*",
        "*example:  once a week*",
        "*expected: silent*",
        "*got:      [[]'fires'[]]*",
        "*[[]warning[]] $.ieps[[]0[]].services[[]0[]]: speech language therapy only 1 per week*",
    ])


def test_a_broken_rule_file_is_one_failing_item_with_its_location(pytester):
    pytester.makefile(".yaml", broken="jurisdiction: US\nrules:\n  - id: Not An Id\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*broken.yaml:3:*"])


def test_other_yaml_files_are_left_alone(pytester):
    pytester.makefile(".yaml", config="name: not a rule file\n")
    result = pytester.runpytest("-p", "no:cacheprovider")
    assert result.ret == 5  # nothing collected: the plugin did not claim the file
