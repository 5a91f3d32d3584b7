"""A downstream test suite, as an advocacy group might write it: a custom rule of its own,
checked with iep-rules' public hypothesis strategies. It runs in this project's suite too.

The property: "our rule never fires on an IEP that has no services", over generated cases.
"""

from __future__ import annotations

import datetime as dt
import textwrap

from hypothesis import given, settings

from iep_rules import evaluate, load_rulebook
from iep_rules.strategies import cases

OUR_RULE = textwrap.dedent("""\
    jurisdiction: US
    rules:
      - id: advocacy.counseling-without-goal
        title: Counseling is mandated but no social-emotional goal is written
        topic: iep-contents
        severity: warning
        scope: iep
        when:
          all:
            - some: {of: services, where: {fact: name, is: counseling}}
            - none: {of: goals, where: {fact: area, in: [social skills, self-regulation]}}
        message: IEP {id} mandates counseling without a social-emotional goal.
        cite: [{authority: "34 CFR 300.320(a)(2)(i)", verified: true}]
        examples:
          - name: counseling, reading goal only
            case: {id: a, jurisdiction: US, student: {id: s}, ieps: [{id: i, goals: [{area: reading}],
                   services: [{id: c, name: counseling}]}]}
            expect: fires
          - name: counseling with a social goal
            case: {id: b, jurisdiction: US, student: {id: s}, ieps: [{id: i, goals: [{area: social skills}],
                   services: [{id: c, name: counseling}]}]}
            expect: silent
    """)


def _rulebook(tmp_path_factory):
    folder = tmp_path_factory.mktemp("our_rules")
    (folder / "ours.yaml").write_text(OUR_RULE, encoding="utf-8")
    return load_rulebook(folder)


def test_our_rule_is_silent_without_services(tmp_path_factory):
    book = _rulebook(tmp_path_factory)

    @settings(max_examples=50, deadline=None)
    @given(cases(jurisdiction="US"))
    def check(case):
        report = evaluate(book, case, as_of=dt.date(2025, 6, 1))
        for finding in report.findings:
            if finding.rule_id == "advocacy.counseling-without-goal":
                index = int(finding.subject.split("[")[1].rstrip("]"))
                assert case.ieps[index].services, finding

    check()
