"""Eight bundled rules written by hand, from JSON text to the audit's JSON result (bench only).

The baseline bench/run.py holds the engine to: the same result object `audit` writes for a
record (findings with messages, evidence, citations, needs-data, fingerprints), computed
directly from the decoded JSON with no records, no namespaces, no generated code. It does no
work the engine does not do: nothing cached across cases, every school day and ledger figure
computed per case. It reads only what the eight rules read; where a rule reads the whole
`ledger` (an `exists:` test, whose value is part of the evidence), it computes every ledger
figure, as the engine does.

The rules: three exclusionary-factor rules and the adverse-effect rule (eligibility), English
learner language needs (IEP), an incomplete service mandate, and two make-up rules on the
service ledger (a material share not provided when due, minutes still owed). The timeline
rules of earlier versions (annual review, reevaluation, transition services) were swapped out
when main rewrote them on the case's episodes and IEP spans (facts/_timeline.py): a hand copy
of that history would be a second timeline, not a baseline; so was the late-start rule when it
came to read the service's first school day (facts/_areas.py).

Coverage: mandates counted in sessions per week or per month, no fixed weekdays, no group
sizes, no disciplinary removals (what bench/cases_gen.py generates). run.py checks the result
equals the engine's on every case, so a gap here shows up as a mismatch, never as a fake speed.
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import json
import re
from typing import Any

from dateutil.relativedelta import relativedelta

from iep_rules.facts._derived import DECLARED, LEDGER

RULES = (
    "idea.eligibility.exclusion.reading", "idea.eligibility.exclusion.confirm-determinant",
    "idea.eligibility.exclusion.math", "idea.eligibility.adverse-effect",
    "idea.iep.english-learner-language-needs", "idea.iep.service-incomplete",
    "idea.makeup.not-provided-when-due-material", "idea.makeup.still-owed",
)
# the rules that can say needs-data on the generated cases (run.py checks each one does)
NEEDS_DATA = ("idea.eligibility.adverse-effect", "idea.iep.english-learner-language-needs")
ADVERSE_CATEGORIES = ("autism", "deafness", "emotional_disturbance", "hearing_impairment",
                      "intellectual_disability", "orthopedic_impairment",
                      "other_health_impairment", "speech_or_language_impairment",
                      "traumatic_brain_injury", "visual_impairment")
SEVERITY_ORDER = {"violation": 0, "warning": 1, "notice": 2, "needs-data": 3}
EXCLUSIONS = ("lack_of_appropriate_reading_instruction", "lack_of_appropriate_math_instruction",
              "limited_english_proficiency")
CHILD = ("student_absence", "student_unavailable")
DAY = dt.timedelta(days=1)
D = dt.date.fromisoformat
_CODE = re.compile(r"[a-z]+(?:_[a-z]+)+")
_ISO_WEEK = re.compile(r"\d{4}-W\d{2}")


def _fmt(value: Any) -> str:
    if value is None:
        return "(not recorded)"
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, tuple | list):
        return ", ".join(_fmt(v) for v in value) or "(none)"
    if isinstance(value, str) and _CODE.fullmatch(value):
        return value.replace("_", " ")
    if isinstance(value, str) and _ISO_WEEK.fullmatch(value):  # a ledger week, as its dates
        monday = dt.date.fromisocalendar(int(value[:4]), int(value[6:]), 1)
        return f"the week of {monday.isoformat()} to {(monday + dt.timedelta(4)).isoformat()}"
    return str(value)


def _iso(value: dt.date | None) -> str | None:
    return None if value is None else value.isoformat()


class Static:
    """Per jurisdiction and rule: what a hand-written program would hard-code (title, topic,
    citations, source, remedy text), plus the parameter values in force."""

    def __init__(self, book: Any, as_of: dt.date) -> None:
        from iep_rules.engine._evaluate import citations, render
        from iep_rules.lang._conditions import TRUE, UNKNOWN, Context

        self.params: dict[str, dict[str, Any]] = {}
        self.rules: dict[str, dict[str, dict[str, Any]]] = {}
        # adverse-effect cites the definition of the child's category: its citations by
        # (category, decided), hard-coded per jurisdiction
        self.adverse_cites: dict[str, dict[tuple[str, bool], list[dict[str, Any]]]] = {}

        def cites(rule: Any, resolved: Any, ns: dict[str, Any], ctx: Any,
                  truth: int = TRUE) -> list[Any]:
            return [{"authority": c.authority, "verified": c.verified, "kind": c.kind,
                     **({"note": c.note} if c.note else {})}
                    for c in citations(rule, resolved, ns, ctx, truth)]

        for code in ("US", "US-NY", "US-NY-NYC"):
            resolved = book.resolve(code)
            params = resolved.values_on(as_of)
            ctx = Context(params, None)
            self.params[code] = params
            self.rules[code] = {}
            for rule in resolved.rules:
                if rule.id not in RULES:
                    continue
                if rule.id == "idea.eligibility.adverse-effect":
                    self.adverse_cites[code] = {
                        (category, decided): cites(rule, resolved, {"classification": category},
                                                   ctx, TRUE if decided else UNKNOWN)
                        for category in ADVERSE_CATEGORIES for decided in (True, False)}
                else:
                    assert all(c.when is None for c in rule.cite), f"{rule.id}: cites by case"
                self.rules[code][rule.id] = {
                    "title": rule.title, "topic": rule.topic, "severity": rule.severity,
                    "citations": cites(rule, resolved, {}, ctx),
                    "source": str(rule.source), "layer": rule.source.layer,
                    "remedy": render(rule.remedy, {}, params)}


_NOT_RECORDED = ("as_of", "case", "ledger")
# The ledger's facts are derived: the engine's evidence gives their declared meaning, no path.
LEDGER_MEANING = {f"ledger.{d.name}": d.meaning for d in LEDGER}
# The IEP-contents guard (a refused initial IEP, the previous agency's IEP): the generated files
# record neither a refusal nor a transfer, so every IEP's contents are owed here.
LEDGER_MEANING.update({("case." if d.scope == "case" else "") + d.name: d.meaning
                       for d in DECLARED if d.name in ("contents_owed_here",
                                                        "ieps_contents_not_owed_here")})


def _fingerprint(case_id: str, rule_id: str, subject: str, needs_data: bool,
                 evidence: list[tuple[str, str | None, Any, bool]]) -> str:
    """The engine's fingerprint (engine/_evaluate.py, version 1): a hash of the recorded facts
    read. The as-of date, case-wide and ledger facts (and the student's age) are left out; an
    item's own derived fact (`contents_owed_here`, a true/false) is keyed as `subject.fact`."""
    recorded = sorted({(p or f"{subject}.{f}", json.dumps(v, sort_keys=True))
                       for f, p, v, _ in evidence
                       if (p is not None or "." not in f) and f != "student.age"
                       and f.split(".")[0] not in _NOT_RECORDED})
    blob = json.dumps([1, case_id, rule_id, subject, "needs-data" if needs_data else "finding",
                       recorded], separators=(",", ":"))
    return f"fp1-{hashlib.sha256(blob.encode('utf-8')).hexdigest()[:20]}"


def _finding(static: dict[str, Any], case_id: str, rule_id: str, truth: int, message: str,
             subject: str, order: tuple[int, ...],
             evidence: list[tuple[str, str | None, Any, bool]],
             citations: list[dict[str, Any]] | None = None
             ) -> tuple[tuple[Any, ...], dict[str, Any]]:
    """evidence: (fact, path, JSON value, is a gap)."""
    s = static[rule_id]
    out: dict[str, Any] = {"rule_id": rule_id, "topic": s["topic"], "title": s["title"],
                           "subject": subject,
                           "citations": s["citations"] if citations is None else citations,
                           "source": s["source"], "layer": s["layer"],
                           "evidence": [{"fact": f, "path": p, "value": v,
                                         **({"derived": LEDGER_MEANING[f]}
                                            if f in LEDGER_MEANING else {})}
                                        for f, p, v, _ in evidence],
                           "fingerprint": _fingerprint(case_id, rule_id, subject, truth != 2,
                                                       evidence)}
    if truth == 2:
        out["severity"] = s["severity"]
        out["message"] = message
        if s["remedy"]:
            out["remedy"] = s["remedy"]
    else:
        missing = [p or f for f, p, _, gap in evidence if gap]
        out["severity"] = "needs-data"
        out["message"] = (f"Cannot decide '{s['title']}': the record does not show "
                          f"{', '.join(missing) or 'a fact this rule needs'}.")
        if missing:
            out["missing"] = missing
    return (SEVERITY_ORDER[out["severity"]], rule_id, order, subject), out


# ---- the ledger, by hand ------------------------------------------------------------------

def _open_days(calendars: list[dict[str, Any]], lo: dt.date, hi: dt.date) -> list[dt.date]:
    open_days: set[dt.date] = set()
    for cal in calendars:
        first, last = max(D(cal["year_start"]), lo), min(D(cal["year_end"]), hi)
        year = set()
        day = first
        while day <= last:
            if day.weekday() < 5:
                year.add(day)
            day += DAY
        for c in cal.get("closures", ()):
            day, end = max(D(c["start"]), first), min(D(c["end"]), last)
            while day <= end:
                year.discard(day)
                day += DAY
        open_days |= year
    return sorted(open_days)


def _periods(per: str, first: dt.date, last: dt.date) -> list[tuple[str, dt.date, dt.date]]:
    out = []
    if per == "week":
        start = first - dt.timedelta(days=first.weekday())
        while start <= last:
            year, week, _ = start.isocalendar()
            out.append((f"{year}-W{week:02d}", start, start + dt.timedelta(days=6)))
            start += dt.timedelta(days=7)
    else:  # month
        start = first.replace(day=1)
        while start <= last:
            following = start + relativedelta(months=1)
            out.append((f"{start.year}-{start.month:02d}", start, following - DAY))
            start = following
    return out


def _log_key(log: dict[str, Any]) -> tuple[Any, ...]:
    return (log["date"], log["status"], log.get("reason") or "", log.get("minutes") or 0,
            log.get("makeup_for") or "", 0)


def _ledger(svc: dict[str, Any], iep_start: dt.date | None, iep_end: dt.date | None,
            window: tuple[Any, Any],
            logs_all: list[dict[str, Any]], days: list[dt.date], as_of: dt.date,
            params: dict[str, Any]) -> dict[str, Any] | None:
    freq, duration = svc.get("frequency"), svc.get("duration_minutes")
    if freq is None or duration is None:
        return None
    w_start, w_end = window
    if w_end is not None and w_end >= as_of:
        w_end = None
    anchor = D(svc["start"]) if svc.get("start") else iep_start
    if anchor is None:
        return None
    start = max(d for d in (anchor, w_start, as_of - relativedelta(years=25)) if d is not None)
    ends = [d for d in (D(svc["end"]) if svc.get("end") else None, iep_end, w_end)
            if d is not None]
    end = min(ends) if ends else None
    last = as_of if end is None else min(end, as_of)
    if start > last:
        return None
    owed_reasons = set(params["makeup_owed_reasons"]) | {"school_closure", "undocumented",
                                                          "delivered_short"}
    years = params["state_complaint_limit_years"]
    logs = sorted((s for s in logs_all if s["service"] == svc["id"]
                   and start <= s["_date"] <= as_of), key=_log_key)
    regular = [s for s in logs if s["status"] != "makeup"]
    makeups = [s for s in logs if s["status"] == "makeup"]
    dates = [s["_date"] for s in regular]
    items: list[tuple[dt.date, str, str, int, int]] = []  # due, source, reason, minutes, sessions
    expected = delivered_n = delivered_min = 0
    times = freq["times"]
    for label, p_start, p_end in _periods(freq["per"], start, last):
        lo = max(p_start, start)
        hi = p_end if end is None else min(p_end, end)
        a, b = bisect.bisect_left(days, lo), bisect.bisect_right(days, hi)
        c = bisect.bisect_right(days, min(hi, as_of))
        if c - a != b - a:
            continue  # the period has not ended
        want = min(times, b - a)
        due = days[c - 1] if c > a else min(hi, as_of)
        i, j = bisect.bisect_left(dates, lo), bisect.bisect_right(dates, min(hi, as_of))
        entries = regular[i:j]
        done = [e for e in entries if e["status"] == "delivered"][:want]
        missed = [e for e in entries if e["status"] != "delivered"][:max(want - len(done), 0)]
        expected += want
        delivered_n += len(done)
        for e in done:
            minutes = duration if e.get("minutes") is None else e["minutes"]
            delivered_min += min(minutes, duration)
            if minutes < duration:
                items.append((e["_date"], e["date"], "delivered_short", duration - minutes, 0))
        for e in missed:
            items.append((e["_date"], e["date"], e.get("reason") or "reason_not_recorded",
                          duration, 1))
        if want - len(done) - len(missed):
            n = want - len(done) - len(missed)
            items.append((due, label, "undocumented", n * duration, n))
    items.sort(key=lambda s: (s[0], s[1]))
    owed_items = [s for s in items if s[2] in owed_reasons]
    left = [s[3] for s in owed_items]
    oldest, applied = 0, []
    for log in makeups:
        todo = duration if log.get("minutes") is None else log["minutes"]
        used = 0
        named = log.get("makeup_for")
        if named:
            for k, s in enumerate(owed_items):
                if s[1] == named:
                    take = min(left[k], todo - used)
                    left[k] -= take
                    used += take
        while used < todo and oldest < len(owed_items):
            take = min(left[oldest], todo - used)
            left[oldest] -= take
            used += take
            if left[oldest] == 0:
                oldest += 1
        if used:
            applied.append(used)
    owed = [(s, rest) for s, rest in zip(owed_items, left, strict=True) if rest > 0]
    owed_minutes = sum(rest for _, rest in owed)
    expected_min = expected * duration
    mwd_min = sum(s[3] for s in owed_items)
    firsts = [s["_date"] for s in regular if s["status"] == "delivered"] + \
             [s["_date"] for s in makeups]
    first = min(firsts, default=None)
    window_ends = min((s[0] + relativedelta(years=years) for s, _ in owed), default=None)

    def pct(minutes: int) -> int:
        return 100 * minutes // expected_min if expected_min else 0

    return {
        "measure": "sessions", "expected": expected, "expected_minutes": expected_min,
        "delivered": delivered_n, "delivered_minutes": delivered_min,
        "missed": sum(s[4] for s in items if s[2] not in ("undocumented", "delivered_short")),
        "undocumented": sum(s[4] for s in items if s[2] == "undocumented"),
        "missed_when_due": sum(s[4] for s in owed_items),
        "missed_when_due_minutes": mwd_min,
        "missed_when_due_dates": [s[1] for s in owed_items],
        "missed_percent": pct(mwd_min),
        "made_up": len(applied), "made_up_minutes": sum(applied),
        "owed_sessions": sum(-(-rest // duration) if s[4] else 0 for s, rest in owed),
        "owed_minutes": owed_minutes, "owed_dates": [s[1] for s, _ in owed],
        "shortfall_percent": pct(owed_minutes),
        "partial_sessions": sum(1 for s in items if s[2] == "delivered_short"),
        "short_minutes": sum(s[3] for s in items if s[2] == "delivered_short"),
        "late_start_days": None if first is None else (first - start).days,
        "child_absences": sum(s[4] for s in items if s[2] in CHILD),
        "child_absence_percent": pct(sum(s[3] for s in items if s[2] in CHILD)),
        "wrong_setting_sessions": 0, "wrong_setting_dates": [],
        "complaint_window_ends": _iso(window_ends),
    }


# ---- the eight rules -------------------------------------------------------------------

def run(text: str, source: str, line: int, static: Static, as_of: dt.date) -> dict[str, Any]:
    doc = json.loads(text)
    code, case_id = doc["jurisdiction"], doc["id"]
    rules, params = static.rules[code], static.params[code]
    out: list[tuple[tuple[Any, ...], dict[str, Any]]] = []
    student = doc["student"]
    ieps = doc.get("ieps", [])

    # eligibility scope
    for n, e in enumerate(doc.get("eligibility", [])):
        factors = e.get("determinant_factors", [])
        eligible_here = e["outcome"] == "eligible"
        path = f"$.eligibility[{n}]"
        ev: list[tuple[str, str | None, Any, bool]] = [
              ("outcome", f"{path}.outcome", e["outcome"], False),
              ("determinant_factors", f"{path}.determinant_factors", factors, False)]
        if eligible_here and EXCLUSIONS[0] in factors and "disability" not in factors:
            out.append(_finding(rules, case_id, "idea.eligibility.exclusion.reading", 2, (
                f"The eligibility decision of {e['date']} found the child eligible, but the "
                f"recorded determinant factors ({_fmt(factors)}) include a lack of appropriate "
                "reading instruction and no disability."), path, (n,), ev))
        if eligible_here and EXCLUSIONS[1] in factors and "disability" not in factors:
            out.append(_finding(rules, case_id, "idea.eligibility.exclusion.math", 2, (
                f"The eligibility decision of {e['date']} found the child eligible, but the "
                f"recorded determinant factors ({_fmt(factors)}) include a lack of appropriate "
                "math instruction and no disability."), path, (n,), ev))
        if eligible_here and "disability" in factors and any(x in factors for x in EXCLUSIONS):
            out.append(_finding(rules, case_id,
                                "idea.eligibility.exclusion.confirm-determinant", 2, (
                f"The eligibility decision of {e['date']} records both a disability and an "
                f"exclusionary factor ({_fmt(factors)}). Eligibility is allowed only if the "
                "disability, not the other factor, is what determined it."), path, (n,), ev))
        category, adverse = e.get("classification"), e.get("adverse_effect")
        t = min(2 if eligible_here else 0,
                1 if category is None else (2 if category in ADVERSE_CATEGORIES else 0),
                1 if adverse is None else (0 if adverse else 2))
        if t:
            out.append(_finding(rules, case_id, "idea.eligibility.adverse-effect", t, (
                f"The decision of {e['date']} classified the child as {_fmt(category)} but "
                "recorded no adverse effect on educational performance, which that category's "
                "definition requires."), path, (n,), [
                ("outcome", f"{path}.outcome", e["outcome"], False),
                ("classification", f"{path}.classification", category, category is None),
                ("adverse_effect", f"{path}.adverse_effect", adverse, adverse is None)],
                static.adverse_cites[code][(category, t == 2)]))

    # iep scope
    learner = student.get("english_learner")
    for n, iep in enumerate(ieps):
        language, enl = iep.get("language_of_instruction"), iep.get("enl_services")
        t = min(1 if learner is None else (2 if learner else 0),
                2 if language is None else 0, 2 if enl is None else 0)
        if t:
            path = f"$.ieps[{n}]"
            out.append(_finding(rules, case_id, "idea.iep.english-learner-language-needs", t, (
                f"The student is an English learner, but IEP {iep['id']} records neither the "
                "language of instruction nor English language services."), path, (n,), [
                ("contents_owed_here", None, True, False),
                ("student.english_learner", "$.student.english_learner", learner,
                 learner is None),
                ("language_of_instruction", f"{path}.language_of_instruction", language, False),
                ("enl_services", f"{path}.enl_services", enl, False)]))

    # service scope, with the ledger
    calendars = doc.get("calendars", [])
    sessions = doc.get("sessions", [])
    for s in sessions:
        s["_date"] = D(s["date"])
    days = _open_days(calendars, as_of - relativedelta(years=25), as_of + dt.timedelta(400)) \
        if calendars else []
    starts = sorted({D(i["start"]) for i in ieps if i.get("start")})
    for n, iep in enumerate(ieps):
        i_start = D(iep["start"]) if iep.get("start") else None
        i_end = D(iep["end"]) if iep.get("end") else None
        w_end = i_end
        if i_start is not None:
            later = bisect.bisect_right(starts, i_start)
            if later < len(starts):
                replaced = starts[later] - DAY
                w_end = replaced if w_end is None else min(w_end, replaced)
        for m, svc in enumerate(iep.get("services", [])):
            path = f"$.ieps[{n}].services[{m}]"
            freq = svc.get("frequency")
            name = _fmt(svc["name"])
            if not (svc.get("start") and freq and svc.get("duration_minutes")
                    and svc.get("location")):
                out.append(_finding(rules, case_id, "idea.iep.service-incomplete", 2, (
                    f"The {name} service in IEP {iep['id']} must state when it starts "
                    f"({_fmt(svc.get('start'))}), how often ({_fmt(freq and freq['times'])} per "
                    f"{_fmt(freq and freq['per'])}), for how long "
                    f"({_fmt(svc.get('duration_minutes'))} minutes) and where "
                    f"({_fmt(svc.get('location'))})."), path, (n, m), [
                    ("case.ieps_contents_not_owed_here", None, [], False),
                    ("iep.id", f"$.ieps[{n}].id", iep["id"], False),
                    ("start", f"{path}.start", svc.get("start"), False),
                    ("frequency", f"{path}.frequency", freq, False),
                    ("duration_minutes", f"{path}.duration_minutes",
                     svc.get("duration_minutes"), False),
                    ("location", f"{path}.location", svc.get("location"), False)]))
            ledger = _ledger(svc, i_start, i_end, (i_start, w_end), sessions, days, as_of,
                             params) if calendars else None
            if ledger is None:
                continue  # `exists: ledger` is false: both ledger rules are silent
            recorded = ledger["delivered"] > 0 or ledger["missed"] > 0 or \
                ledger["made_up"] > 0 or ledger["wrong_setting_sessions"] > 0
            share = ledger["missed_percent"]
            # what both ledger rules read first: the ledger, then the four counts of `recorded`
            read = [("ledger", None, ledger, False),
                    ("ledger.delivered", None, ledger["delivered"], False),
                    ("ledger.missed", None, ledger["missed"], False),
                    ("ledger.made_up", None, ledger["made_up"], False),
                    ("ledger.wrong_setting_sessions", None, ledger["wrong_setting_sessions"],
                     False)]
            if (recorded and ledger["missed_when_due_minutes"] > 0
                    and share >= params["makeup_materiality_percent"]):
                out.append(_finding(rules, case_id, "idea.makeup.not-provided-when-due-material",
                                    2, (
                    f"The {name} service in IEP {iep['id']} called for "
                    f"{ledger['expected_minutes']} minutes by {as_of.isoformat()}; "
                    f"{ledger['missed_when_due_minutes']} minutes ({share}%) were not provided "
                    f"when due, from: {_fmt(ledger['missed_when_due_dates'])}. "
                    f"{ledger['made_up']} make-up session(s) ({ledger['made_up_minutes']} minutes)"
                    f" were given since; {ledger['owed_minutes']} minutes are still owed."),
                    path, (n, m), [
                    *read,
                    ("ledger.missed_when_due_minutes", None, ledger["missed_when_due_minutes"],
                     False),
                    ("ledger.missed_percent", None, share, False)]))
            if recorded and ledger["owed_minutes"] > 0:
                out.append(_finding(rules, case_id, "idea.makeup.still-owed", 2, (
                    f"The {name} service in IEP {iep['id']} still owes "
                    f"{ledger['owed_minutes']} minutes ({ledger['owed_sessions']} session(s)) "
                    f"after {ledger['made_up']} make-up(s), from: "
                    f"{_fmt(ledger['owed_dates'])}. A state complaint must reach the state "
                    "within one year of each miss; for the earliest, the last day is "
                    f"{ledger['complaint_window_ends']}."), path, (n, m), [
                    *read,
                    ("ledger.owed_minutes", None, ledger["owed_minutes"], False)]))
    out.sort(key=lambda pair: pair[0])
    findings = [f for _, f in out]
    summary = dict.fromkeys(SEVERITY_ORDER, 0)
    for f in findings:
        summary[f["severity"]] += 1
    return {"type": "result", "source": source, "line": line, "case_id": doc["id"],
            "school": student.get("school"), "jurisdiction": code, "summary": summary,
            "findings": findings}
