"""Ledger properties over generated session logs."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import case_from_mapping
from iep_rules.facts._ledger import MISS_REASONS, Policy, mandate_ledger

BASE = json.loads(Path("examples/ledger-speech.json").read_text(encoding="utf-8"))
AS_OF = dt.date(2024, 12, 20)
DAYS = st.dates(min_value=dt.date(2024, 10, 7), max_value=AS_OF)

entries = st.one_of(
    st.builds(lambda d, m: {"date": d.isoformat(), "service": "slt", "status": "delivered",
                            "minutes": m}, DAYS, st.integers(5, 40)),
    st.builds(lambda d, r: {"date": d.isoformat(), "service": "slt", "status": "missed",
                            "reason": r}, DAYS, st.sampled_from(MISS_REASONS)),
    st.builds(lambda d, f: {"date": d.isoformat(), "service": "slt", "status": "makeup",
                            "minutes": 30, "makeup_for": f.isoformat()}, DAYS, DAYS),
)
policies = st.fixed_dictionaries({
    "makeup_closure_on_fixed_day_owed": st.booleans(),
    "makeup_undocumented_owed": st.booleans(),
})
weekdays = st.sampled_from([["monday", "thursday"], []])


def _ledger(sessions, days, policy):
    doc = json.loads(json.dumps(BASE))
    doc["sessions"] = sessions
    doc["ieps"][0]["services"][0]["weekdays"] = days
    return mandate_ledger(case_from_mapping(doc), 0, 0, AS_OF, Policy.from_params(policy))


@settings(max_examples=150, deadline=None)
@given(st.lists(entries, max_size=25), weekdays, policies, DAYS, st.integers(5, 40))
def test_adding_a_delivered_session_never_increases_owed(log, days, policy, day, minutes):
    before = _ledger(log, days, policy)
    extra = {"date": day.isoformat(), "service": "slt", "status": "delivered", "minutes": 30}
    after = _ledger([*log, extra], days, policy)
    assert after.owed_sessions <= before.owed_sessions


@settings(max_examples=150, deadline=None)
@given(st.lists(entries, max_size=25), weekdays, policies, DAYS)
def test_adding_a_provider_absence_never_decreases_owed(log, days, policy, day):
    before = _ledger(log, days, policy)
    extra = {"date": day.isoformat(), "service": "slt", "status": "missed",
             "reason": "provider_absence"}
    after = _ledger([*log, extra], days, policy)
    assert after.owed_sessions >= before.owed_sessions


@settings(max_examples=200, deadline=None)
@given(st.lists(entries, max_size=30), weekdays, policies, st.randoms(use_true_random=False))
def test_totals_add_up_owed_is_bounded_and_order_does_not_matter(log, days, policy, rnd):
    ledger = _ledger(log, days, policy)
    assert ledger.expected == ledger.delivered + ledger.missed + ledger.undocumented
    assert 0 <= ledger.owed_sessions <= ledger.expected
    for line in ledger.periods:
        assert line.expected == line.delivered + line.missed + line.undocumented
    shuffled = list(log)
    rnd.shuffle(shuffled)
    assert _ledger(shuffled, days, policy) == ledger
