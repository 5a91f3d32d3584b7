"""Investigator histories, fourth set (h13 onwards): a history read as a bag of records breaks
on a pending due-process complaint. Each test says first what an investigator would conclude on
the file, and why, then checks the library says the same, on both backends.
docs/rule-review.md ("Histories, fourth set") lists the false findings.
"""

from __future__ import annotations

from typing import Any

import pytest
from test_histories import BACKENDS, found, raw
from test_histories import review as review_nyc


def review(rulebook: Any, case: dict[str, Any] | str, as_of: str, backend: str) -> Any:
    """The fourth set's files are federal (jurisdiction US)."""
    return review_nyc(rulebook, case, as_of, backend, jurisdiction="US")


# ---- H13: stay-put while a due-process complaint is pending ---------------------------------
#
# A federal file (h11's first four years). At the annual review of 2023-10-30 the district
# proposes moving the child from resource support (specialized instruction three times a week,
# counseling weekly) to a special class five times a week, with prior written notice; the IEP
# is to start on 2023-11-06. On 2023-11-02 the parent files a due-process complaint; the
# safeguards notice owed on a first complaint of the school year is given the next day. The
# district keeps the resource schedule (its session log records the 2022 IEP's services) until
# a resolution agreement of 2024-01-22, carried out by an amendment without a meeting from
# 2024-01-29 (resource support four times a week, counseling weekly). Regular diploma in June.
#
# An investigator's reading: during the pendency of a due-process proceeding, unless the agency
# and the parents agree otherwise, the child remains in the current educational placement
# (34 CFR 300.518(a)); the current placement is the setting in which the IEP is being
# implemented (ED's 2006 commentary on 300.518). The special-class IEP was proposed, contested
# before it began, and never carried out: the district owed the resource schedule, which it
# delivered, and no special-class session. The resolution agreement is the parties' agreement
# otherwise: the amendment replaces the contested IEP. Nothing to find at any date.

H13 = "h13-federal-stay-put-pending-complaint"
H13_DATES = ["2023-11-01", "2023-11-20", "2023-12-15", "2024-01-25", "2024-03-01",
             "2024-06-30", "2024-09-15"]


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", H13_DATES)
def test_h13_the_contested_iep_is_not_owed_while_the_complaint_is_pending(rulebook, as_of,
                                                                           backend):
    """Before the fix, from 2023-11-20 on: every special-class session of the contested IEP was
    "not provided when due" (a material violation: 100% of the minutes), still owed, and the
    contested IEP's counseling "started late" (needs-data)."""
    assert found(review(rulebook, H13, as_of, backend)) == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_h13_without_the_complaint_the_special_class_was_owed(rulebook, backend):
    """The same file without the complaint: the IEP took effect on 2023-11-06 and the special
    class was never delivered, a material failure to implement (300.323(c)(2))."""
    case = raw(H13)
    case["parent_requests"] = [p for p in case["parent_requests"]
                               if p["kind"] != "due_process_complaint"]
    assert ("idea.makeup.not-provided-when-due-material", "$.ieps[5].services[0]",
            "violation") in found(review(rulebook, case, "2023-12-15", backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_h13_a_complaint_filed_after_the_iep_began_does_not_undo_it(rulebook, backend):
    """Filed on 2023-11-20, two weeks after the special-class IEP took effect: that IEP is the
    current placement, and the two weeks it was not carried out are the district's."""
    case = raw(H13)
    complaint = next(p for p in case["parent_requests"] if p["kind"] == "due_process_complaint")
    complaint["date"] = complaint["due_process_filed_on"] = "2023-11-20"
    assert any(f[0].startswith("idea.makeup.not-provided-when-due") and f[1] == "$.ieps[5].services[0]"
               for f in found(review(rulebook, case, "2023-12-15", backend)))


@pytest.mark.parametrize("backend", BACKENDS)
def test_h13_a_decision_for_the_district_puts_the_contested_iep_in_effect(rulebook, backend):
    """No agreement: the hearing officer upholds the district's IEP on 2024-01-22 (the
    complaint's recorded end) and the file has no amendment. From that day the special class
    is owed, and a district that kept the resource schedule after it fails to implement."""
    case = raw(H13)
    case["agreements"] = [a for a in case["agreements"] if a["date"] != "2024-01-22"]
    case["ieps"] = [i for i in case["ieps"] if i["id"] != "iep-2023a"]
    case["sessions"] = [s for s in case["sessions"] if s["service"] != "sp-2023a"]
    findings = found(review(rulebook, case, "2024-03-01", backend))
    assert any(f[0].startswith("idea.makeup.not-provided-when-due") and f[1] == "$.ieps[5].services[0]"
               for f in findings)
    # and before the decision, nothing was owed on it
    assert found(review(rulebook, case, "2024-01-19", backend)) == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_h13_the_current_placement_is_owed_during_the_stay(rulebook, backend):
    """Stay-put is a duty as well as a defence: the 2022 IEP (as amended) stays in effect past
    its projected end, and its services with it. A district that stopped the resource
    sessions when the complaint was filed fails to implement the placement the child stays in.
    (Before the fix the ledger stopped counting the old IEP's services at its recorded end.)"""
    case = raw(H13)
    case["sessions"] = [s for s in case["sessions"]
                        if not (s["service"] == "sp-2022" and s["date"] >= "2023-11-06")]
    findings = found(review(rulebook, case, "2024-01-25", backend))
    assert ("idea.makeup.not-provided-when-due-material", "$.ieps[4].services[0]",
            "violation") in findings
    assert not any(f[1].startswith("$.ieps[5]") for f in findings)


# ---- A request and a notice the review date has not reached yet -----------------------------
#
# H13 with a spring episode added: on 2024-03-04 the parent asks for a reevaluation; on
# 2024-03-15 the district refuses without prior written notice (a violation once refused:
# 300.503(a)(2)); on 2024-04-01 it moves the counseling to a group, and its notice is dated
# 2024-04-10 (a change made before its notice: 300.503(a)(1)). An investigator reviewing the
# file as of a date reads what had happened by then: before the request there is no refusal to
# explain, and while the request is open there is no refusal yet; before 2024-04-01 no change
# had been made. The earlier sets fixed the same bag-of-records reading for IEPs and
# evaluations written after the as-of date (docs/rule-review.md, first and third sets).

def h13_with_a_spring_request_and_notice() -> dict[str, Any]:
    case = raw(H13)
    case["parent_requests"].append({"date": "2024-03-04", "kind": "evaluation",
                                    "response": "refused", "response_date": "2024-03-15"})
    notice = {**case["prior_written_notices"][-1], "date": "2024-04-10",
              "effective_date": "2024-04-01", "subject": "counseling moved to a group"}
    case["prior_written_notices"].append(notice)
    return case


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("as_of", ["2024-01-25", "2024-03-10"])
def test_requests_and_notices_after_the_review_date_are_not_yet_judged(rulebook, as_of,
                                                                       backend):
    """Before the fix, at both dates: the refusal (made 2024-03-15) was a violation for want of
    a notice, and the notice dated 2024-04-10 was "after the change" that had not happened."""
    case = h13_with_a_spring_request_and_notice()
    assert found(review(rulebook, case, as_of, backend)) == set()


@pytest.mark.parametrize("backend", BACKENDS)
def test_once_they_happened_both_are_violations(rulebook, backend):
    case = h13_with_a_spring_request_and_notice()
    findings = found(review(rulebook, case, "2024-03-20", backend))
    assert ("idea.notice.refusal-without-prior-written-notice", "$.parent_requests[2]",
            "violation") in findings
    assert not any(f[0] == "idea.notice.pwn-after-the-change" for f in findings)
    # on 2024-04-05 the counseling had changed with no notice given yet: a violation then
    assert ("idea.notice.pwn-after-the-change", "$.prior_written_notices[9]", "violation") in found(
        review(rulebook, case, "2024-04-05", backend))


@pytest.mark.parametrize("backend", BACKENDS)
def test_a_complaint_does_not_hold_back_an_initial_iep(rulebook, backend):
    """With no IEP being carried out there is no placement to stay in: the parent who consented
    to the initial services is owed them while a complaint about them is pending (consent
    governs the initial provision, 300.300(b); 300.518(a) keeps a current placement). H13 cut to
    its first IEP, a complaint filed between its meeting and its start, one session delivered."""
    case = raw(H13)
    case["ieps"] = case["ieps"][:1]
    case["sessions"] = [{"date": "2019-12-02", "service": "sp-2019", "status": "delivered",
                         "minutes": 45}]
    case["parent_requests"] = [{"date": "2019-11-26", "kind": "due_process_complaint",
                                "response": "pending", "due_process_filed": True,
                                "due_process_filed_on": "2019-11-26"}]
    case["calendars"].insert(0, {"year_start": "2019-09-05", "year_end": "2020-06-26",
                                 "closures": []})
    assert any(f[0].startswith("idea.makeup.not-provided-when-due") and f[1] == "$.ieps[0].services[0]"
               for f in found(review(rulebook, case, "2020-01-31", backend)))
