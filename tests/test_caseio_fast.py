"""The fast paths of case/_io.py give exactly what the located, checked paths give."""

from __future__ import annotations

import json
import types
from unittest import mock

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import Case, CaseError, case_from_mapping
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


# ---- the whole document: `case_from_mapping`'s fast path against its checked path alone ----

# JSON texts per log field: (valid, invalid); each invalid one is something a validator,
# cattrs or `check_values` must report
_LOG_TEXTS = {
    "date": (['"2024-10-08"', '"2024-10-09"', '"9999-12-31"'],
             ['"2024-13-01"', '"1899-12-31"', '"20241008"', "20241008", "null",
              '"2024-10-0\\ud800"', '"2024-W41-2"']),
    "service": (['"sv1"', '"sv:2"', '"sv\\u00e9"', '" a "'],
                ['""', '"  "', '"sv\\ud800"', "5", "null"]),
    "status": (['"delivered"', '"missed"', '"makeup"'], ['"late"', "null", "1"]),
    "minutes": (["30", "null", "0", "1440"],
                ["1441", "-1", "true", "30.0", "9007199254740992", "123456789012345678901234",
                 "NaN", "1e999"]),
    "reason": (['"provider_absence"', "null", '"other"'], ['"weather"', "3", '"\\udc00"']),
    "makeup_for": (['"2024-10-07"', "null", '"2024-10-08"'], ['"x"', '"2024-W41-1"', "1"]),
    "group_size": (["2", "null", "1", "9007199254740991"],
                   ["9007199254740992", "0", "-Infinity", "false"]),
    "extra": ([], ["1", '"\\udc00"', "[]"]),
}
_OPTIONAL = ("minutes", "reason", "makeup_for", "group_size")


def _object_text(pairs: list[tuple[str, str]]) -> str:
    return "{" + ", ".join(f'"{key}": {value}' for key, value in pairs) + "}"


@st.composite
def _log_text(draw: st.DrawFn) -> str:
    """A valid log most of the time; else one with missing, repeated or invalid members."""
    optional = draw(st.lists(st.sampled_from(_OPTIONAL), unique=True))
    pairs = [(key, draw(st.sampled_from(_LOG_TEXTS[key][0])))
             for key in ("date", "service", "status", *optional)]
    if draw(st.integers(0, 3)) == 0:
        for _ in range(draw(st.integers(1, 2))):
            key = draw(st.sampled_from(list(_LOG_TEXTS)))
            value = draw(st.sampled_from([*_LOG_TEXTS[key][0], *_LOG_TEXTS[key][1]]))
            how = draw(st.sampled_from(["replace", "repeat", "drop"]))
            if how == "repeat":
                pairs.append((key, value))
            else:
                pairs = [pair for pair in pairs if pair[0] != key]
                if how == "replace":
                    pairs.append((key, value))
        pairs = draw(st.permutations(pairs))
    return _object_text(pairs)


_GOOD_REST = ['"student": {"id": "s"}',
              '"student": {"id": "s"}, "exits": [{"date": "2024-01-01", "reason": "moved_out"}]']
_REST = st.sampled_from(_GOOD_REST * 4 + [
    '"student": {"id": "s\\ud800"}', '"student": {"id": ""}',
    '"student": {"id": "s", "id": "t"}', '"student": {"id": "s"}, "referral": {"date": NaN}',
    '"student": {"id": "s"}, "ieps": [{"id": "i", "start": "2024-09-01", "end": "2024-08-01"}]',
    '"student": {"id": "s"}, "ieps": [{"id": "i", "services": [{"id": "a", "name": "n", '
    '"frequency": {"times": 1, "per": "week"}, "duration_minutes": 12345678901234567890123}]}]',
    '"student": 3', '"student": {"id": "s"}, "bogus": 1'])


@st.composite
def _document_text(draw: st.DrawFn) -> str:
    logs = draw(st.lists(_log_text(), max_size=6))
    sessions = draw(st.sampled_from(["[" + ", ".join(logs) + "]"] * 6 + ["null", "{}", '"x"']))
    jurisdiction = draw(st.sampled_from(['"US-NY"'] * 4 + ['"US"', '"XX"', "null"]))
    return (f'{{"id": "c", "jurisdiction": {jurisdiction}, {draw(_REST)}, '
            f'"sessions": {sessions}}}')


def _case_outcome(data: object) -> object:
    try:
        return _described(case_from_mapping(data, source="t.json"))
    except CaseError as exc:
        return "error", [(p.location, p.message) for p in exc.problems]


def _described(case: Case) -> object:
    """Equal records, and equal in type and representation field by field (an enum, not
    text); a case that holds no logs is not what the tests that count them expect."""
    return "case", case, repr(case), [
        [type(getattr(log, name)) for name in _io._LOG_NAMES] for log in case.sessions or ()]


def _checked_case_outcome(data: object) -> object:
    """The checked path alone: `check_values`, then cattrs' generated structurer for every log."""
    with mock.patch.object(_io, "_plain_case", lambda _data: None), \
            mock.patch.object(_io, "_LOG_FIELDS", frozenset()):
        return _case_outcome(data)


def _agree(text: str) -> None:
    data = parse_json(text, "t.json")
    assert _case_outcome(data) == _checked_case_outcome(data)


_GOOD_LOG = [("date", '"2024-10-08"'), ("service", '"sv1"'), ("status", '"delivered"'),
             ("minutes", "30")]
_ONE_CHANGE = [(key, value, how) for key, (good, bad) in _LOG_TEXTS.items()
               for value in (*good, *bad) for how in ("replace", "repeat")]


@pytest.mark.parametrize(("key", "value", "how"), _ONE_CHANGE,
                         ids=[f"{k}={v}-{h}" for k, v, h in _ONE_CHANGE])
def test_each_log_value_reads_as_the_checked_path_reads_it(key, value, how):
    """Every value of the generator, alone in an otherwise valid log, set or given twice."""
    pairs = [pair for pair in _GOOD_LOG if how == "repeat" or pair[0] != key] + [(key, value)]
    _agree('{"id": "c", "jurisdiction": "US", "student": {"id": "s"}, "sessions": ['
           f"{_object_text(_GOOD_LOG)}, {_object_text(pairs)}]}}")


@given(_document_text())
@settings(max_examples=40, deadline=None)
def test_documents_read_as_the_checked_path_reads_them(text):
    _agree(text)


@pytest.mark.slow
@given(_document_text())
@settings(max_examples=3000, deadline=None)
def test_documents_read_as_the_checked_path_reads_them_at_length(text):
    _agree(text)


@given(st.lists(_log_text(), min_size=1, max_size=4))
@settings(max_examples=30, deadline=None)
def test_logs_given_as_a_tuple_or_in_a_mapping_read_as_the_checked_path_reads_them(logs):
    """A mapping built in Python (a tuple of logs, a non-dict mapping) takes the checked path."""
    data = parse_json('{"id": "c", "jurisdiction": "US", "student": {"id": "s"}, "sessions": ['
                      + ", ".join(logs) + "]}", "t.json")
    assert isinstance(data, dict)
    for variant in ({**data, "sessions": tuple(data["sessions"])},
                    types.MappingProxyType(data)):
        assert _case_outcome(variant) == _checked_case_outcome(variant)


def test_the_fast_path_knows_the_case_record():
    """`_plain_case` stores the logs without Case's __init__: it stays on only while the
    record converts and validates sessions as it was written for."""
    assert _io._PLAIN_CASE


# ---- JSON text to case in one step: `case_from_json` against parse_json + case_from_mapping ----

def _text_outcome(raw: str | bytes) -> object:
    try:
        return _described(_io.case_from_json(raw, "t.json"))
    except CaseError as exc:
        return "error", exc.source, [(p.location, p.message) for p in exc.problems]


def _checked_text_outcome(raw: str | bytes) -> object:
    try:
        data = parse_json(raw, "t.json")
    except CaseError as exc:
        return "error", exc.source, [(p.location, p.message) for p in exc.problems]
    try:
        return _described(case_from_mapping(data, source="t.json"))
    except CaseError as exc:
        return "error", exc.source, [(p.location, p.message) for p in exc.problems]


_HEAD = '{"id": "c", "jurisdiction": "US", '
_TRICKY_TEXTS = [
    # a repeated key; and one whose lost member an escaped colon would make up for
    _HEAD + '"student": {"id": "s", "id": "t"}}',
    _HEAD + '"student": {"id": "s", "id": "t", "school": "\\u003a"}}',
    _HEAD + '"student": {"id": "s", "id": "t", "school": "\\u003A"}}',
    _HEAD + '"student": {"id": "s", "school": "a:b"}, "student": {"id": "s:"}}',
    _HEAD + '"student": {"id": "s"}, "sessions": [{"date": "2024-10-08", "service": "a:b", '
    '"status": "delivered", "status": "missed"}]}',
    _HEAD + '"student": {"id": "s"}, "sessions": [{"date": "2024-10-08", "service": "a:b", '
    '"status": "delivered", "service": "c"}]}',
    _HEAD + '"student": {"id": "s:\\u003a"}}',
    _HEAD + '"student": {"id": "s", "school": "a:b\\":\\\\"}}',
    _HEAD + '"student" : {"id" :"s"} , "sessions" :[ ]}',
    # values the defaults would hide
    _HEAD + '"student": {"id": "s"}, "exits": [{"date": "2024-01-01", "reason": NaN}]}',
    _HEAD + '"student": {"id": "s"}, "sessions": [{"date": "2024-10-08", "service": "a", '
    '"status": "delivered", "minutes": 1e999}]}',
    _HEAD + '"student": {"id": "s"}, "sessions": [{"date": "2024-10-08", "service": "a", '
    '"status": "delivered", "group_size": 123456789012345678901}]}',
    _HEAD + '"student": {"id": "s", "school": ' + "7" * 5000 + "}}",
    _HEAD + '"student": {"id": "s", "school": -Infinity}}',
    # not a case, or not JSON
    "[1, 2]", "", "{", '{"a": 1} x', "\ufeff{}", "[" * 100_000, '{"a": "\\ud800"}',
]


@pytest.mark.parametrize("text", _TRICKY_TEXTS, ids=range(len(_TRICKY_TEXTS)))
def test_a_text_reads_in_one_step_as_it_does_in_two(text):
    assert _text_outcome(text) == _checked_text_outcome(text)
    raw = text.encode("utf-8", "surrogatepass")
    assert _text_outcome(raw) == _checked_text_outcome(raw)


@pytest.mark.parametrize("raw", [b'{"id": "\xff"}', b"\xef\xbb\xbf{}", b'{"id": "\xed\xa0\x80"}'])
def test_bad_bytes_read_in_one_step_as_they_do_in_two(raw):
    assert _text_outcome(raw) == _checked_text_outcome(raw)


_MUTATIONS = st.sampled_from([
    ("", ""), ('"id": "c"', '"id": "c:1"'), ('"id": "c"', '"id": "c", "id": "d"'),
    ('"id": "c"', '"id": "c\\u003a"'), ('"jurisdiction"', '"jurisdiction" '),
    ('"student": {', '"student": {"school": "x:y", '), ('"sessions"', '"x:y": 1, "sessions"'),
    ('"date": "2024-10-08"', '"date": "2024-10-08", "date": "2024-10-09"'),
    ('"status": "delivered"', '"status": "delivered", "service": "b:c"'),
    ('"minutes": 30', '"minutes": 3e1'), ('"minutes": 30', '"minutes": 30000000000000000000000'),
    ("}", "}}"), ("[", "[NaN, "),
])


def _mutated_agree(text: str, mutations: list[tuple[str, str]]) -> None:
    for old, new in mutations:
        text = text.replace(old, new, 1)
    assert _text_outcome(text) == _checked_text_outcome(text)


@given(_document_text(), st.lists(_MUTATIONS, max_size=2))
@settings(max_examples=40, deadline=None)
def test_texts_read_in_one_step_as_they_do_in_two(text, mutations):
    _mutated_agree(text, mutations)


@pytest.mark.slow
@given(_document_text(), st.lists(_MUTATIONS, max_size=3))
@settings(max_examples=3000, deadline=None)
def test_texts_read_in_one_step_as_they_do_in_two_at_length(text, mutations):
    _mutated_agree(text, mutations)


def test_a_clean_text_takes_the_one_step_path():
    """The one-step path is live: a clean case never reaches parse_json."""
    log = _object_text([*_GOOD_LOG[:1], ("service", '"sv:1"'), *_GOOD_LOG[2:]])
    text = _HEAD + '"student": {"id": "s:1"}, "sessions": [' + log + ", " + log + "]}"
    with mock.patch.object(_io, "parse_json", side_effect=AssertionError("checked path")):
        case = _io.case_from_json(text, "t.json")
    assert case == case_from_mapping(parse_json(text, "t.json"))


# ---- parse_json lets the decoder convert integers unless one may be too long ----

def _canonical(value: object) -> object:
    """Decoded data with its markers made comparable: refused values by message, objects with
    their repeated keys."""
    if isinstance(value, _io._Refused):
        return "refused", value.message
    if isinstance(value, dict):
        return (type(value).__name__, getattr(value, "duplicates", None),
                [(key, _canonical(inner)) for key, inner in value.items()])
    if isinstance(value, list):
        return [_canonical(inner) for inner in value]
    return type(value).__name__, repr(value)


def _hooked(text: str) -> object:
    """parse_json's decode with every hook, as it always was."""
    return json.loads(text, object_pairs_hook=_io._object, parse_int=_io._int,
                      parse_float=_io._float, parse_constant=_io._constant)


_NUMBER = st.one_of(
    st.integers(1, 30).flatmap(lambda n: st.text("0123456789", min_size=n, max_size=n)).map(
        lambda digits: digits.lstrip("0") or "0"),
    st.sampled_from(["-1", "-12345678901234567890", "-123456789012345678901", "1.5", "1e999",
                     "NaN", "-Infinity", "0"]))
_JSONISH = st.recursive(
    st.one_of(_NUMBER, st.sampled_from(['"12345678901234567890123"', '"a"', "null", "true"])),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda items: "[" + ", ".join(items) + "]"),
        st.lists(st.tuples(st.sampled_from(["a", "b", "c"]), inner), max_size=3).map(
            lambda pairs: "{" + ", ".join(f'"{k}": {v}' for k, v in pairs) + "}")),
    max_leaves=8)


def _decodes_as_hooked(text: str) -> None:
    expected = _canonical(_hooked(text))
    assert _canonical(parse_json(text, "t.json")) == expected
    assert _canonical(parse_json(text.encode(), "t.json")) == expected


@given(_JSONISH)
@settings(max_examples=60, deadline=None)
def test_parse_json_decodes_as_with_every_hook(text):
    _decodes_as_hooked(text)


@pytest.mark.slow
@given(_JSONISH)
@settings(max_examples=2000, deadline=None)
def test_parse_json_decodes_as_with_every_hook_at_length(text):
    _decodes_as_hooked(text)
