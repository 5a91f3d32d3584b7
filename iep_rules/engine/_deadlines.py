"""deadlines(): what comes due for a case, computed from the rules' own `due:` declarations.

A rule's `due:` (lang/_model.py `Due`) names the date fact that starts its clock and what is
added to it. The rule's `when` reads the same declaration through `{due: date}`, so the date on
the calendar is the date the overdue finding compares with: there is no second copy of the date
arithmetic. School days are counted on the case's calendars by the same counter the discipline
and New York rules use (facts/_schooldays.py).

A deadline is listed only when it is still owed:
- for a rule without `due.open`, the rule itself is asked: evaluated on the case as it stands,
  as of the first day after the due date (the next school day for a school-day deadline), it
  must fire on the same item. That day is the entry's `overdue_from`.
- for a rule with `due.open` (the rule judges something that is not yet on file, e.g. the IEP
  that will be in effect on a birthday), the `open` condition must be true on `as_of`.
Owed service sessions add two entries per owed group, from the ledger (facts/_ledger.py): the
policy's make-up date (`makeup_deadline`) and the last day of the state complaint window.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import attrs

from .._findings import Evidence, Finding, Report
from .._vocab import Severity
from ..case._records import Case
from ..facts._ledger import MandateLedger, Shortfall
from ..facts._schedule import shift
from ..facts._schooldays import SchoolDayCounter
from ..lang import _conditions as c
from ..lang._model import DUE_UNITS, Citation, Offset, Rule
from ..rulebook._rulebook import Resolved, Rulebook
from ._evaluate import case_items_on, citations, evaluate, format_value

DEFAULT_WITHIN_DAYS = 60
_COUNT_AHEAD = dt.timedelta(days=800)  # school days are counted this far past a clock's start
MAKEUP_RULE = "idea.makeup.still-owed"
COMPLAINT_BASIS = "param.state_complaint_limit_years"


@attrs.frozen
class Deadline:
    """One upcoming obligation: what is due, by when, why, and from which facts."""

    case_id: str
    school: str | None
    rule_id: str  # the rule behind it (or the parameter, for the complaint window)
    rule_title: str
    label: str  # what must happen
    due: dt.date  # the last day it can happen in time
    subject: str  # JSON path of the item the deadline belongs to
    computed_from: tuple[Evidence, ...]
    citations: tuple[Citation, ...]
    overdue_from: dt.date | None = None  # first day the rule's finding appears if nothing happens
    earliest: dt.date | None = None  # the earliest day it may happen (without agreement)
    source: str = ""  # rule file:line

    def sort_key(self) -> tuple[dt.date, str, str, str]:
        return (self.due, self.case_id, self.rule_id, self.subject)


@attrs.frozen
class Calendar:
    """A case's deadlines falling due from `as_of` to `until`, both inclusive."""

    case_id: str
    school: str | None
    jurisdiction: str
    as_of: dt.date
    until: dt.date
    deadlines: tuple[Deadline, ...]


def evidence_text(evidence: Iterable[Evidence], private: bool = False) -> str:
    """The facts a date came from; `private` leaves out the student's own recorded values
    (the date of birth), for a file that leaves the office."""
    return "; ".join(f"{e.fact} (in the case file)" if private and e.fact.startswith("student.")
                     else f"{e.fact} = {format_value(e.value)}" for e in evidence)


def deadline_to_json(d: Deadline, as_of: dt.date) -> dict[str, Any]:
    return {
        "case_id": d.case_id, "school": d.school, "due": d.due.isoformat(),
        "days_left": (d.due - as_of).days, "label": d.label, "rule_id": d.rule_id,
        "rule_title": d.rule_title, "subject": d.subject,
        "overdue_from": d.overdue_from.isoformat() if d.overdue_from else None,
        "earliest": d.earliest.isoformat() if d.earliest else None,
        "computed_from": [{"fact": e.fact, "path": e.path, "value": _plain(e.value)}
                          for e in d.computed_from],
        "citations": [{"authority": c.authority, "verified": c.verified,
                       **({"note": c.note} if c.note else {})} for c in d.citations],
        "source": d.source,
    }


def _plain(value: Any) -> Any:
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    return value


def within_days(within: int | dt.timedelta | str) -> int:
    """A look-ahead as whole days: 60, a timedelta, or text such as "60d", "8w"."""
    if isinstance(within, dt.timedelta):
        days = within.days
    elif isinstance(within, int):
        days = within
    else:
        text = within.strip().lower()
        scale = {"d": 1, "w": 7}.get(text[-1:], 0)
        digits = text[:-1] if scale else text
        if not digits.isdigit():
            raise ValueError(f"expected a number of days such as 60d or 8w, got {within!r}")
        days = int(digits) * (scale or 1)
    if days < 0:
        raise ValueError(f"the look-ahead cannot be negative, got {within!r}")
    return days


def deadlines(rulebook: Rulebook, case: Case, *, as_of: dt.date,
              within: int | dt.timedelta | str = DEFAULT_WITHIN_DAYS,
              jurisdiction: str | None = None) -> Calendar:
    """Every obligation of `case` falling due from `as_of` to `as_of + within` days, soonest
    first, each with its rule, citations and the facts its date was computed from."""
    until = shift(as_of, days=within_days(within))  # saturates at 9999-12-31
    code = jurisdiction or case.jurisdiction
    resolved = rulebook.resolve(code)
    params = resolved.values_on(as_of)
    ctx = c.Context(params, case.student.date_of_birth)
    rules = [rule for rule in resolved.rules if rule.due is not None and rule.in_force(as_of)]
    scopes: set[str] = {rule.scope for rule in rules}
    case_items, ledgers = case_items_on(case, as_of, params, scopes)
    counter = _Counter(case)
    confirmed = _Confirmations(rulebook, case, code)
    out: list[Deadline] = []
    for item in case_items:
        for rule in rules:
            if rule.scope != item.scope:
                continue
            entry = _rule_deadline(rule, item.ns, item.subject, params, ctx, counter, resolved,
                                   case)
            if entry is None or not as_of <= entry.due <= until:
                continue
            due_spec = rule.due
            assert due_spec is not None
            if due_spec.open is not None:
                if c.truth(due_spec.open, item.ns, ctx, None) != c.TRUE:
                    continue
                entry = attrs.evolve(entry, overdue_from=None)
            elif entry.overdue_from is None or not confirmed.fires(entry.overdue_from, rule,
                                                                   item.subject):
                continue
            out.append(entry)
    out += _ledger_deadlines(case, ledgers, params, resolved, counter, as_of, until)
    out.sort(key=Deadline.sort_key)
    return Calendar(case.id, case.student.school, resolved.jurisdiction, as_of, until,
                    tuple(out))


def due_date(offset: Offset, ns: Mapping[str, Any], params: Mapping[str, Any],
             counter: _Counter, dob: dt.date | None) -> dt.date | None:
    """The date `offset` gives from its start fact in `ns`; None when the start is unrecorded
    or, for school days, the calendars on file do not reach that far."""
    start = c.lookup(ns, offset.start.path)
    amount = params[offset.amount.name] if isinstance(offset.amount, c.Param) \
        else offset.amount.value
    if not isinstance(start, dt.date) or not isinstance(amount, int):
        return None
    if offset.unit == "school_days":
        return counter.nth_school_day_after(start, int(amount))
    value = c.apply_function(DUE_UNITS[offset.unit], (start, amount), dob)
    return value if isinstance(value, dt.date) else None


class _Counter:
    """School days of the case's calendars, counted lazily from each clock's start."""

    def __init__(self, case: Case) -> None:
        self.calendars = case.calendars or ()
        self.cache: dict[dt.date, SchoolDayCounter] = {}

    def _days(self, start: dt.date) -> Sequence[dt.date]:
        if start not in self.cache:
            self.cache[start] = SchoolDayCounter(self.calendars, start, start + _COUNT_AHEAD)
        return self.cache[start].days

    def nth_school_day_after(self, start: dt.date, n: int) -> dt.date | None:
        if not self.calendars:
            return None
        if n == 0:
            return start
        days = self._days(start)
        index = bisect.bisect_right(days, start) + n - 1
        return days[index] if index < len(days) else None

    def school_year_end(self, day: dt.date) -> dt.date | None:
        years = [(cal.year_start, cal.year_end) for cal in self.calendars]
        return next((end for begin, end in sorted(years) if begin <= day <= end), None)


def _rule_deadline(rule: Rule, ns: Mapping[str, Any], subject: str, params: Mapping[str, Any],
                   ctx: c.Context, counter: _Counter, resolved: Resolved,
                   case: Case) -> Deadline | None:
    due_spec = rule.due
    assert due_spec is not None
    dob = case.student.date_of_birth
    due = due_date(due_spec.add, ns, params, counter, dob)
    if due is None:
        return None
    if due_spec.add.unit == "school_days":
        overdue_from = counter.nth_school_day_after(due, 1)
    else:
        overdue_from = shift(due, days=1)
    earliest = None
    evidence = [_start_evidence(due_spec.add, ns)]
    if due_spec.earliest is not None:
        earliest = due_date(due_spec.earliest, ns, params, counter, dob)
        evidence.append(_start_evidence(due_spec.earliest, ns))
    for offset in (due_spec.add, due_spec.earliest):
        if offset is not None and isinstance(offset.amount, c.Param):
            name = offset.amount.name
            evidence.append(Evidence(f"param.{name}", None, params[name]))
    cites = list(citations(rule, resolved, ns, ctx, c.TRUE))
    if due_spec.earliest is not None and isinstance(due_spec.earliest.amount, c.Param):
        # the earliest date rests on its own parameter's law (e.g. 300.303(b)(1))
        cites += [cite for cite in resolved.parameters[due_spec.earliest.amount.name].cite
                  if all(cite.authority != have.authority for have in cites)]
    if due_spec.add.unit == "school_days":
        evidence.append(Evidence("calendars", "$.calendars", f"{len(counter.calendars)} "
                                                             "school year(s) on file"))
    return Deadline(
        case_id=case.id, school=case.student.school, rule_id=rule.id, rule_title=rule.title,
        label=due_spec.label, due=due, subject=subject, computed_from=_unique(evidence),
        citations=tuple(cites), overdue_from=overdue_from,
        earliest=earliest,
        source=str(rule.source))


def _start_evidence(offset: Offset, ns: Mapping[str, Any]) -> Evidence:
    name = offset.start.text
    value = c.lookup(ns, offset.start.path)
    holder = c.lookup(ns, offset.start.path[:-1]) if len(offset.start.path) > 1 else ns
    path = None
    if isinstance(holder, Mapping) and holder.get("$path") and offset.start.path[0] != "case":
        path = f"{holder['$path']}.{offset.start.path[-1]}"
    return Evidence(name, path, value)


def _unique(evidence: list[Evidence]) -> tuple[Evidence, ...]:
    seen: dict[str, Evidence] = {}
    for e in evidence:
        seen.setdefault(e.fact, e)
    return tuple(seen.values())


class _Confirmations:
    """Which (rule, item) pairs the rules fire on, per day, evaluated once per day."""

    def __init__(self, rulebook: Rulebook, case: Case, code: str) -> None:
        self.rulebook, self.case, self.code = rulebook, case, code
        self.days: dict[dt.date, set[tuple[str, str]]] = {}

    def fires(self, day: dt.date, rule: Rule, subject: str) -> bool:
        if day not in self.days:
            report = evaluate(self.rulebook, self.case, as_of=day, jurisdiction=self.code)
            self.days[day] = {(f.rule_id, f.subject) for f in report.findings
                              if f.severity in ("violation", "warning", "notice")}
        return (rule.id, subject) in self.days[day]


def _ledger_deadlines(case: Case, ledgers: Sequence[MandateLedger], params: Mapping[str, Any],
                      resolved: Resolved, counter: _Counter, as_of: dt.date,
                      until: dt.date) -> list[Deadline]:
    """Make-up of owed sessions by the policy's date, and each owed group's complaint window."""
    out: list[Deadline] = []
    makeup_rule = next((r for r in resolved.rules if r.id == MAKEUP_RULE), None)
    policy = params.get("makeup_deadline")
    complaint = resolved.parameters.get("state_complaint_limit_years")
    for ledger in ledgers:
        service = ledger.service_name or ledger.service_id or ledger.subject
        if makeup_rule is not None and policy == "end_of_school_year_or_esy":
            by_year: dict[dt.date, list[Shortfall]] = defaultdict(list)
            for item in ledger.owed:
                end = counter.school_year_end(item.due)
                if end is not None:
                    by_year[end].append(item)
            for end, owed in by_year.items():
                if not as_of <= end <= until:
                    continue
                minutes = sum(s.minutes for s in owed)
                out.append(Deadline(
                    case_id=case.id, school=case.student.school, rule_id=makeup_rule.id,
                    rule_title=makeup_rule.title,
                    label=f"make up {minutes} owed minutes of {service} (end of the school "
                          "year, or in extended school year services)",
                    due=end, subject=ledger.subject,
                    computed_from=(Evidence("owed due dates", None,
                                            format_value(tuple(s.due for s in owed))),
                                   Evidence("param.makeup_deadline", None, policy),
                                   Evidence("school year end", "$.calendars", end)),
                    citations=citations(makeup_rule, resolved, {}, c.Context(params, None), c.TRUE),
                    source=str(makeup_rule.source)))
        if complaint is None:
            continue
        for last_day, group in sorted(ledger.owed_by_deadline().items()):
            if not as_of <= last_day <= until:
                continue
            minutes = sum(s.minutes for s in group)
            out.append(Deadline(
                case_id=case.id, school=case.student.school, rule_id=COMPLAINT_BASIS,
                rule_title="State complaint window for services not provided",
                label=f"last day a state complaint can raise {minutes} owed minutes of "
                      f"{service}",
                due=last_day, subject=ledger.subject,
                computed_from=(Evidence("owed due dates", None,
                                        format_value(tuple(s.due for s in group))),
                               Evidence("param.state_complaint_limit_years", None,
                                        params.get("state_complaint_limit_years"))),
                citations=complaint.cite, source=str(complaint.source)))
    return out


def due_soon_findings(rulebook: Rulebook, case: Case, *, as_of: dt.date,
                      jurisdiction: str | None = None) -> list[Finding]:
    """`due-soon` notices: each rule deadline within the `due_soon_window_days` policy window,
    as a notice of the rule behind it (no legal claim: nothing is late yet)."""
    code = jurisdiction or case.jurisdiction
    window = rulebook.resolve(code).values_on(as_of).get("due_soon_window_days")
    if window is None:
        return []
    calendar = deadlines(rulebook, case, as_of=as_of, within=int(window), jurisdiction=code)
    out = []
    for d in calendar.deadlines:
        if d.rule_id.startswith("param."):
            continue
        days = (d.due - as_of).days
        message = (f"Due soon: {d.label} by {d.due.isoformat()} ({days} day(s) from "
                   f"{as_of.isoformat()}).")
        out.append(Finding(d.rule_id, f"Due soon: {d.label}", "due-soon", Severity.NOTICE, message,
                           d.subject, d.computed_from, d.citations, d.source, code))
    return out


def with_due_soon(rulebook: Rulebook, report: Report, case: Case) -> Report:
    """The report with its due-soon notices added, in the usual finding order."""
    extra = due_soon_findings(rulebook, case, as_of=report.as_of,
                              jurisdiction=report.jurisdiction)
    findings = sorted((*report.findings, *extra), key=Finding.sort_key)
    return attrs.evolve(report, findings=tuple(findings))
