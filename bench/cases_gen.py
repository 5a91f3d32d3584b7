"""A fixed-seed generator of realistic case documents for bench/run.py (never a test).

Invented children only. Each case: a jurisdiction (US, US-NY or US-NY-NYC), 1-3 yearly IEPs
(one per school year, back to back), 2-8 service mandates repeated in each IEP, 1-3 school
calendars with recesses and single closed days, and a session log for every year: most
sessions delivered, some missed (with a reason, or none), some short, some weeks undocumented,
some make-ups naming the miss they make up, and now and then a mandate with no provider all
year (every session missed). Some records leave out whether the student is an English learner
or whether the disability adversely affects education (so rules can say needs-data).
Documents are plain JSON data, as a district export
would give them, so the benchmark times the whole path from text.

Mandates are counted in sessions per week or per month, with no fixed weekdays and no group
sizes: the hand-written ledger in bench/hand.py covers exactly that (and checks it on every case).
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

AS_OF = dt.date(2025, 6, 20)
SERVICES = ["speech_language_therapy", "counseling", "occupational_therapy",
            "physical_therapy", "special_education_teacher_support", "hearing_education",
            "vision_education", "assistive_technology"]
REASONS = ["provider_absence", "provider_absence", "student_absence", "student_absence",
           "school_caused", "parent_cancellation", "provider_vacancy", "student_unavailable",
           "other", None]
FACTORS = ["disability", "lack_of_appropriate_reading_instruction",
           "lack_of_appropriate_math_instruction", "limited_english_proficiency"]
SCHOOLS = [f"Example School {n}" for n in range(1, 41)]


def _iso(day: dt.date) -> str:
    return day.isoformat()


def _calendar(rng: random.Random, year: int) -> dict[str, Any]:
    start, end = dt.date(year, 9, 4), dt.date(year + 1, 6, 26)
    closures = [
        {"start": _iso(dt.date(year, 12, 24)), "end": _iso(dt.date(year + 1, 1, 1)),
         "name": "winter recess"},
        {"start": _iso(dt.date(year + 1, 4, 14)), "end": _iso(dt.date(year + 1, 4, 22)),
         "name": "spring recess"},
    ]
    for _ in range(rng.randint(2, 6)):
        day = start + dt.timedelta(days=rng.randint(0, (end - start).days))
        closures.append({"start": _iso(day), "end": _iso(day), "name": "closed"})
    return {"year_start": _iso(start), "year_end": _iso(end), "closures": closures}


def _open_days(cal: dict[str, Any]) -> list[dt.date]:
    start = dt.date.fromisoformat(cal["year_start"])
    end = dt.date.fromisoformat(cal["year_end"])
    closed = set()
    for c in cal["closures"]:
        day = dt.date.fromisoformat(c["start"])
        while day <= dt.date.fromisoformat(c["end"]):
            closed.add(day)
            day += dt.timedelta(days=1)
    out, day = [], start
    while day <= end:
        if day.weekday() < 5 and day not in closed:
            out.append(day)
        day += dt.timedelta(days=1)
    return out


def _logs(rng: random.Random, service: dict[str, Any], days: list[dt.date],
          until: dt.date) -> list[dict[str, Any]]:
    """A year's log for one mandate: per week (or month), about `times` entries."""
    out: list[dict[str, Any]] = []
    freq, duration = service["frequency"], service["duration_minutes"]
    groups: dict[tuple[int, int], list[dt.date]] = {}
    for day in days:
        if day > until:
            break
        key = day.isocalendar()[:2] if freq["per"] == "week" else (day.year, day.month)
        groups.setdefault(key, []).append(day)
    vacancy = rng.random() < 0.03  # no provider all year: every session missed, none made up
    for group in groups.values():
        if rng.random() < 0.04:
            continue  # an undocumented week
        if vacancy:
            out += [{"date": _iso(day), "service": service["id"], "status": "missed",
                     "reason": "provider_vacancy"}
                    for day in sorted(rng.sample(group, min(freq["times"], len(group))))]
            continue
        for day in sorted(rng.sample(group, min(freq["times"], len(group)))):
            roll = rng.random()
            if roll < 0.82:
                minutes = duration if rng.random() < 0.93 else duration - 10
                out.append({"date": _iso(day), "service": service["id"], "status": "delivered",
                            "minutes": minutes})
            else:
                entry = {"date": _iso(day), "service": service["id"], "status": "missed"}
                reason = rng.choice(REASONS)
                if reason is not None:
                    entry["reason"] = reason
                out.append(entry)
                if rng.random() < 0.35:
                    later = day + dt.timedelta(days=rng.randint(1, 20))
                    if later <= until and later.weekday() < 5:
                        out.append({"date": _iso(later), "service": service["id"],
                                    "status": "makeup", "minutes": duration,
                                    "makeup_for": _iso(day)})
    return out


def case_document(rng: random.Random, number: int) -> dict[str, Any]:
    """One invented case as decoded JSON."""
    code = rng.choice(["US", "US-NY", "US-NY-NYC"])
    years = rng.randint(1, 3)
    # about one case in eight has no IEP for the current year (a lapsed annual review)
    first_year = AS_OF.year - years - (rng.random() < 0.12)
    dob = dt.date(rng.randint(2006, 2018), rng.randint(1, 12), rng.randint(1, 28))
    student: dict[str, Any] = {"id": f"student-{number:06d}", "school": rng.choice(SCHOOLS)}
    if rng.random() < 0.9:
        student["english_learner"] = rng.random() < 0.15
    if rng.random() < 0.97:
        student["date_of_birth"] = _iso(dob)
    referral = dt.date(first_year - 1, rng.randint(1, 12), rng.randint(1, 28))
    evaluated = referral + dt.timedelta(days=rng.randint(20, 70))
    consent = referral + dt.timedelta(days=rng.randint(1, 15))
    evaluations = [{"kind": "initial", "consent_date": _iso(consent),
                    "completed": _iso(evaluated)}]
    if rng.random() < 0.3:
        re_done = evaluated + dt.timedelta(days=rng.randint(150, 900))
        reeval: dict[str, Any] = {"kind": "reevaluation"}
        if re_done <= AS_OF and rng.random() < 0.9:
            reeval["completed"] = _iso(re_done)
        evaluations.append(reeval)
    roll = rng.random()
    factors = (["lack_of_appropriate_reading_instruction"] if roll < 0.06
               else [FACTORS[2]] if roll < 0.11 else [FACTORS[3]] if roll < 0.13
               else ["disability", rng.choice(FACTORS[1:])] if roll < 0.23 else ["disability"])
    decision: dict[str, Any] = {"date": _iso(evaluated + dt.timedelta(days=5)),
                                "outcome": "eligible" if rng.random() < 0.95 else "not_eligible",
                                "classification": "speech_or_language_impairment",
                                "determinant_factors": factors}
    roll = rng.random()
    if roll < 0.8:  # the adverse effect recorded (mostly found), else not recorded
        decision["adverse_effect"] = roll < 0.72
    eligibility = [decision]
    n_services = rng.randint(2, 8)
    mandates = []
    for k, name in enumerate(rng.sample(SERVICES, n_services)):
        per = "week" if rng.random() < 0.8 else "month"
        times = rng.randint(1, 3) if per == "week" else rng.randint(2, 6)
        mandates.append((k, name, per, times, rng.choice([30, 40, 45, 60])))
    ieps, sessions, calendars = [], [], []
    for y in range(years):
        year = first_year + y
        cal = _calendar(rng, year)
        calendars.append(cal)
        start = dt.date(year, 9, 4)
        end = dt.date(year + 1, 9, 3)
        meeting = start - dt.timedelta(days=rng.randint(5, 40))
        iep: dict[str, Any] = {"id": f"iep-{y}", "start": _iso(start), "end": _iso(end),
                               "team_present": ["parent", "special_education_teacher",
                                                "district_representative"]}
        if rng.random() < 0.97:
            iep["meeting_date"] = _iso(meeting)
        if rng.random() < 0.5:
            iep["transition"] = {"postsecondary_goals": ["college"] if rng.random() < 0.8
                                 else [], "services": ["job shadowing"]}
        services = []
        for k, name, per, times, duration in mandates:
            svc: dict[str, Any] = {
                "id": f"sv{y}-{k}", "name": name,
                "frequency": {"times": times, "per": per, "measure": "sessions",
                              "prorated": False},
                "duration_minutes": duration, "start": _iso(start), "end": _iso(end),
                "basis": "need"}
            if rng.random() < 0.97:
                svc["location"] = rng.choice(["separate location",
                                              "general education classroom"])
            services.append(svc)
            sessions += _logs(rng, svc, _open_days(cal), AS_OF)
        iep["services"] = services
        ieps.append(iep)
    doc: dict[str, Any] = {
        "id": f"case-{number:06d}", "jurisdiction": code, "student": student,
        "referral": {"date": _iso(referral), "source": "parent"},
        "consents": [{"kind": "initial_evaluation", "date": _iso(consent), "written": True},
                     {"kind": "initial_services", "date": _iso(evaluated + dt.timedelta(
                         days=20)), "written": True}],
        "evaluations": evaluations, "eligibility": eligibility, "ieps": ieps,
        "sessions": sorted(sessions, key=lambda s: s["date"]), "calendars": calendars,
    }
    if rng.random() < 0.05:
        doc["agreements"] = [{"date": _iso(AS_OF - dt.timedelta(days=rng.randint(10, 900))),
                              "kind": rng.choice(["reevaluation_unnecessary",
                                                  "more_frequent_reevaluation"])}]
    return doc


def case_documents(n: int, seed: int = 16) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    return [case_document(rng, i) for i in range(n)]
