"""5,000 distinct cases through the durable-rules backend with a rulebook larger than one
durable-rules ruleset can hold (~100 rules), including cases that match no rule at all.
Exercises the session limit (~1024 live states), the unmatched-fact crash and ruleset splitting."""

from __future__ import annotations

import datetime as dt
import random

import pytest

from iep_rules import case_from_mapping, evaluate, load_rulebook
from iep_rules.engine._durable import RULES_PER_RULESET

pytestmark = [pytest.mark.slow, pytest.mark.durable]  # minutes on two cores: runs in .ci/run, not in the default loop

EXTRA_RULES = 130  # each library rule becomes two Rete rules: several rulesets per scope


def _rule_file(path):
    lines = ["jurisdiction: US", "rules:"]
    for i in range(EXTRA_RULES):
        lines += [
            f"  - id: volume.iep-ends-after-day-{i}",
            f"    title: IEP ends after offset {i}",
            "    topic: timelines",
            "    severity: notice",
            "    scope: iep",
            "    when:",
            "      all:",
            f"        - {{value: {{days_between: [{{fact: start}}, {{fact: end}}]}}, greater_than: {300 + i}}}",
            f"        - {{fact: id, is_not: skip-{i}}}",
            "    message: IEP {id} is long",
            "    cite: [{authority: \"34 CFR 300.324(b)(1)(i)\", verified: true}]",
        ]
    path.write_text("\n".join(lines) + "\n")


def _case(i: int, rng: random.Random) -> dict:
    doc = {"id": f"vol-{i}", "jurisdiction": rng.choice(["US", "US-NY"]),
           "student": {"id": f"s{i}"}}
    if i % 5 == 0:
        return doc  # matches no rule at all
    start = dt.date(2020, 1, 1) + dt.timedelta(days=rng.randrange(1500))
    end = start + dt.timedelta(days=rng.randrange(250, 450))
    doc["student"]["date_of_birth"] = (start - dt.timedelta(days=rng.randrange(5000, 6500))).isoformat()
    doc["ieps"] = [{"id": f"i{i}", "meeting_date": start.isoformat(), "start": start.isoformat(),
                    "end": end.isoformat()}]
    doc["eligibility"] = [{"date": start.isoformat(), "outcome": "eligible",
                           "determinant_factors": rng.sample(
                               ["disability", "limited_english_proficiency"], rng.randint(0, 2))}]
    return doc


def test_five_thousand_cases_through_durable(tmp_path):
    _rule_file(tmp_path / "volume.yaml")
    book = load_rulebook(tmp_path)
    assert len(book.resolve("US").rules) > RULES_PER_RULESET + 20
    rng = random.Random(20261123)
    as_of = dt.date(2025, 6, 1)
    fired = 0
    for i in range(5000):
        case = case_from_mapping(_case(i, rng))
        report = evaluate(book, case, as_of=as_of, backend="durable")
        fired += len(report.findings)
        if i % 250 == 0:  # spot-check agreement with the default backend along the way
            assert report.findings == evaluate(book, case, as_of=as_of).findings
    assert fired > 5000  # the volume rules really fired through every ruleset
    backend = book.programs["backend:durable:US"]
    assert len(backend.chunks) >= 3
