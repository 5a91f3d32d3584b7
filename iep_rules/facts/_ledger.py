"""The service-delivery ledger: what a mandate expected, what the log shows, and what is owed.

Per mandate (an IEP service) and period, up to the as-of date:
  expected = delivered + missed + undocumented      (log entries beyond `expected` in a period
                                                     are reported as `excess`, not counted)
Owed items are the counted misses whose reason the policy treats as owed, plus undocumented
sessions when the policy says so; each item names the date (or period) it comes from. Make-up
sessions cancel the miss they name, or else the oldest owed item, whatever the reason of the miss
they were for (a make-up is delivered service); owed never goes negative. Partial sessions add
their missing minutes to the owed minutes. The ledger reports quantities; deciding compensatory
services is for the IEP team.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict
from collections.abc import Mapping
from typing import Any

import attrs

from ..case._records import IEP, Case, FrequencyUnit, Service, SessionLog, SessionStatus
from ._schedule import closure_days, fixed_day_dates, period_key, school_days

# Defaults; each is a rule-file parameter an overlay can override (rules/us/idea/parameters.yaml).
DEFAULT_POLICY: dict[str, Any] = {
    "makeup_owed_reasons": ("provider_absence", "provider_vacancy", "school_caused"),
    "makeup_closure_on_fixed_day_owed": False,
    "makeup_undocumented_owed": True,
    "makeup_partial_minutes_owed": True,
}

MISS_REASONS = ("provider_absence", "provider_vacancy", "school_caused", "school_closure",
                "student_absence", "student_unavailable", "parent_cancellation", "other")


@attrs.frozen
class Policy:
    owed_reasons: frozenset[str]
    closure_on_fixed_day_owed: bool
    undocumented_owed: bool
    partial_minutes_owed: bool

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> Policy:
        values = {**DEFAULT_POLICY, **params}
        return cls(frozenset(values["makeup_owed_reasons"]),
                   bool(values["makeup_closure_on_fixed_day_owed"]),
                   bool(values["makeup_undocumented_owed"]),
                   bool(values["makeup_partial_minutes_owed"]))


@attrs.frozen
class OwedItem:
    source: str  # the missed date (YYYY-MM-DD) or, for undocumented sessions, the period
    reason: str


@attrs.frozen
class PeriodLine:
    period: str
    expected: int
    delivered: int
    missed: int
    undocumented: int


@attrs.frozen
class MandateLedger:
    subject: str
    iep_id: str
    service_id: str
    service_name: str
    per: str
    duration_minutes: int
    expected: int
    delivered: int
    missed_by_reason: dict[str, int]
    undocumented: int
    excess: int
    made_up: int
    partial_sessions: int
    partial_minutes_short: int
    owed: tuple[OwedItem, ...]
    owed_minutes: int
    first_delivered: dt.date | None
    late_start_days: int | None
    periods: tuple[PeriodLine, ...]

    @property
    def missed(self) -> int:
        return sum(self.missed_by_reason.values())

    @property
    def owed_sessions(self) -> int:
        return len(self.owed)

    def facts(self) -> dict[str, Any]:
        """The figures rules read as `ledger.*`."""
        mandated = self.expected * self.duration_minutes
        return {
            "$path": None,
            "expected": self.expected,
            "delivered": self.delivered,
            "missed": self.missed,
            "undocumented": self.undocumented,
            "made_up": self.made_up,
            "owed_sessions": self.owed_sessions,
            "owed_minutes": self.owed_minutes,
            "owed_dates": tuple(item.source for item in self.owed),
            "partial_sessions": self.partial_sessions,
            "late_start_days": self.late_start_days,
            "shortfall_percent": (100 * self.owed_minutes // mandated) if mandated else 0,
        }


def _window(service: Service, iep: IEP, as_of: dt.date) -> tuple[dt.date, dt.date] | None:
    start = service.start or iep.start
    end = min(d for d in (service.end, iep.end, as_of) if d is not None)
    if start is None or start > end:
        return None
    return start, end


def _sort_key(log: SessionLog) -> tuple[dt.date, str, str, int, dt.date]:
    return (log.date, log.status.value, log.reason or "", log.minutes or 0,
            log.makeup_for or dt.date.min)


SchoolDays = tuple[set[dt.date], dict[dt.date, str]]


def case_school_days(case: Case) -> SchoolDays:
    """The case's open school days and named closures, computed once for all its services."""
    return school_days(case.calendars), closure_days(case.calendars)


def mandate_ledger(case: Case, iep_index: int, service_index: int, as_of: dt.date,
                   policy: Policy, days: SchoolDays | None = None) -> MandateLedger | None:
    """The ledger of one service, or None when the mandate or the calendar is not recorded.
    `days` is `case_school_days(case)`, passed in when several services share it."""
    iep = case.ieps[iep_index]
    service = iep.services[service_index]
    if service.frequency is None or service.duration_minutes is None or not case.calendars:
        return None
    window = _window(service, iep, as_of)
    if window is None:
        return None
    start, end = window
    unit, times, minutes = service.frequency.per, service.frequency.times, service.duration_minutes
    all_open, all_closed = days or case_school_days(case)
    open_days = {d for d in all_open if start <= d <= end}
    closed = {d: n for d, n in all_closed.items() if start <= d <= end}
    logs = sorted((s for s in case.sessions if s.service == service.id and start <= s.date <= end),
                  key=_sort_key)
    synthetic: list[SessionLog] = []

    expected: Counter[str] = Counter()
    if service.weekdays and unit is FrequencyUnit.WEEK:
        for day in fixed_day_dates(service.weekdays, start, end):
            if day in open_days:
                expected[period_key(day, unit)] += 1
            elif day in closed and policy.closure_on_fixed_day_owed:
                expected[period_key(day, unit)] += 1
                if not any(s.date == day for s in logs):
                    synthetic.append(SessionLog(day, service.id, SessionStatus.MISSED,
                                                reason="school_closure"))
    else:
        days_in: Counter[str] = Counter(period_key(d, unit) for d in open_days)
        for key, n in days_in.items():
            expected[key] = times * n if unit is FrequencyUnit.DAY else min(times, n)

    owed_reasons = policy.owed_reasons | (
        {"school_closure"} if policy.closure_on_fixed_day_owed else set())
    by_period: dict[str, list[SessionLog]] = defaultdict(list)
    makeups: list[SessionLog] = []
    for log in sorted(logs + synthetic, key=_sort_key):
        if log.status is SessionStatus.MAKEUP:
            makeups.append(log)
        else:
            by_period[period_key(log.date, unit)].append(log)

    periods: list[PeriodLine] = []
    owed: list[OwedItem] = []
    missed_by_reason: Counter[str] = Counter()
    excess = partial = short = 0
    delivered_dates: list[dt.date] = []
    for key in sorted(set(expected) | set(by_period)):
        want = expected.get(key, 0)
        entries = by_period.get(key, [])
        delivered = [s for s in entries if s.status is SessionStatus.DELIVERED][:want]
        missed = [s for s in entries if s.status is SessionStatus.MISSED][: want - len(delivered)]
        excess += len(entries) - len(delivered) - len(missed)
        undocumented = want - len(delivered) - len(missed)
        for log in delivered:
            delivered_dates.append(log.date)
            if log.minutes is not None and log.minutes < minutes:
                partial += 1
                short += minutes - log.minutes
        for log in missed:
            reason = log.reason or "other"
            missed_by_reason[reason] += 1
            if reason in owed_reasons:
                owed.append(OwedItem(log.date.isoformat(), reason))
        if policy.undocumented_owed:
            owed += [OwedItem(key, "undocumented")] * undocumented
        periods.append(PeriodLine(key, want, len(delivered), len(missed), undocumented))

    made_up = 0
    for log in makeups:
        delivered_dates.append(log.date)
        target = next((i for i, item in enumerate(owed)
                       if log.makeup_for and item.source == log.makeup_for.isoformat()), None)
        if target is None and owed:
            target = 0  # the oldest outstanding item
        if target is not None:
            owed.pop(target)
            made_up += 1
    first = min(delivered_dates, default=None)
    subject = f"$.ieps[{iep_index}].services[{service_index}]"
    return MandateLedger(
        subject=subject, iep_id=iep.id, service_id=service.id, service_name=service.name,
        per=unit.value, duration_minutes=minutes,
        expected=sum(p.expected for p in periods), delivered=sum(p.delivered for p in periods),
        missed_by_reason=dict(sorted(missed_by_reason.items())),
        undocumented=sum(p.undocumented for p in periods), excess=excess, made_up=made_up,
        partial_sessions=partial, partial_minutes_short=short, owed=tuple(owed),
        owed_minutes=len(owed) * minutes + (short if policy.partial_minutes_owed else 0),
        first_delivered=first,
        late_start_days=None if first is None else (first - start).days,
        periods=tuple(periods),
    )


def case_ledger(case: Case, as_of: dt.date, params: Mapping[str, Any] | None = None
                ) -> list[MandateLedger]:
    """Every service's ledger (services whose mandate or calendar is unrecorded are left out)."""
    policy = Policy.from_params(params or {})
    if not case.calendars or not any(iep.services for iep in case.ieps):
        return []
    days = case_school_days(case)
    out = []
    for i, iep in enumerate(case.ieps):
        for j in range(len(iep.services)):
            ledger = mandate_ledger(case, i, j, as_of, policy, days)
            if ledger is not None:
                out.append(ledger)
    return out


def _plain(value: Any) -> Any:
    """Tuples to lists, all the way down, so the JSON form round-trips exactly."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def ledger_to_json(ledger: MandateLedger) -> dict[str, Any]:
    data: dict[str, Any] = _plain(attrs.asdict(ledger, recurse=True))
    data["first_delivered"] = ledger.first_delivered.isoformat() if ledger.first_delivered else None
    data["missed"] = ledger.missed
    data["owed_items"] = data.pop("owed")
    data["owed"] = ledger.owed_sessions  # the figure a parent takes to a meeting
    data["owed_sessions"] = ledger.owed_sessions
    return data
