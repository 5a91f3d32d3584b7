"""Hypothesis strategies for every case record (public; needs the `test` extra).

    >>> from iep_rules.strategies import cases
    >>> @given(cases(jurisdiction="US-NY", min_services=1)) ...

The implementation lives in `iep_rules.testing`; this module is the stable import path.
"""

from .testing._strategies import (
    InvalidStrategyArgument,
    agreements,
    assessments,
    behavior_plans,
    calendars,
    cases,
    cases_satisfying,
    cases_violating,
    consents,
    dates,
    eligibilities,
    evaluations,
    excusals,
    exits,
    ieps,
    malformed_case_documents,
    meetings,
    parent_costs,
    parent_requests,
    placements,
    prior_written_notices,
    provision_checks,
    referrals,
    removals,
    safeguards_notices,
    services,
    sessions,
    students,
    transfers,
)

__all__ = [
    "InvalidStrategyArgument", "agreements", "assessments", "behavior_plans", "calendars",
    "cases", "cases_satisfying", "cases_violating", "consents", "dates", "eligibilities",
    "evaluations", "excusals", "exits", "ieps", "malformed_case_documents", "meetings",
    "parent_costs",
    "parent_requests", "placements", "prior_written_notices", "provision_checks", "referrals",
    "removals", "safeguards_notices", "services", "sessions", "students", "transfers",
]
