"""The ledger's log order shortcut gives what the plain definition gives (facts/_ledger.py): a
log sorted by runs of same-day entries is the log sorted whole. (`facts()` against the
ledger's properties: tests/test_ledger_properties.py.)"""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from iep_rules.case._records import MissReason, SessionLog, SessionStatus
from iep_rules.facts._ledger import _in_order, _sort_key

logs = st.builds(
    SessionLog, st.dates(min_value=dt.date(2024, 10, 7), max_value=dt.date(2024, 10, 12)),
    st.just("slt"), st.sampled_from(list(SessionStatus)), st.sampled_from([None, 20, 30]),
    st.sampled_from([None, *MissReason]), st.sampled_from([None, dt.date(2024, 10, 1)]),
    st.sampled_from([None, 1, 3]))


@given(st.lists(logs, max_size=30), st.booleans())
def test_a_log_sorted_by_same_day_runs_is_the_log_sorted(entries, by_date):
    if by_date:  # in date order, ties in any order: the runs path
        entries = sorted(entries, key=lambda log: log.date)
    ordered, dates = _in_order(list(entries))
    assert ordered == sorted(entries, key=_sort_key)
    assert dates == [log.date for log in ordered]
