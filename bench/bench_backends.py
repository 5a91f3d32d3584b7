"""Throughput of the evaluation backends on the bundled rules (never run as a test).

Two measurements, each repeated, reported as medians with ratios to a baseline timed in the
same run (these machines are noisy, so absolute numbers matter less than ratios):

1. matching only: items built once, then every rule matched against them, by
   - hand-written Python predicates for the same rules (baseline),
   - the reference tree-walking evaluator (conditions.truth),
   - the generated per-scope functions (default backend);
2. end to end: evaluate() cases/s for the python and durable backends.

Run: python bench/bench_backends.py [--cases 2000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings

from iep_rules import conditions as c
from iep_rules import evaluate, load_rulebook
from iep_rules.engine._evaluate import PythonBackend
from iep_rules.facts._namespace import items
from iep_rules.strategies import cases

AS_OF = dt.date(2025, 6, 1)
# The rules _hand_written() implements: matching is compared on exactly these.
HAND_WRITTEN_RULES = {
    "idea.eligibility.exclusion.reading", "idea.eligibility.exclusion.math",
    "idea.eligibility.exclusion.limited-english", "idea.eligibility.exclusion.confirm-determinant",
    "idea.iep.transition-services", "idea.timeline.annual-review-overdue",
    "idea.timeline.reevaluation-overdue", "idea.timeline.reevaluation-too-frequent",
}
EXCLUSIONS = ("lack_of_appropriate_reading_instruction", "lack_of_appropriate_math_instruction",
              "limited_english_proficiency")


def _sample(n: int) -> list[Any]:
    out: list[Any] = []

    @settings(max_examples=n, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(cases())
    def collect(case: Any) -> None:
        out.append(case)

    collect()
    return out[:n]


def _hand_written(ns: dict[str, Any], params: dict[str, Any]) -> int:
    """The bundled rules written by hand (two-valued where data is present), for the baseline."""
    fired = 0
    scope_case = ns.get("iep_count") is not None and "$path" in ns and ns["$path"] == "$"
    if "determinant_factors" in ns and ns.get("outcome") == "eligible":
        factors = ns["determinant_factors"]
        for factor in EXCLUSIONS:
            if factor in factors and "disability" not in factors:
                fired += 1
        if "disability" in factors and any(f in factors for f in EXCLUSIONS):
            fired += 1
    if "transition" in ns:
        dob = ns["student"]["date_of_birth"]
        if ns["end"] is not None and dob is not None:
            turns = c.apply_function("date_turns", [params["transition_age"]], dob)
            t = ns["transition"]
            if ns["end"] >= turns and (t is None or not t["postsecondary_goals"]
                                       or not t["services"]):
                fired += 1
    if scope_case:
        facts = ns["case"]
        if facts["currently_eligible"] and facts["last_iep_meeting"] and facts["iep_count"] > 0:
            due = c.apply_function("add_months", [facts["last_iep_meeting"],
                                                  params["annual_review_interval_months"]], None)
            fired += due < ns["as_of"]
        last = facts["last_evaluation_completed"]
        if facts["currently_eligible"] and not facts["reevaluation_waiver_on_file"] and last:
            due = c.apply_function("add_months", [last, params["reevaluation_interval_months"]],
                                   None)
            fired += due < ns["as_of"]
    agreed = "more_frequent_reevaluation" in ns["case"]["agreement_kinds"]
    if (ns.get("kind") == "reevaluation" and ns.get("previous_completed")
            and ns.get("completed") and not agreed):
        due = c.apply_function("add_months", [ns["previous_completed"],
                                              params["reevaluation_min_interval_months"]], None)
        fired += due > ns["completed"]
    return fired


def _time(fn: Callable[[], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    book = load_rulebook()
    full = book.resolve("US")
    params = full.values_on(AS_OF)
    resolved = attrs.evolve(full, rules=tuple(r for r in full.rules if r.id in HAND_WRITTEN_RULES))
    sample = _sample(args.cases)
    prepared = [(list(items(case, AS_OF)), c.Context(params, case.student.date_of_birth))
                for case in sample]
    backend = PythonBackend(resolved.rules)
    active = [True] * len(resolved.rules)

    def hand() -> None:
        for its, _ in prepared:
            for it in its:
                _hand_written(dict(it.ns), params)

    def tree() -> None:
        for its, ctx in prepared:
            for it in its:
                for rule in resolved.rules:
                    if rule.scope == it.scope:
                        c.truth(rule.when, it.ns, ctx, None)

    def generated() -> None:
        for its, ctx in prepared:
            backend.run(its, params, ctx, active)

    base = _time(hand, args.repeats)
    print(f"matching only, {len(sample)} cases, {len(resolved.rules)} rules, "
          f"median of {args.repeats}:")
    for name, fn in (("hand-written predicates", hand), ("tree-walking evaluator", tree),
                     ("generated functions", generated)):
        t = base if fn is hand else _time(fn, args.repeats)
        print(f"  {name:26s} {len(sample) / t:10.0f} cases/s  {t / base:5.2f}x baseline")

    print(f"end to end evaluate(), all {len(full.rules)} US rules:")
    e2e = {}
    for name in ("python", "durable"):
        evaluate(book, sample[0], as_of=AS_OF, backend=name)  # compile outside the timing
        e2e[name] = _time(lambda n=name: [evaluate(book, cs, as_of=AS_OF, backend=n)
                                          for cs in sample], max(1, args.repeats // 2))
    for name, t in e2e.items():
        print(f"  backend {name:8s} {len(sample) / t:10.0f} cases/s  "
              f"{t / e2e['python']:5.2f}x python backend")


if __name__ == "__main__":
    main()
