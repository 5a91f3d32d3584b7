"""Every bad value in a case is a located, length-capped error (never a traceback later on),
and values at the edges of what is allowed evaluate on both backends."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from iep_rules import CaseError, case_from_mapping, evaluate, load_case
from iep_rules.case._io import parse_json

BASE = {"id": "c1", "jurisdiction": "US", "student": {"id": "s1", "date_of_birth": "2012-01-01"}}
SERVICE = {"id": "x", "name": "speech", "frequency": {"times": 1, "per": "week"},
           "duration_minutes": 30}


def problems(doc_or_text) -> list[str]:
    data = parse_json(doc_or_text, "t.json") if isinstance(doc_or_text, str) else doc_or_text
    with pytest.raises(CaseError) as info:
        case_from_mapping(data)
    return [str(p) for p in info.value.problems]


def with_service(**fields):
    return {**BASE, "ieps": [{"id": "i1", "services": [{**SERVICE, **fields}]}]}


def test_weekdays_are_accepted_in_any_case_and_unknown_ones_list_the_allowed():
    case = case_from_mapping(with_service(weekdays=["Monday", "THURSDAY"]))
    assert case.ieps[0].services[0].weekdays == ("monday", "thursday")
    assert problems(with_service(weekdays=["Mon"])) == [
        "$.ieps[0].services[0].weekdays: unknown weekday 'mon'; expected one of monday, "
        "tuesday, wednesday, thursday, friday, saturday, sunday"]


@pytest.mark.parametrize("day", ["1899-12-31", "0001-01-01", "10000-01-01", "+9999-01-01"])
def test_years_outside_1900_to_9999_are_located_errors(day):
    [problem] = problems({**BASE, "student": {"id": "s", "date_of_birth": day}})
    assert problem.startswith("$.student.date_of_birth: ")


@pytest.mark.durable
def test_dates_at_the_end_of_the_calendar_evaluate_on_both_backends(rulebook):
    doc = {**BASE, "student": {"id": "s", "date_of_birth": "9990-01-01"},
           "ieps": [{"id": "i1", "meeting_date": "9999-06-01", "end": "9999-12-31"}]}
    case = case_from_mapping(doc)
    found = [sorted((f.rule_id, f.severity, f.subject) for f in
                    evaluate(rulebook, case, as_of=dt.date(2025, 1, 1), backend=backend).findings)
             for backend in ("python", "durable")]
    assert found[0] == found[1]


def test_integers_past_the_digit_limit_are_refused_by_path_before_conversion():
    text = json.dumps(with_service()).replace('"duration_minutes": 30',
                                              '"duration_minutes": ' + "9" * 5000)
    [problem] = problems(text)
    assert problem.startswith("$.ieps[0].services[0].duration_minutes: integer of 5000 digits")
    assert len(problem) < 200


@pytest.mark.parametrize("value", [2**53, -(2**63), 10**19])
def test_integers_beyond_2_53_are_refused(value):
    assert problems(with_service(duration_minutes=value))[0].startswith(
        "$.ieps[0].services[0].duration_minutes: integer out of range")


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity", "1e999"])
def test_nan_and_infinities_are_refused(literal):
    text = json.dumps(with_service()).replace('"duration_minutes": 30',
                                              f'"duration_minutes": {literal}')
    assert problems(text)[0].startswith("$.ieps[0].services[0].duration_minutes: ")


def test_lone_surrogates_are_refused_by_path():
    text = json.dumps({**BASE, "student": {"id": "s", "school": "a\ud800b"}})
    assert problems(text) == ["$.student.school: text holds a lone surrogate (not valid Unicode)"]


def test_duplicate_keys_are_refused_naming_both_members():
    text = ('{"id": "c", "jurisdiction": "US", "student": {"id": "s", "school": "A", '
            '"school": "B"}, "id": "d"}')
    assert problems(text) == ["$.id: duplicate key 'id': members 1 and 4 of $",
                              "$.student.school: duplicate key 'school': members 2 and 3 of "
                              "$.student"]


def test_bad_jurisdiction_is_a_located_message_not_a_repr():
    assert problems({**BASE, "jurisdiction": "XX"}) == [
        "$.jurisdiction: expected a code such as US, US-NY or US-NY-NYC (US, then a state's "
        "two-letter postal code, then a district); got 'XX'"]


def test_messages_quote_only_a_short_prefix_of_a_bad_value():
    doc = {**BASE, "eligibility": [{"date": "2024-01-01", "outcome": "x" * 100_000}]}
    [problem] = problems(doc)
    assert problem.startswith("$.eligibility[0].outcome: expected one of eligible, not_eligible")
    assert len(problem) < 400


def test_terminal_escapes_in_a_bad_value_are_not_echoed_raw():
    [problem] = problems({**BASE, "jurisdiction": "\x1b[2J\x1b[31mUS"})
    assert "\x1b" not in problem and "\\x1b" in problem


def test_a_device_or_oversized_file_is_refused_without_reading(tmp_path, monkeypatch):
    with pytest.raises(CaseError, match="not a regular file"):
        load_case("/dev/zero")  # would never end if it were read
    import iep_rules.case._io as io

    monkeypatch.setattr(io, "MAX_CASE_BYTES", 10)
    big = tmp_path / "big.json"
    big.write_text(json.dumps(BASE), encoding="utf-8")
    with pytest.raises(CaseError, match="larger than 10 bytes"):
        load_case(big)


def test_wrong_shapes_get_plain_messages():
    msgs = problems({**BASE, "student": "s", "ieps": [1]})
    assert msgs == ["$.student: wrong kind of value: expected an object",
                    "$.ieps[0]: wrong kind of value: expected a list or object"]


def test_shared_reproducers_of_bad_values_are_located_errors():
    repro = Path(__file__).parent / "repro"
    for name, where in [("case-5000-digit-int.json", "$.ieps[0].services[0].duration_minutes"),
                        ("case-duplicate-keys.json", "$.student.date_of_birth"),
                        ("case-lone-surrogate.json", "$.ieps[1].id"),
                        ("case-bad-jurisdiction-message.json", "$.jurisdiction"),
                        ("case-daily-frequency-overflow.json",
                         "$.ieps[0].services[0].frequency.times")]:
        with pytest.raises(CaseError) as info:
            load_case(repro / name)
        assert where in [p.location for p in info.value.problems], name


@pytest.mark.parametrize("as_of", [dt.date(2025, 3, 1), dt.date(9999, 12, 31)])
@pytest.mark.durable
def test_an_iep_running_to_the_end_of_the_calendar_then_replaced_evaluates(rulebook, as_of):
    """Fuzz campaign seed 94506: an IEP ending 9999-12-31 followed by another IEP overflowed
    the timeline (`end + 1 day`). Every reader of the history must stay inside the calendar."""
    from iep_rules import deadlines
    from iep_rules.facts._ledger import case_ledger

    ieps = [{"id": "i1", "meeting_date": "2024-01-10", "start": "2024-01-15", "end": "9999-12-31",
             "services": [SERVICE]},
            {"id": "i2", "meeting_date": "2025-01-10", "start": "2025-01-15", "end": "9999-12-31",
             "services": [SERVICE]}]
    case = case_from_mapping({**BASE, "ieps": ieps})
    found = [sorted((f.rule_id, f.severity, f.subject) for f in
                    evaluate(rulebook, case, as_of=as_of, backend=backend).findings)
             for backend in ("python", "durable")]
    assert found[0] == found[1]
    calendar = deadlines(rulebook, case, as_of=as_of, within=365)
    assert calendar.until == (dt.date.max if as_of.year == 9999 else
                              as_of + dt.timedelta(days=365))  # saturated, not overflowed
    assert all(d.due <= calendar.until for d in calendar.deadlines)
    assert isinstance(case_ledger(case, as_of, rulebook.resolve("US").values_on(as_of)), list)


@pytest.mark.parametrize("fmt", ["text", "json", "csv", "ics"])
def test_deadlines_near_the_end_of_the_calendar_stay_inside_it(fmt):
    """`--as-of 9999-12-30` with the default window ran past 9999-12-31 (an internal error)."""
    from click.testing import CliRunner

    from iep_rules.cli import cli

    done = CliRunner().invoke(cli, ["deadlines", "examples/ny-grade9.json", "--as-of",
                                    "9999-12-30", "--format", fmt])
    assert done.exit_code == 0, done.output
