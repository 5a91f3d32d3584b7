"""Hypothesis strategies for case records (needs the `test` extra: hypothesis is not a runtime
dependency). Cases are internally consistent: dates in order, services inside IEP terms.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from . import records as r

_EPOCH = dt.date(2015, 1, 1)


def dates(*, min_value: dt.date = _EPOCH, max_value: dt.date = dt.date(2027, 12, 31)
          ) -> st.SearchStrategy[dt.date]:
    return st.dates(min_value=min_value, max_value=max_value)


def _maybe(strategy: st.SearchStrategy[object]) -> st.SearchStrategy[object]:
    return st.one_of(st.none(), strategy)


@st.composite
def _span(draw: st.DrawFn) -> tuple[dt.date, dt.date]:
    start = draw(dates(max_value=dt.date(2026, 12, 31)))
    return start, start + dt.timedelta(days=draw(st.integers(0, 400)))


def eligibilities() -> st.SearchStrategy[r.Eligibility]:
    return st.builds(
        r.Eligibility,
        date=dates(),
        outcome=st.sampled_from(r.Outcome),
        classification=_maybe(st.sampled_from(r.Classification)),
        determinant_factors=st.lists(st.sampled_from(r.DeterminantFactor), max_size=3,
                                     unique=True).map(tuple),
    )


@st.composite
def evaluations(draw: st.DrawFn) -> r.Evaluation:
    consent = draw(_maybe(dates()))
    completed = draw(_maybe(dates(min_value=consent) if isinstance(consent, dt.date)
                            else dates()))
    return r.Evaluation(kind=draw(st.sampled_from(r.EvaluationKind)),
                        consent_date=consent, completed=completed)  # type: ignore[arg-type]


@st.composite
def ieps(draw: st.DrawFn, *, index: int = 0) -> r.IEP:
    start, end = draw(_span())
    transition = draw(_maybe(st.builds(
        r.Transition,
        postsecondary_goals=st.lists(st.just("college"), max_size=1).map(tuple),
        services=st.lists(st.just("job shadowing"), max_size=1).map(tuple))))
    return r.IEP(
        id=f"iep-{index}",
        meeting_date=draw(st.sampled_from(
            [start - dt.timedelta(days=draw(st.integers(0, 60))), None])),
        start=draw(st.sampled_from([start, None])),
        end=draw(st.sampled_from([end, end, None])),
        transition=transition,  # type: ignore[arg-type]
    )


@st.composite
def cases(draw: st.DrawFn, *, jurisdiction: str | None = None) -> r.Case:
    """A whole case; `jurisdiction` fixes the code, else US or US-NY."""
    code = jurisdiction or draw(st.sampled_from(["US", "US-NY"]))
    n_ieps = draw(st.integers(0, 3))
    return r.Case(
        id=f"case-{draw(st.integers(0, 10**9))}",
        jurisdiction=code,
        student=r.Student(id="student", date_of_birth=draw(_maybe(dates(  # type: ignore[arg-type]
            min_value=dt.date(2002, 1, 1), max_value=dt.date(2020, 1, 1))))),
        evaluations=tuple(draw(st.lists(evaluations(), max_size=3))),
        eligibility=tuple(draw(st.lists(eligibilities(), max_size=2))),
        ieps=tuple(draw(ieps(index=i)) for i in range(n_ieps)),
        agreements=tuple(draw(st.lists(st.builds(
            r.WrittenAgreement, date=dates(),
            kind=st.sampled_from(["reevaluation_unnecessary", "more_frequent_reevaluation"])),
            max_size=1))),
    )
