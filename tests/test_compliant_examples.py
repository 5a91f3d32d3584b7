"""Fully compliant cases must produce no violation, warning or needs-data: a false positive on
a compliant case is a bug."""

from __future__ import annotations

import datetime as dt

import pytest

from iep_rules import evaluate, load_case


@pytest.mark.parametrize("backend", ["python", pytest.param("durable", marks=pytest.mark.durable)])
@pytest.mark.parametrize("path", ["examples/compliant-ny.json", "examples/compliant-us.json"])
@pytest.mark.parametrize("as_of", [dt.date(2024, 1, 15), dt.date(2025, 3, 1), dt.date(2025, 10, 1)])
def test_compliant_case_has_no_findings(rulebook, path, as_of, backend):
    report = evaluate(rulebook, load_case(path), as_of=as_of, backend=backend)
    assert [(f.rule_id, f.subject, f.message) for f in report.findings] == []


def test_the_same_case_a_year_later_is_overdue(rulebook):
    report = evaluate(rulebook, load_case("examples/compliant-ny.json"), as_of=dt.date(2025, 12, 1))
    assert {f.rule_id for f in report.findings} == {"idea.timeline.annual-review-overdue",
                                                    "idea.placement.annual"}


HISTORY = "examples/compliant-history.json"
# Across the history: after the first annual review, during the amendment, after the
# reevaluation, between the written revocation and the return, and after the return.
HISTORY_DATES = [dt.date(2020, 12, 15), dt.date(2021, 6, 1), dt.date(2023, 3, 1),
                 dt.date(2024, 6, 1), dt.date(2026, 1, 15)]


@pytest.mark.parametrize("backend", ["python", "durable"])
@pytest.mark.parametrize("as_of", HISTORY_DATES)
def test_a_long_compliant_history_has_no_findings(rulebook, as_of, backend):
    report = evaluate(rulebook, load_case(HISTORY), as_of=as_of, backend=backend)
    assert [(f.rule_id, f.subject, f.message) for f in report.findings] == []
    assert report.ledger and all(lg.owed_sessions == 0 for lg in report.ledger)


@pytest.mark.parametrize("as_of", [dt.date(2019, 10, 1), dt.date(2024, 11, 5)])
def test_the_history_between_its_landmarks(rulebook, as_of):
    """Referred but not yet found eligible (nothing is due); back after the revocation, found
    eligible again, before the new IEP (the old placement's clock does not carry over)."""
    report = evaluate(rulebook, load_case(HISTORY), as_of=as_of)
    assert [(f.rule_id, f.subject, f.message) for f in report.findings] == []


@pytest.mark.slow
def test_the_history_is_compliant_on_every_week_of_it(rulebook):
    case = load_case(HISTORY)
    day, found = dt.date(2019, 9, 2), []
    while day <= dt.date(2026, 9, 30):
        found += [(day, f.rule_id, f.subject) for f in evaluate(rulebook, case, as_of=day).findings]
        day += dt.timedelta(days=7)
    assert found == []


def _history_without(**changes):
    import json
    from pathlib import Path

    from iep_rules import case_from_mapping

    doc = json.loads(Path(HISTORY).read_text(encoding="utf-8"))
    for key, keep in changes.items():
        doc[key] = [entry for entry in doc[key] if keep(entry)]
    return case_from_mapping(doc)


def test_the_history_is_not_compliant_by_accident(rulebook):
    """Each removal below breaks the history; the rules must notice it."""
    no_2023_review = _history_without(
        meetings=lambda m: m["date"] != "2023-10-24",
        ieps=lambda i: i["id"] != "iep-2023")
    found = {f.rule_id for f in evaluate(rulebook, no_2023_review, as_of=dt.date(2024, 1, 15)).findings}
    assert "idea.timeline.annual-review-overdue" in found
    no_new_consent = _history_without(
        consents=lambda c: not (c["kind"] == "initial_services" and c["date"] == "2024-11-15"))
    found = {f.rule_id for f in evaluate(rulebook, no_new_consent, as_of=dt.date(2026, 1, 15)).findings}
    assert "idea.consent.services-after-revocation" in found
    no_reevaluation = _history_without(evaluations=lambda e: e["completed"] != "2022-10-14")
    found = {f.rule_id for f in evaluate(rulebook, no_reevaluation, as_of=dt.date(2023, 3, 1)).findings}
    assert "idea.timeline.reevaluation-overdue" in found
