"""Plain words for people: labels, counts that agree in number, dates and weeks as a parent
reads them, evidence and missing facts described without JSON paths or Python values.

JSON paths stay in the JSON output; the parent report and Markdown use these words instead.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from typing import Any

from .._findings import Evidence, Finding
from ..case._records import Case
from ..engine._evaluate import format_value
from ..facts._ledger import MandateLedger

# The summary's "due next": the first few obligations of the deadline calendar over the coming
# year (a presentation choice; `iep-rules deadlines` shows any window, every date).
DUE_NEXT_COUNT = 3
DUE_NEXT_WITHIN_DAYS = 365

# severity -> (one, many): "1 rule broken", "2 rules broken"
SEVERITY_WORDS = {
    "violation": ("rule broken", "rules broken"),
    "warning": ("point to check", "points to check"),
    "notice": ("question worth asking", "questions worth asking"),
    "needs-data": ("question the file cannot answer", "questions the file cannot answer"),
}
SEVERITY_HEADINGS = {"violation": "Rule broken", "warning": "Needs a look",
                     "notice": "Worth asking about", "needs-data": "The file does not say"}
TOPIC_WORDS = {
    "iep-contents": "What the IEP says", "timelines": "Deadlines", "eligibility": "Eligibility",
    "placement": "Placement", "consent": "Consent", "team": "The IEP team and meetings",
    "services": "Services delivered", "evaluation": "Evaluations", "notices": "Notices",
    "discipline": "Discipline",
}
_SERVICE_WORDS = {"speech_language_therapy": "Speech therapy",
                  "occupational_therapy": "Occupational therapy",
                  "physical_therapy": "Physical therapy", "counseling": "Counseling"}
_REASON_WORDS = {"provider_absence": "provider absent", "provider_vacancy": "no provider hired",
                 "provider_other_duties": "provider on other duties",
                 "school_caused": "school event", "school_closure": "school closed",
                 "disciplinary_removal": "disciplinary removal",
                 "student_absence": "child absent", "student_unavailable": "child unavailable",
                 "parent_cancellation": "parent cancelled", "other": "other reason",
                 "undocumented": "no record kept", "delivered_short": "sessions cut short"}
# Field names whose plain reading is not the field name with spaces.
_FIELD_WORDS = {
    "date_of_birth": "date of birth", "english_learner": "whether the student is an English "
    "learner", "home_language": "home language", "end": "end date", "start": "start date",
    "meeting_date": "meeting date", "duration_minutes": "session length",
    "assessment": "how the student takes state and district tests",
    "transition": "the transition plan", "team_present": "who attended the meeting",
    "group_size": "group size", "frequency": "how often", "location": "where",
    "iep_count": "the number of IEPs on file", "last_iep_meeting": "the last IEP meeting",
    "currently_eligible": "whether the student is currently eligible",
    "last_evaluation_completed": "the last completed evaluation",
    "first_delivered_session": "the first session delivered",
    "last_delivered_session": "the last session delivered",
    "services_consent_date": "the date of written consent to services",
    "evaluation_consent_date": "the date of written consent to evaluate",
    "reevaluation_waiver_on_file": "whether an agreement to skip the reevaluation is on file",
    "agreement_kinds": "the written agreements on file",
    "postsecondary_goals": "postsecondary goals", "services_delivered": "services delivered",
    "parent_participated_by": "how the parent took part",
    "enl_services": "English as a new language services",
    "ledger": "the service-delivery ledger",
}
_RECORDS = {"ieps": "IEP", "services": "service", "evaluations": "evaluation",
            "eligibility": "eligibility decision", "meetings": "meeting",
            "placements": "placement", "consents": "consent", "removals": "removal",
            "transfers": "transfer", "parent_requests": "parent request",
            "prior_written_notices": "prior written notice", "parent_costs": "cost to parents",
            "goals": "goal", "sessions": "session"}
_STEP = re.compile(r"\.([a-z_]+)(?:\[(\d+)\])?")
_WEEK = re.compile(r"^\d{4}-W\d{2}$")
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def count(n: int, one: str, many: str | None = None) -> str:
    """`1 rule broken`, `2 rules broken`, `0 rules broken`."""
    return f"{n} {one if n == 1 else (many or one + 's')}"


def severity_count(severity: str, n: int) -> str:
    one, many = SEVERITY_WORDS[severity]
    return count(n, one, many)


def day(value: dt.date) -> str:
    """`14 October 2024`: unambiguous in any English-speaking country."""
    return f"{value.day} {value:%B %Y}"


def source_text(label: str) -> str:
    """A ledger item's date or period as every human format writes it: a date as it is, a
    week as `the week of 2024-11-18 to 2024-11-22` (its school days, the words rule messages
    use: engine.format_value), a year of the IEP as `2024-10-07 to 2025-10-06`."""
    return format_value(label).replace("..", " to ")


def period(label: str) -> str:
    """A ledger period or date label for the parent report: dates in words, a month by its
    name, a week or a longer period as a range (source_text)."""
    month = _MONTH.match(label)
    if month:
        return f"{dt.date(int(month.group(1)), int(month.group(2)), 1):%B %Y}"
    if _DAY.match(label):  # (date.fromisoformat would also read a week code as its Monday)
        return day(dt.date.fromisoformat(label))
    return source_text(label)


def month_label(month: str) -> str:
    """`2024-10` -> `Oct 2024`."""
    return f"{dt.date(int(month[:4]), int(month[5:7]), 1):%b %Y}"


def service_name(code: str) -> str:
    return _SERVICE_WORDS.get(code, code.replace("_", " ").capitalize())


def reason(code: str) -> str:
    return _REASON_WORDS.get(code, code.replace("_", " "))


def value(v: Any) -> str:
    if v is None:
        return "not recorded"
    if isinstance(v, bool):
        return "yes" if v else "no"
    if isinstance(v, dt.date):
        return day(v)
    if isinstance(v, Mapping):
        return "recorded"
    if isinstance(v, tuple | list):
        if v and isinstance(v[0], Mapping):
            return count(len(v), "entry", "entries")
        return ", ".join(value(x).replace("_", " ") for x in v) or "none"
    if isinstance(v, str) and _WEEK.match(v):
        return format_value(v)  # a ledger week, as its dates
    return str(v).replace("_", " ") if isinstance(v, str) and "_" in v else str(v)


def record_name(case: Case, path: str) -> str:
    """`$.ieps[1].services[0]` -> `the speech therapy service of IEP iep-2025`."""
    names: list[str] = []
    holder: Any = case
    for field, index in _STEP.findall(path):
        holder = getattr(holder, field, None)
        if index == "" or not isinstance(holder, tuple):
            continue
        item = holder[int(index)] if int(index) < len(holder) else None
        holder = item
        kind = _RECORDS.get(field, field.replace("_", " "))
        label = getattr(item, "id", None)
        if field == "services" and item is not None:
            names.append(f"the {service_name(item.name).lower()} service")
            continue
        when = getattr(item, "date", None)
        if label is None and isinstance(when, dt.date):
            label = f"of {day(when)}"
        names.append(f"{kind} {label}" if label else kind)
    return " of ".join(reversed(names)) if names else "the case"


def fact_words(case: Case, evidence: Evidence, subject: str | None = None) -> str:
    """What a fact is, in words: `the end date of IEP iep-2025`, `the student's date of birth`;
    a derived fact by its declared meaning, said to be worked out (`subject`: the item's path)."""
    if evidence.derived:
        # the meaning's first clause: the rest details edge cases for rule authors
        meaning = evidence.derived.split(": ")[0].split("; ")[0]
        meaning = meaning.replace("`as_of`", "the date of this review").replace("`", "")
        owner = record_name(case, subject) if subject else "the case"
        where = "" if owner == "the case" else f"{owner}, "
        return f"{meaning} ({where}worked out from the file)"
    name = evidence.fact.split(".")[-1]
    words = _FIELD_WORDS.get(name, name.replace("_", " "))
    if name.endswith("_on_file"):
        return f"the number of {name[:-len('_on_file')].replace('_', ' ')} on file"
    if evidence.fact.startswith("student."):
        return words if words.startswith("whether") else f"the student's {words}"
    if evidence.fact == "as_of":
        return "the date of this review"
    parts = evidence.fact.split(".")
    if len(parts) > 1 and parts[0] not in ("case", "ledger", "iep", "$"):
        words = f"{parts[-2].replace('_', ' ')} {words}"  # `assessment.mode`: assessment mode
    owner = ""
    if evidence.path:
        owner = record_name(case, evidence.path.rsplit(".", 1)[0])
    elif subject and len(parts) > 1 and parts[0] != "$":
        owner = record_name(case, subject)  # a field of an unrecorded part of the item
    if not owner or owner == "the case":
        return words
    if words.startswith(("whether", "how", "who", "where")):
        return f"{words} ({owner})"
    return f"{words} of {owner}" if words.startswith("the ") else f"the {words} of {owner}"


def evidence_line(case: Case, evidence: Evidence, subject: str | None = None) -> str:
    return f"{fact_words(case, evidence, subject)}: {value(evidence.value)}"


def missing_line(case: Case, finding: Finding) -> str:
    """`The file does not say the student's date of birth.`"""
    gaps = [e for e in finding.evidence if e.value is None and (e.path in finding.missing
                                                               or e.fact in finding.missing)]
    if not gaps:
        return "The file does not record a fact this rule needs."
    return "The file does not say " + "; nor ".join(fact_words(case, e, finding.subject)
                                                    for e in gaps) + "."


def ledger_line(case: Case, ledger: MandateLedger) -> str:
    """`Speech therapy, IEP of 2024-10-07: 16 expected, 9 delivered, 5 owed` (sessions, or
    minutes where the IEP counts minutes)."""
    iep = next((i for i in case.ieps or () if i.id == ledger.iep_id), None)
    since = iep.start if iep is not None and iep.start else ledger.start
    head = f"{service_name(ledger.service_name)}, IEP of {since.isoformat()}"
    if ledger.measure == "minutes":
        return (f"{head}: {ledger.expected_minutes} minutes expected, "
                f"{ledger.delivered_minutes} delivered, {ledger.owed_minutes} owed")
    return (f"{head}: {ledger.expected} expected, {ledger.delivered} delivered, "
            f"{ledger.owed_sessions} owed")
