"""Investigator histories, second set (h5 onwards): invented children's files over several
school years, reviewed on both backends at the dates a state complaint investigator would pick.

Each test says first what an investigator would conclude on the file, and why (citations as
/work/shared/CITATIONS.md gives them), then checks the library says the same. docs/rule-review.md
("Histories, second set") lists what each file probes and the false findings they exposed.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_histories import BACKENDS, D, found, raw, review

from iep_rules import load_case
from iep_rules.facts._timeline import build_timeline, iep_accrual_windows

# ---- H5: the parent does not bring the child; refuses services; consents; revokes; returns ---
#
# 2021-10-08 written consent to evaluate. The parent misses three testing appointments; the
# evaluation is completed on 2022-01-21, day 105, with the exception recorded (34 CFR
# 300.301(d)(1): the 60-day clock does not apply when the parent repeatedly fails or refuses to
# produce the child). Eligible 2022-01-28; the CSE writes an IEP on 2022-02-07 and asks for
# consent to services, which the parent refuses in writing the same day. In September 2022 she
# consents at a reconvened CSE meeting; reviewed in 2023; on 2024-03-04 she revokes consent in
# writing (prior written notice 2024-03-06, services cease 2024-03-15). In October 2025 she asks
# for an evaluation again: new consent, evaluation, eligibility, initial IEP in December 2025.
#
# An investigator's reading:
# * No finding on the 105-day evaluation: the exception is documented (300.301(d)(1)).
# * While the refusal stands (February to September 2022), the district is not in violation of
#   its duty to make FAPE available and need not hold an IEP meeting or write an IEP
#   (300.300(b)(3)(ii)-(iii)): no annual review, placement, reevaluation, safeguards or
#   "services not arranged" finding, and the February IEP's services are owed to nobody (the
#   ledger must not count them as missed).
# * After the written revocation and the date services ceased, nothing is owed
#   (300.300(b)(4)(iii)-(iv)): no review, reevaluation (due 2025-01-21 on the old clock) or
#   school-year finding.
# * The return needs a new consent to evaluate and to services (a later request is an initial
#   referral: CITATIONS row 7); both are on file, so nothing is found in 2026 either.
# * New York's 60-school-day clock for arranging services (8 NYCRR 200.4(e)(1), unverified) is
#   needs-data before any eligibility decision (the no-show exception is federal; whether New
#   York extends it to this clock was not read): a question, not a claim.

H5 = "h5-no-show-refusal-revocation"


def h5_refused_for_good() -> dict[str, Any]:
    """H5 cut at the refusal: the parent never consents to services."""
    case = raw(H5)
    case["consents"] = case["consents"][:2]
    for key in ("meetings", "ieps", "placements", "evaluations", "eligibility",
                "prior_written_notices", "safeguards_notices", "parent_requests"):
        case[key] = case[key][:1]
    case["sessions"] = []
    return case


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2022-06-15", "2022-09-20", "2023-03-01", "2024-06-01",
                                   "2024-10-01", "2025-03-01", "2026-01-15", "2026-03-01"])
def test_h5_refusal_consent_revocation_and_return_are_compliant(rulebook, as_of, backend):
    assert found(review(rulebook, H5, as_of, backend)) == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_h5_evaluation_past_60_days_with_the_no_show_exception(rulebook, backend):
    report = review(rulebook, H5, "2022-01-25", backend)
    assert found(report, "idea.") == set()
    assert found(report) == {("nys.implementation.services-not-arranged-in-time", "$",
                              "needs-data")}
    case = raw(H5)
    del case["evaluations"][0]["clock_exception"]
    assert ("idea.timeline.initial-evaluation-late", "$.evaluations[0]", "violation") in found(
        review(rulebook, case, "2022-01-25", backend))


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2022-06-15", "2023-03-01", "2024-03-01", "2025-03-01"])
def test_h5_no_clock_runs_while_the_parent_refuses_services(rulebook, as_of, backend):
    """300.300(b)(3)(ii)-(iii). Before the fix: annual review overdue and placement not
    determined from 2023-03-01, safeguards notice not given for 2022-23 from 2024, reevaluation
    overdue from 2025-01-22, and the New York services clock asked for data."""
    assert found(review(rulebook, h5_refused_for_good(), as_of, backend)) == set()


def test_h5_without_the_refusal_on_file_the_same_file_is_overdue(rulebook):
    case = h5_refused_for_good()
    case["consents"] = case["consents"][:1]
    assert ("idea.timeline.annual-review-overdue", "$", "violation") in found(
        review(rulebook, case, "2023-03-01"))


def test_h5_the_refused_iep_accrues_no_services():
    """The February 2022 IEP never took effect: the ledger owes none of its sessions. Before the
    fix the ledger counted 23 weekly sessions as missed and the calendar asked for them to be
    made up."""
    case = load_case(h5_refused_for_good())
    assert iep_accrual_windows(case, D("2022-06-15")) == (None,)
    history = build_timeline(case, D("2022-06-15"))
    assert history.iep_in_effect(D("2022-03-01")) is None
    assert history.in_special_education is False


def test_h5_consent_given_later_starts_the_refused_iep_that_day():
    """Consent given in September to the IEP written in February, with no new meeting: the IEP
    takes effect on the consent date (services cannot begin before consent, 300.300(b)(1))."""
    data = h5_refused_for_good()
    data["consents"].append({"kind": "initial_services", "date": "2022-09-12",
                             "response": "given", "written": True})
    case = load_case(data)
    assert iep_accrual_windows(case, D("2022-10-01")) == ((D("2022-09-12"), D("2022-10-01")),)
    assert build_timeline(case, D("2022-10-01")).in_special_education is True
