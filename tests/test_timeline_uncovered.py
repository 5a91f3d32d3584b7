"""Sessions outside every services-consent period: the bisection over consent periods gives
what the plain scan gives (the last period, in list order, starting on or before the day),
including the out-of-order list a second revocation with no open period makes."""

from __future__ import annotations

import datetime as dt

from hypothesis import given, settings
from hypothesis import strategies as st

from iep_rules import strategies as ist
from iep_rules.case import _records as r
from iep_rules.facts._timeline import Timeline, build_timeline

D = dt.date.fromisoformat


def scanned(t: Timeline) -> tuple[tuple[dt.date, ...] | None, tuple[dt.date, ...] | None]:
    """The reference: a linear scan of the periods for every session."""
    case = t.case
    if case.sessions is None or case.consents is None:
        return None, None
    before: list[dt.date] = []
    after: list[dt.date] = []
    unsure_before = unsure_after = False
    for session in case.sessions:
        if session.status is r.SessionStatus.MISSED or session.date > t.as_of:
            continue
        period = next((p for p in reversed(t.periods) if p.start <= session.date), None)
        if period is None:
            before.append(session.date)
        elif period.end is None or session.date <= period.end:
            unsure_before |= not period.start_certain
        elif not period.end_certain:
            unsure_after = True
        else:
            after.append(session.date)

    def answer(dates: list[dt.date], unsure: bool) -> tuple[dt.date, ...] | None:
        return tuple(sorted(dates)) if dates else (None if unsure else ())

    return answer(before, unsure_before), answer(after, unsure_after)


def _case(consents: list[r.Consent], days: list[str]) -> r.Case:
    return r.Case(id="c", jurisdiction="US", student=r.Student(id="s"), consents=tuple(consents),
                  sessions=tuple(r.SessionLog(D(d), "svc", r.SessionStatus.DELIVERED)
                                 for d in days))


def test_second_revocation_without_open_period_keeps_list_order() -> None:
    given_ = r.Consent(r.ConsentKind.INITIAL_SERVICES, D("2020-01-10"), written=True)
    revoke = r.Consent(r.ConsentKind.INITIAL_SERVICES, D("2021-01-10"),
                       r.ConsentResponse.REVOKED, written=True, services_cease=D("2021-01-20"))
    again = r.Consent(r.ConsentKind.INITIAL_SERVICES, D("2022-01-10"),
                      r.ConsentResponse.REVOKED, written=True, services_cease=D("2022-01-20"))
    t = build_timeline(_case([given_, revoke, again], ["2020-03-01", "2021-03-01", "2022-03-01"]),
                       D("2023-01-01"))
    starts = [p.start for p in t.periods]
    assert starts != sorted(starts)  # the case the bisection must not be used for
    assert t.uncovered_sessions() == scanned(t)
    assert t.uncovered_sessions()[1] == (D("2022-03-01"),)


@settings(max_examples=25, deadline=None)
@given(ist.cases(), st.dates(min_value=D("2015-01-01"), max_value=D("2030-12-31")))
def test_bisection_equals_scan(case: r.Case, as_of: dt.date) -> None:
    t = build_timeline(case, as_of)
    assert t.uncovered_sessions() == scanned(t)
    assert t.uncovered_sessions() is t.uncovered_sessions()  # computed once per timeline
