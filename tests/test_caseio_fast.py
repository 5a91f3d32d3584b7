"""The fast paths of case/_io.py give exactly what the located, checked paths give."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import CaseError, case_from_mapping
from iep_rules.case import _io
from iep_rules.case._io import _all_clean, check_values, located_problems, parse_json

_TEXT = st.text(alphabet=st.characters(codec=None, categories=None), max_size=4)
_SCALARS = st.one_of(
    st.none(), st.booleans(), _TEXT,
    st.integers(min_value=-(2**60), max_value=2**60),
    st.floats(allow_nan=True, allow_infinity=True))
_VALUES = st.recursive(_SCALARS, lambda inner: st.one_of(
    st.lists(inner, max_size=4), st.tuples(inner, inner),
    st.dictionaries(_TEXT, inner, max_size=4)), max_leaves=20)


@given(_VALUES)
@settings(max_examples=300)
def test_the_pathless_check_agrees_with_the_located_walk(value):
    assert _all_clean(value) == (located_problems(value) == [])
    assert check_values(value) == located_problems(value)


@pytest.mark.parametrize("text", [
    '{"a": "\\ud800"}', '{"\\udc00": 1}', '{"a": ["\\ud83d", "\\ude00"]}', '{"a": 1, "a": 2}',
    '{"a": [NaN]}', '{"a": -Infinity}', '{"a": 9007199254740992}',
    '{"a": 123456789012345678901234}', '{"a": {"b": [1, 2.5, null, true, "ok"]}}'])
def test_decoded_documents_get_the_same_problems_either_way(text):
    data = parse_json(text, "t.json")
    assert check_values(data) == located_problems(data)


_LOGS = [
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "minutes": 30},
    {"date": "2024-10-09", "service": "sv1", "status": "missed", "reason": "provider_absence"},
    {"date": "2024-10-10", "service": "sv1", "status": "makeup", "minutes": 30,
     "makeup_for": "2024-10-09", "group_size": 2},
    {"date": "2024-13-01", "service": "sv1", "status": "delivered"},
    {"date": "1899-12-31", "service": "sv1", "status": "delivered"},
    {"date": "20241008", "service": "sv1", "status": "delivered"},
    {"date": "2024-W41-2", "service": "sv1", "status": "delivered"},
    {"date": "2024-10-08", "service": "sv1", "status": "makeup", "makeup_for": "2024-W41-1"},
    {"date": "2024-10-08", "service": "sv1", "status": "late"},
    {"date": "2024-10-08", "service": "sv1", "status": "missed", "reason": "weather"},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "minutes": -5},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "minutes": True},
    {"date": "2024-10-08", "service": "", "status": "delivered"},
    {"date": "2024-10-08", "service": "  ", "status": "delivered"},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "minutes": 1441},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "minutes": 1440},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "minutes": 0},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "group_size": 0},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "group_size": 1},
    {"date": "2024-10-08", "service": "sv1", "status": "missed", "reason": None},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "minutes": 30.0},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "extra": 1},
    {"date": "2024-10-08", "status": "delivered"},
    {"date": 20241008, "service": "sv1", "status": "delivered"},
    {"date": "2024-10-08", "service": "sv1", "status": "delivered", "makeup_for": "x"},
]


def _outcome(log: dict[str, object]) -> object:
    text = json.dumps({"id": "c", "jurisdiction": "US", "student": {"id": "s"},
                       "sessions": [log]})
    try:
        return case_from_mapping(parse_json(text, "t.json"))
    except CaseError as exc:
        return [(p.location, p.message) for p in exc.problems]


@pytest.mark.parametrize("log", _LOGS, ids=range(len(_LOGS)))
def test_decoded_session_logs_structure_as_the_checked_path_does(log, monkeypatch):
    fast = _outcome(log)
    monkeypatch.setattr(_io, "_LOG_FIELDS", frozenset())  # every log takes the checked path
    assert fast == _outcome(log)


def test_the_fast_path_knows_the_session_log_record():
    """`_log_of` bypasses SessionLog's validators after checking the same things itself: it
    stays on only while the record has the fields and validators it was written for."""
    assert _io._PLAIN_LOG


@pytest.mark.parametrize("log", _LOGS[:3], ids=range(3))
def test_a_fast_log_is_the_record_its_constructor_gives(log):
    case = _outcome(log)
    assert not isinstance(case, list)
    built = case.sessions[0]
    again = type(built)(**{name: getattr(built, name) for name in _io._LOG_NAMES})
    assert built == again and hash(built) == hash(again) and repr(built) == repr(again)
