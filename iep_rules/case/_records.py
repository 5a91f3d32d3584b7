"""Case records: what a child's special-education file says, as frozen, validated attrs classes.

Records hold facts only; they know nothing of rules. `None` means "not recorded", which the
engine treats as unknown (a needs-data finding), never as false. The same holds for the case's
lists: a list the file does not carry (`None`) is unknown, while `[]` says there were none
(docs/timeline.md, "Missing and empty lists").
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from enum import StrEnum
from typing import Any

import attrs
from attrs import validators as v


class Classification(StrEnum):
    """The 13 IDEA categories (34 CFR 300.8(c)) plus the federal developmental-delay option."""

    AUTISM = "autism"
    DEAF_BLINDNESS = "deaf_blindness"
    DEAFNESS = "deafness"
    EMOTIONAL_DISTURBANCE = "emotional_disturbance"
    HEARING_IMPAIRMENT = "hearing_impairment"
    INTELLECTUAL_DISABILITY = "intellectual_disability"
    MULTIPLE_DISABILITIES = "multiple_disabilities"
    ORTHOPEDIC_IMPAIRMENT = "orthopedic_impairment"
    OTHER_HEALTH_IMPAIRMENT = "other_health_impairment"
    SPECIFIC_LEARNING_DISABILITY = "specific_learning_disability"
    SPEECH_OR_LANGUAGE_IMPAIRMENT = "speech_or_language_impairment"
    TRAUMATIC_BRAIN_INJURY = "traumatic_brain_injury"
    VISUAL_IMPAIRMENT = "visual_impairment"
    DEVELOPMENTAL_DELAY = "developmental_delay"
    PRESCHOOL_STUDENT_WITH_A_DISABILITY = "preschool_student_with_a_disability"


class DeterminantFactor(StrEnum):
    DISABILITY = "disability"
    LACK_OF_READING_INSTRUCTION = "lack_of_appropriate_reading_instruction"
    LACK_OF_MATH_INSTRUCTION = "lack_of_appropriate_math_instruction"
    LIMITED_ENGLISH_PROFICIENCY = "limited_english_proficiency"
    OTHER = "other"


class Outcome(StrEnum):
    ELIGIBLE = "eligible"
    NOT_ELIGIBLE = "not_eligible"


class ConsentKind(StrEnum):
    INITIAL_EVALUATION = "initial_evaluation"
    INITIAL_SERVICES = "initial_services"
    REEVALUATION = "reevaluation"


class ConsentResponse(StrEnum):
    GIVEN = "given"
    REFUSED = "refused"
    REVOKED = "revoked"
    NO_RESPONSE = "no_response"  # asked, the parent did not answer (300.300(c)(2))


class EvaluationKind(StrEnum):
    INITIAL = "initial"
    REEVALUATION = "reevaluation"


class Evaluator(StrEnum):
    """Who conducted an evaluation: only the district's own count for its clocks (300.502)."""

    DISTRICT = "district"
    INDEPENDENT = "independent"  # an independent educational evaluation (IEE)


class MeetingPurpose(StrEnum):
    """Why an IEP team met; only initial and annual-review meetings reset the annual clock."""

    INITIAL = "initial"
    ANNUAL_REVIEW = "annual_review"
    AMENDMENT = "amendment"
    REEVALUATION_REVIEW = "reevaluation_review"
    MANIFESTATION_DETERMINATION = "manifestation_determination"  # 300.530(e): not an IEP review
    OTHER = "other"


class ExitReason(StrEnum):
    """Ways a child leaves special education (300.102(a)(3), 300.305(e), 300.300(b)(4))."""

    GRADUATED_REGULAR_DIPLOMA = "graduated_regular_diploma"
    AGED_OUT = "aged_out"
    MOVED_OUT = "moved_out"
    REVOKED_CONSENT = "revoked_consent"
    NOT_ELIGIBLE = "not_eligible"


class FrequencyUnit(StrEnum):
    DAY = "day"
    WEEK = "week"
    MONTH = "month"
    YEAR = "year"


class SessionStatus(StrEnum):
    DELIVERED = "delivered"
    MISSED = "missed"
    MAKEUP = "makeup"


class Measure(StrEnum):
    """How a service amount is counted: whole sessions of the stated duration, or minutes that
    may be delivered in any session lengths (times x duration minutes per period)."""

    SESSIONS = "sessions"
    MINUTES = "minutes"


class MissReason(StrEnum):
    """Why a logged session did not happen, in the terms real service logs use."""

    PROVIDER_ABSENCE = "provider_absence"
    PROVIDER_VACANCY = "provider_vacancy"
    PROVIDER_OTHER_DUTIES = "provider_other_duties"  # assessments, coverage, meetings
    SCHOOL_CAUSED = "school_caused"  # trips, assemblies, testing days
    SCHOOL_CLOSURE = "school_closure"
    DISCIPLINARY_REMOVAL = "disciplinary_removal"
    STUDENT_ABSENCE = "student_absence"
    STUDENT_UNAVAILABLE = "student_unavailable"
    PARENT_CANCELLATION = "parent_cancellation"
    OTHER = "other"


WEEKDAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")

# Sane maxima for service amounts, checked when a case loads (docs/ledger.md, "Limits"). They
# are far above any real IEP and keep the ledger's work bounded on hostile input.
MAX_SESSION_MINUTES = 24 * 60  # no session is longer than a day
MAX_SESSIONS_PER_DAY = 24
DAYS_PER_UNIT = {"day": 1, "week": 7, "month": 31, "year": 366}  # longest possible period


class RequestResponse(StrEnum):
    GRANTED = "granted"
    REFUSED = "refused"
    PENDING = "pending"


class AssessmentMode(StrEnum):
    """How the IEP says the child takes state and district assessments (34 CFR 300.320(a)(6),
    300.160). `exempt` is recordable because IEPs say it; the law offers no exemption."""

    STANDARD = "standard"
    STANDARD_WITH_ACCOMMODATIONS = "standard_with_accommodations"
    ALTERNATE = "alternate"
    EXEMPT = "exempt"


class AttemptKind(StrEnum):
    """Ways a district tries to involve a parent in a meeting: the meeting notice, and the
    kinds of record 34 CFR 300.322(d)(1)-(3) names (calls, correspondence, visits)."""

    MEETING_NOTICE = "meeting_notice"
    PHONE_CALL = "phone_call"
    CORRESPONDENCE = "correspondence"
    VISIT = "visit"
    OTHER = "other"


# ---- issue 14 areas: implementation, evaluation rights, notices, discipline, progress/ESY,
# transfer, no cost. Every field and list below is optional so existing case files stay valid;
# where "not recorded" and "none" differ, a list is `None` when absent and `[]` when none.


class RemovalKind(StrEnum):
    OUT_OF_SCHOOL_SUSPENSION = "out_of_school_suspension"
    IN_SCHOOL_SUSPENSION = "in_school_suspension"
    INTERIM_ALTERNATIVE_SETTING = "interim_alternative_setting"
    EXPULSION = "expulsion"
    OTHER_REMOVAL = "other_removal"


class SpecialCircumstance(StrEnum):
    """The three grounds of 34 CFR 300.530(g) for a removal of up to 45 school days."""

    WEAPON = "weapon"
    DRUGS = "drugs"
    SERIOUS_BODILY_INJURY = "serious_bodily_injury"


class BehaviorPlanKind(StrEnum):
    FBA = "fba"  # functional behavioral assessment
    BIP = "bip"  # behavioral intervention plan written
    BIP_REVIEW = "bip_review"  # existing plan reviewed and modified as needed


class NoticeAction(StrEnum):
    PROPOSED = "proposed"
    REFUSED = "refused"


class CostRequest(StrEnum):
    """What the school asked of the parent for a service in the IEP."""

    ASKED_TO_PAY = "asked_to_pay"
    ASKED_TO_ARRANGE = "asked_to_arrange"
    CHARGED = "charged"


class ClockException(StrEnum):
    """The two federal exceptions to the initial-evaluation clock (34 CFR 300.301(d))."""

    PARENT_DID_NOT_PRODUCE_CHILD = "parent_did_not_produce_child"
    TRANSFERRED = "transferred"

class ParticipationMethod(StrEnum):
    """Ways a parent who is not in the room can take part (34 CFR 300.322(c), 300.328)."""

    TELEPHONE = "telephone"
    VIDEO_CONFERENCE = "video_conference"


class FieldError(ValueError):
    """A record-level check failed on one field: carries the field name, so the error can be
    reported at the field's JSON path instead of at the record."""

    def __init__(self, field: str, message: str) -> None:
        self.field = field
        super().__init__(message)


JURISDICTION_PATTERN = re.compile(r"US(-[A-Z]{2}(-[A-Z0-9]{2,8})?)?")


def _lower_weekdays(value: object) -> object:
    """Weekday names are accepted in any letter case and stored in lower case."""
    if isinstance(value, list | tuple):
        return tuple(x.lower() if isinstance(x, str) else x for x in value)
    return value


def _known_weekdays(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    for day in value:
        if day not in WEEKDAY_NAMES:
            shown = ascii(day[:20]) if isinstance(day, str) else type(day).__name__
            raise FieldError(attribute.name, f"unknown weekday {shown}; expected one of "
                                             f"{', '.join(WEEKDAY_NAMES)}")


def _jurisdiction(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    if not isinstance(value, str) or not JURISDICTION_PATTERN.fullmatch(value):
        shown = ascii(value[:20]) if isinstance(value, str) else type(value).__name__
        raise FieldError(attribute.name, "expected a code such as US, US-NY or US-NY-NYC (US, "
                                         "then a state's two-letter postal code, then a "
                                         f"district); got {shown}")


def _nonempty(instance: object, attribute: attrs.Attribute[str], value: str) -> None:
    if not value.strip():
        raise ValueError(f"{attribute.name} must not be empty")




def _ordered(start: str, end: str) -> Callable[[Any, attrs.Attribute[Any], Any], None]:
    """Class-level check that one date field does not come after another."""

    def check(instance: Any, attribute: attrs.Attribute[Any], value: Any) -> None:
        first, last = getattr(instance, start), getattr(instance, end)
        if first is not None and last is not None and last < first:
            raise ValueError(f"{end} ({last}) is before {start} ({first})")

    return check


_date = v.instance_of(dt.date)
_opt_date = v.optional(_date)
_opt_bool = v.optional(v.instance_of(bool))
_opt_str = v.optional(v.instance_of(str))
_str_list = v.deep_iterable(v.instance_of(str), v.instance_of(tuple))
_positive = v.and_(v.instance_of(int), v.ge(1))


def _tuple(value: object) -> object:
    return tuple(value) if isinstance(value, list) else value


_minutes = v.and_(v.instance_of(int), v.ge(1), v.le(MAX_SESSION_MINUTES))


# The contents of prior written notice, 34 CFR 300.503(b)(1)-(7), in order.
PWN_ELEMENTS = ("action", "reasons", "evaluation_basis", "safeguards", "sources_of_help",
                "options_considered", "other_factors")


def _pwn_elements(instance: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    """A misspelt code must be an error, not a notice that lacks that content."""
    if value is None:
        return
    _str_list(instance, attribute, value)
    for code in value:
        if code not in PWN_ELEMENTS:
            raise FieldError(attribute.name, f"unknown notice content code {code[:40]!a}; "
                                             f"expected one of {', '.join(PWN_ELEMENTS)}")


def _miss_reason(value: object) -> Any:
    """Converter: a plain string (from code, not JSON) to its MissReason; None stays None."""
    return MissReason(value) if isinstance(value, str) else value


def _tuple_or_unrecorded(value: object) -> object:
    """An attendance list with nobody on it says nothing about who attended (a meeting always
    has someone at it): it is stored as not recorded, so rules read it as unknown."""
    value = _tuple(value)
    return None if value == () else value


@attrs.frozen
class Student:
    id: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    date_of_birth: dt.date | None = attrs.field(default=None, validator=_opt_date)
    english_learner: bool | None = attrs.field(default=None, validator=_opt_bool)
    home_language: str | None = attrs.field(default=None, validator=_opt_str)
    school: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen
class Referral:
    date: dt.date = attrs.field(validator=_date)
    source: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen
class Consent:
    kind: ConsentKind
    date: dt.date = attrs.field(validator=_date)
    response: ConsentResponse = ConsentResponse.GIVEN
    written: bool | None = attrs.field(default=None, validator=_opt_bool)
    # A revocation: when the district's prior written notice went out, and the date it set for
    # services to stop (300.300(b)(4)(i)). Sessions up to that date are lawful.
    prior_written_notice_date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    services_cease: dt.date | None = attrs.field(default=None, validator=_opt_date)
    # A request with no response: whether the file documents the district's reasonable efforts
    # to obtain consent (300.300(c)(2)(i)).
    reasonable_efforts: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen
class Evaluation:
    kind: EvaluationKind
    consent_date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    completed: dt.date | None = attrs.field(
        default=None, validator=[_opt_date, _ordered("consent_date", "completed")]
    )
    purpose: str = "idea"
    conducted_by: Evaluator = Evaluator.DISTRICT
    # Whether new tests were given; a review of existing data needs no consent (300.300(d)(1)).
    new_assessments: bool | None = attrs.field(default=None, validator=_opt_bool)
    needs: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_str_list)
    recommended_services: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, validator=_str_list
    )
    # issue 14: areas of suspected disability and areas assessed; 60-day clock exceptions
    suspected_areas: tuple[str, ...] | None = attrs.field(default=None, converter=_tuple)
    areas_assessed: tuple[str, ...] | None = attrs.field(default=None, converter=_tuple)
    clock_exception: ClockException | None = None
    completion_date_agreed: dt.date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen
class Eligibility:
    date: dt.date = attrs.field(validator=_date)
    outcome: Outcome
    classification: Classification | None = None
    adverse_effect: bool | None = attrs.field(default=None, validator=_opt_bool)
    needs_special_education: bool | None = attrs.field(default=None, validator=_opt_bool)
    determinant_factors: tuple[DeterminantFactor, ...] = attrs.field(
        default=(), converter=_tuple
    )
    exclusionary_causes: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, validator=_str_list
    )
    impairments_noted: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, validator=_str_list
    )
    section_504_referral: bool | None = attrs.field(default=None, validator=_opt_bool)
    # issue 14: copy of the evaluation report and eligibility documentation to the parent
    report_copy_given: bool | None = attrs.field(default=None, validator=_opt_bool)
    report_copy_date: dt.date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen
class Meeting:
    date: dt.date = attrs.field(validator=_date)
    purpose: MeetingPurpose
    attendees: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_str_list)
    parent_language: str | None = attrs.field(default=None, validator=_opt_str)
    interpreter_requested: bool | None = attrs.field(default=None, validator=_opt_bool)
    interpreter_provided: bool | None = attrs.field(default=None, validator=_opt_bool)
    # 34 CFR 300.322(e): the duty to make the meeting understandable does not wait for a
    # request. A parent who is deaf, or a meeting held in the parent's own language, or a
    # parent who declined an interpreter, changes what the record must show.
    parent_deaf: bool | None = attrs.field(default=None, validator=_opt_bool)
    meeting_language: str | None = attrs.field(default=None, validator=_opt_str)
    interpreter_declined: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen
class Frequency:
    """A service amount such as 2 sessions per week. `measure: minutes` makes the amount
    times x duration minutes per period in any session lengths; `prorated: true` (the IEP says
    so) spreads a per-year amount over the year's school days instead of counting it at the end."""

    times: int = attrs.field(validator=_positive)
    per: FrequencyUnit
    measure: Measure = Measure.SESSIONS
    prorated: bool = attrs.field(default=False, validator=v.instance_of(bool))

    def __attrs_post_init__(self) -> None:
        most = MAX_SESSIONS_PER_DAY * DAYS_PER_UNIT[self.per.value]
        if self.times > most:
            raise ValueError(f"times: at most {most} sessions per {self.per.value} "
                             f"({MAX_SESSIONS_PER_DAY} a day), got {self.times}")


@attrs.frozen
class Service:
    id: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    name: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    type: str = "related_service"
    frequency: Frequency | None = None
    duration_minutes: int | None = attrs.field(default=None, validator=v.optional(_minutes))
    location: str | None = attrs.field(default=None, validator=_opt_str)
    start: dt.date | None = attrs.field(default=None, validator=_opt_date)
    end: dt.date | None = attrs.field(default=None, validator=[_opt_date, _ordered("start", "end")])
    basis: str | None = attrs.field(default=None, validator=_opt_str)
    weekdays: tuple[str, ...] = attrs.field(default=(), converter=_lower_weekdays,
                                            validator=[_str_list, _known_weekdays])
    group_size: int | None = attrs.field(default=None, validator=v.optional(_positive))
    # implementation (issue 14): who delivers it and since when
    provider: str | None = attrs.field(default=None, validator=_opt_str)
    provider_assigned_on: dt.date | None = attrs.field(default=None, validator=_opt_date)

    def __attrs_post_init__(self) -> None:
        if self.frequency is None or self.duration_minutes is None:
            return
        most = MAX_SESSION_MINUTES * DAYS_PER_UNIT[self.frequency.per.value]
        amount = self.frequency.times * self.duration_minutes
        if amount > most:
            raise ValueError(f"frequency x duration_minutes: {amount} minutes per "
                             f"{self.frequency.per.value} is more than the period holds ({most})")


@attrs.frozen
class Goal:
    area: str
    measurable: bool | None = attrs.field(default=None, validator=_opt_bool)
    objectives_measurable: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen
class Assessment:
    mode: AssessmentMode | None = None
    accommodations: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, validator=_str_list
    )
    alternate_assessment: str | None = attrs.field(default=None, validator=_opt_str)  # e.g. NYSAA
    # Why the regular assessment does not fit and why the alternate does (300.320(a)(6)(ii)).
    alternate_reason: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen
class Excusal:
    """A required member excused from an IEP meeting (34 CFR 300.321(e)). `parent_agreed_in_writing`
    is the parent's written agreement ((e)(1)) or written consent ((e)(2)); `written_input` is the
    member's written input given to the parent and team before the meeting, needed when the
    member's area was to be changed or discussed ((e)(2))."""

    role: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    parent_agreed_in_writing: bool | None = attrs.field(default=None, validator=_opt_bool)
    area_discussed: bool | None = attrs.field(default=None, validator=_opt_bool)
    written_input: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen
class RescheduleRequest:
    """A parent's request to move the meeting, and the district's answer."""

    date: dt.date = attrs.field(validator=_date)
    response: RequestResponse | None = None


@attrs.frozen
class ParticipationAttempt:
    """One documented attempt to involve the parent (34 CFR 300.322(a), (d))."""

    date: dt.date = attrs.field(validator=_date)
    kind: AttemptKind
    result: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen
class Transition:
    postsecondary_goals: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, validator=_str_list
    )
    services: tuple[str, ...] = attrs.field(default=(), converter=_tuple, validator=_str_list)


@attrs.frozen
class IEPCopy:
    """A copy of (or access to) the IEP given to a teacher or provider responsible for it."""

    recipient: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    date: dt.date = attrs.field(validator=_date)
    informed_of_responsibilities: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen
class ESYDecision:
    """The team's extended school year decision and what it rested on."""

    date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    needed: bool | None = attrs.field(default=None, validator=_opt_bool)
    basis: tuple[str, ...] | None = attrs.field(default=None, converter=_tuple)
    limited_by_policy: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen
class IEP:
    id: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    meeting_date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    start: dt.date | None = attrs.field(default=None, validator=_opt_date)
    end: dt.date | None = attrs.field(default=None, validator=[_opt_date, _ordered("start", "end")])
    purpose: MeetingPurpose | None = None  # why the meeting that wrote this IEP was held
    # Roles at the IEP meeting; empty or absent means not recorded (see _tuple_or_unrecorded).
    team_present: tuple[str, ...] | None = attrs.field(
        default=None, converter=_tuple_or_unrecorded, validator=v.optional(_str_list)
    )
    excusals: tuple[Excusal, ...] = attrs.field(default=(), converter=_tuple)
    # Whether the child is, or may be, in the regular education environment (300.321(a)(2)).
    in_regular_education: bool | None = attrs.field(default=None, validator=_opt_bool)
    parent_participated_by: ParticipationMethod | None = None
    reschedule_requests: tuple[RescheduleRequest, ...] | None = attrs.field(
        default=None, converter=_tuple
    )
    participation_attempts: tuple[ParticipationAttempt, ...] | None = attrs.field(
        default=None, converter=_tuple
    )
    present_levels: tuple[str, ...] | None = attrs.field(default=None, converter=_tuple)
    goals: tuple[Goal, ...] | None = attrs.field(default=None, converter=_tuple)
    progress_measurement: str | None = attrs.field(default=None, validator=_opt_str)
    progress_report_schedule: str | None = attrs.field(default=None, validator=_opt_str)
    services: tuple[Service, ...] = attrs.field(default=(), converter=_tuple)
    nondisabled_participation: str | None = attrs.field(default=None, validator=_opt_str)
    assessment: Assessment | None = None
    promotion_criteria: str | None = attrs.field(default=None, validator=_opt_str)
    promotion_criteria_description: str | None = attrs.field(default=None, validator=_opt_str)
    diploma_objective: str | None = attrs.field(default=None, validator=_opt_str)
    transition: Transition | None = None
    language_of_instruction: str | None = attrs.field(default=None, validator=_opt_str)
    enl_services: bool | None = attrs.field(default=None, validator=_opt_bool)
    makeup_provision: str | None = attrs.field(default=None, validator=_opt_str)
    # issue 14: distribution to staff, copy to parent, progress reports, ESY
    responsible_staff: tuple[str, ...] | None = attrs.field(default=None, converter=_tuple)
    distributed_to: tuple[IEPCopy, ...] | None = attrs.field(default=None, converter=_tuple)
    parent_copy_given: bool | None = attrs.field(default=None, validator=_opt_bool)
    parent_copy_date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    progress_reports_due: tuple[dt.date, ...] | None = attrs.field(default=None, converter=_tuple)
    progress_reports_issued: tuple[dt.date, ...] | None = attrs.field(
        default=None, converter=_tuple)
    esy: ESYDecision | None = None


@attrs.frozen
class RefusedService:
    service: str
    reason: str


@attrs.frozen
class Placement:
    date: dt.date = attrs.field(validator=_date)
    setting: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    # Who decided; empty or absent means not recorded (see _tuple_or_unrecorded).
    decided_by: tuple[str, ...] | None = attrs.field(
        default=None, converter=_tuple_or_unrecorded, validator=v.optional(_str_list)
    )
    basis_factors: tuple[str, ...] = attrs.field(
        default=(), converter=_tuple, validator=_str_list
    )
    services_refused: tuple[RefusedService, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen
class ParentRequest:
    date: dt.date = attrs.field(validator=_date)
    kind: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    response: RequestResponse = RequestResponse.PENDING
    prior_written_notice_date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    # issue 14 (independent educational evaluation requests): the answer and any hearing filed
    response_date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    due_process_filed: bool | None = attrs.field(default=None, validator=_opt_bool)
    due_process_filed_on: dt.date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen
class WrittenAgreement:
    date: dt.date = attrs.field(validator=_date)
    kind: str = attrs.field(validator=[v.instance_of(str), _nonempty])


@attrs.frozen
class Exit:
    """The child left special education on this date; no clock runs after it."""

    date: dt.date = attrs.field(validator=_date)
    reason: ExitReason


@attrs.frozen
class SessionLog:
    """One entry of a service log. `group_size` is how many children the session served (1 =
    individual); `reason` says why a missed session did not happen (none recorded = unknown)."""

    date: dt.date = attrs.field(validator=_date)
    service: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    status: SessionStatus
    minutes: int | None = attrs.field(
        default=None, validator=v.optional(v.and_(v.instance_of(int), v.ge(0),
                                                  v.le(MAX_SESSION_MINUTES))))
    reason: MissReason | None = attrs.field(default=None, converter=_miss_reason)
    makeup_for: dt.date | None = attrs.field(default=None, validator=_opt_date)
    group_size: int | None = attrs.field(default=None, validator=v.optional(_positive))


@attrs.frozen
class Closure:
    start: dt.date = attrs.field(validator=_date)
    end: dt.date = attrs.field(validator=[_date, _ordered("start", "end")])
    name: str | None = None


@attrs.frozen
class SchoolCalendar:
    year_start: dt.date = attrs.field(validator=_date)
    year_end: dt.date = attrs.field(validator=[_date, _ordered("year_start", "year_end")])
    closures: tuple[Closure, ...] = attrs.field(default=(), converter=_tuple)


@attrs.frozen
class ProvisionCheck:
    """A dated observation of whether a service, program or accommodation in the IEP was in
    place (a classroom visit, a provider's or teacher's report, a parent's documented report)."""

    date: dt.date = attrs.field(validator=_date)
    service: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    provided: bool = attrs.field(validator=v.instance_of(bool))
    source: str | None = attrs.field(default=None, validator=_opt_str)
    note: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen
class ManifestationReview:
    """The manifestation determination for one removal. `held: false` records that none was."""

    held: bool = attrs.field(default=True, validator=v.instance_of(bool))
    date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    caused_by_disability: bool | None = attrs.field(default=None, validator=_opt_bool)
    iep_not_implemented: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen
class Removal:
    """A disciplinary removal from the child's placement, first and last day inclusive."""

    start: dt.date = attrs.field(validator=_date)
    kind: RemovalKind
    end: dt.date | None = attrs.field(default=None, validator=[_opt_date, _ordered("start", "end")])
    reason: str | None = attrs.field(default=None, validator=_opt_str)
    special_circumstance: SpecialCircumstance | None = None
    decision_date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    decided_by: str | None = attrs.field(default=None, validator=_opt_str)
    change_of_placement: bool | None = attrs.field(default=None, validator=_opt_bool)
    counts_as_removal: bool | None = attrs.field(default=None, validator=_opt_bool)
    services_provided: bool | None = attrs.field(default=None, validator=_opt_bool)
    manifestation: ManifestationReview | None = None


@attrs.frozen
class BehaviorPlan:
    kind: BehaviorPlanKind
    date: dt.date = attrs.field(validator=_date)


@attrs.frozen
class PriorWrittenNotice:
    """Prior written notice of a proposal or refusal. `elements` lists which of the required
    contents it has (see docs/areas.md for the codes); `None` means they were not reviewed."""

    date: dt.date = attrs.field(validator=_date)
    subject: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    action: NoticeAction = NoticeAction.PROPOSED
    effective_date: dt.date | None = attrs.field(default=None, validator=_opt_date)
    elements: tuple[str, ...] | None = attrs.field(default=None, converter=_tuple,
                                                   validator=_pwn_elements)
    language: str | None = attrs.field(default=None, validator=_opt_str)
    parent_language: str | None = attrs.field(default=None, validator=_opt_str)
    translation_not_feasible: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen
class SafeguardsNotice:
    date: dt.date = attrs.field(validator=_date)
    occasion: str | None = attrs.field(default=None, validator=_opt_str)


@attrs.frozen
class ParentCost:
    """The school asked the parent to pay for, or to arrange, something the IEP provides."""

    date: dt.date = attrs.field(validator=_date)
    item: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    request: CostRequest
    fee_charged_to_all_students: bool | None = attrs.field(default=None, validator=_opt_bool)


@attrs.frozen
class Transfer:
    """The child enrolled here from another public agency while an IEP was in effect there."""

    enrolled: dt.date = attrs.field(validator=_date)
    interstate: bool | None = attrs.field(default=None, validator=_opt_bool)
    same_school_year: bool | None = attrs.field(default=None, validator=_opt_bool)
    prior_iep_in_effect: bool | None = attrs.field(default=None, validator=_opt_bool)
    comparable_services_provided: bool | None = attrs.field(default=None, validator=_opt_bool)
    comparable_services_from: dt.date | None = attrs.field(default=None, validator=_opt_date)
    new_iep_date: dt.date | None = attrs.field(default=None, validator=_opt_date)


@attrs.frozen
class Case:
    """One child's case file: the aggregate every rule reads."""

    id: str = attrs.field(validator=[v.instance_of(str), _nonempty])
    jurisdiction: str = attrs.field(validator=_jurisdiction)
    student: Student
    referral: Referral | None = None
    # Each list: None when the file does not carry it (unknown), () when it says there were none.
    consents: tuple[Consent, ...] | None = attrs.field(default=None, converter=_tuple)
    evaluations: tuple[Evaluation, ...] | None = attrs.field(default=None, converter=_tuple)
    eligibility: tuple[Eligibility, ...] | None = attrs.field(default=None, converter=_tuple)
    meetings: tuple[Meeting, ...] | None = attrs.field(default=None, converter=_tuple)
    ieps: tuple[IEP, ...] | None = attrs.field(default=None, converter=_tuple)
    placements: tuple[Placement, ...] | None = attrs.field(default=None, converter=_tuple)
    parent_requests: tuple[ParentRequest, ...] | None = attrs.field(default=None, converter=_tuple)
    agreements: tuple[WrittenAgreement, ...] | None = attrs.field(default=None, converter=_tuple)
    sessions: tuple[SessionLog, ...] | None = attrs.field(default=None, converter=_tuple)
    calendars: tuple[SchoolCalendar, ...] | None = attrs.field(default=None, converter=_tuple)
    exits: tuple[Exit, ...] | None = attrs.field(default=None, converter=_tuple)
    # issue 14 areas (see docs/areas.md); a list that is `None` was not recorded at all
    provision_checks: tuple[ProvisionCheck, ...] = attrs.field(default=(), converter=_tuple)
    removals: tuple[Removal, ...] = attrs.field(default=(), converter=_tuple)
    behavior_plans: tuple[BehaviorPlan, ...] | None = attrs.field(default=None, converter=_tuple)
    prior_written_notices: tuple[PriorWrittenNotice, ...] = attrs.field(
        default=(), converter=_tuple)
    safeguards_notices: tuple[SafeguardsNotice, ...] | None = attrs.field(
        default=None, converter=_tuple)
    parent_costs: tuple[ParentCost, ...] = attrs.field(default=(), converter=_tuple)
    transfers: tuple[Transfer, ...] = attrs.field(default=(), converter=_tuple)
