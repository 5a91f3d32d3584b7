"""A child's age: one definition, used by the `student.age` fact and the rule functions
`age_on` and `date_turns`, so that no two parts of the library disagree about a birthday.

Convention (dateutil's `relativedelta`, stated here because no rule file sets it): a child born
on 29 February turns a year older on 28 February in a common year. `age_on` and `date_turns`
are exact inverses: `age_on(dob, day) >= n` exactly when `day >= date_turns(dob, n)`.
"""

from __future__ import annotations

import datetime as dt

from dateutil.relativedelta import relativedelta


def age_on(dob: dt.date, day: dt.date) -> int:
    """Whole years from `dob` to `day` (negative before the birth)."""
    return relativedelta(day, dob).years


def date_turns(dob: dt.date, years: int) -> dt.date:
    """The first day on which a child born on `dob` is `years` old."""
    return dob + relativedelta(years=years)
