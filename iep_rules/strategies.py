"""Hypothesis strategies for every case record (public; needs the `test` extra).

    >>> from iep_rules.strategies import cases
    >>> @given(cases(jurisdiction="US-NY", min_services=1)) ...

The implementation lives in `iep_rules.testing`; this module is the stable import path.
"""

from .testing._strategies import (
    InvalidStrategyArgument,
    agreements,
    calendars,
    cases,
    cases_satisfying,
    cases_violating,
    consents,
    dates,
    eligibilities,
    evaluations,
    ieps,
    malformed_case_documents,
    meetings,
    parent_requests,
    placements,
    referrals,
    services,
    sessions,
    students,
)

__all__ = [
    "InvalidStrategyArgument", "agreements", "calendars", "cases", "cases_satisfying",
    "cases_violating", "consents", "dates", "eligibilities", "evaluations", "ieps",
    "malformed_case_documents", "meetings", "parent_requests", "placements", "referrals",
    "services", "sessions", "students",
]
