"""One age, everywhere: `student.age` and the rule functions `age_on` / `date_turns` agree,
including for a child born on 29 February (issue 9)."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from iep_rules import case_from_mapping
from iep_rules.facts._age import age_on, date_turns
from iep_rules.facts._namespace import items
from iep_rules.lang._conditions import apply_function

LEAP = dt.date(2008, 2, 29)


@pytest.mark.parametrize(("day", "age"), [
    (dt.date(2025, 2, 27), 16),
    (dt.date(2025, 2, 28), 17),  # common year: the birthday is taken as 28 February
    (dt.date(2025, 3, 1), 17),
    (dt.date(2024, 2, 28), 15),
    (dt.date(2024, 2, 29), 16),  # leap year: the birthday itself
    (dt.date(2008, 2, 29), 0),
])
def test_age_around_leap_days(day, age):
    assert age_on(LEAP, day) == age
    assert apply_function("age_on", [day], LEAP) == age


def test_date_turns_is_the_first_day_of_that_age():
    assert date_turns(LEAP, 17) == dt.date(2025, 2, 28)
    assert date_turns(LEAP, 16) == dt.date(2024, 2, 29)
    assert apply_function("date_turns", [17], LEAP) == dt.date(2025, 2, 28)


def test_student_age_fact_agrees_on_the_day_before_a_common_year_birthday():
    case = case_from_mapping({"id": "c", "jurisdiction": "US",
                              "student": {"id": "s", "date_of_birth": "2008-02-29"}})
    for day in (dt.date(2025, 2, 27), dt.date(2025, 2, 28), dt.date(2025, 3, 1)):
        [student] = [i for i in items(case, day, {"case"}, {}) if i.scope == "case"]
        assert student.ns["student"]["age"] == age_on(LEAP, day) == apply_function("age_on", [day], LEAP)


@given(dob=st.dates(dt.date(1990, 1, 1), dt.date(2030, 12, 31)),
       day=st.dates(dt.date(1990, 1, 1), dt.date(2060, 12, 31)), years=st.integers(0, 25))
def test_age_and_date_turns_agree(dob, day, years):
    if day < dob:
        return
    assert (age_on(dob, day) >= years) == (day >= date_turns(dob, years))
