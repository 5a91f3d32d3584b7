"""Cost of the service-delivery ledger on ordinary and hostile cases (never run as a test).

Times case_ledger (CPU time, median of repeats) and its peak memory on: the bundled speech
example, the closure-to-9999 reproducer with a weekly mandate added, and a school year claimed
to run to 9999 read as of 2025 and as of 9999-12-31. Each should stay well under a second and a
few MB. Then, per case, on bench/run.py's quick cases (bench/cases_gen.py, seed 16): the ledger
as `evaluate` computes it (accrual windows from the case's timeline, `ledger.*` facts of every
mandate) and the area facts that read school days (every service's, the case's, the
removals'). Every repeat reads a fresh copy of each case: school days are shared within one
case (facts/_schedule.py), and a copy made once would share them across repeats too.

Run: python bench/bench_ledger.py [--repeats 5] [--cases 30]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import sys
import time
import tracemalloc
from pathlib import Path
from typing import Any

from iep_rules import case_from_mapping
from iep_rules.case._records import Case
from iep_rules.facts import _areas
from iep_rules.facts._ledger import case_ledger
from iep_rules.facts._timeline import build_timeline, iep_accrual_windows

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases_gen

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = ROOT / "tests" / "fixtures"


def _closure_doc(calendar_end: str | None = None) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / "case-closure-centuries.json").read_text())
    doc["ieps"][0].update({"start": "2024-09-02", "end": calendar_end or "2025-06-30"})
    doc["ieps"][0]["services"][0].update({"frequency": {"times": 1, "per": "week"},
                                          "duration_minutes": 30})
    doc["sessions"] = []  # recorded and empty: an absent log may be read as unknown
    if calendar_end:
        doc["calendars"][0]["year_end"] = calendar_end
    return doc


def _fresh(doc: dict[str, Any]) -> Case:
    return case_from_mapping(json.loads(json.dumps(doc)))


def _hostile(repeats: int) -> None:
    speech = json.loads((ROOT / "examples" / "ledger-speech.json").read_text())
    cases = [
        ("speech example", speech, dt.date(2025, 6, 26)),
        ("closure to 9999", _closure_doc(), dt.date(2025, 6, 30)),
        ("calendar to 9999, as of 2025", _closure_doc("9999-12-31"), dt.date(2025, 6, 30)),
        ("calendar to 9999, as of 9999", _closure_doc("9999-12-31"), dt.date(9999, 12, 31)),
    ]
    for name, doc, as_of in cases:
        times = []
        for _ in range(repeats):
            case = _fresh(doc)
            start = time.process_time()
            case_ledger(case, as_of)
            times.append(time.process_time() - start)
        case = _fresh(doc)
        tracemalloc.start()
        case_ledger(case, as_of)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:32s} {1000 * statistics.median(times):8.1f} ms  peak {peak / 1e6:6.2f} MB")


def _quick_cases(repeats: int, count: int) -> None:
    docs = cases_gen.case_documents(count, 16)
    as_of = cases_gen.AS_OF
    ledger_ms, areas_ms = [], []
    for _ in range(repeats):
        ledger = areas = 0.0
        for doc in docs:
            case = _fresh(doc)
            timeline = build_timeline(case, as_of)
            windows = iep_accrual_windows(case, as_of, {}, timeline)
            start = time.process_time()
            for mandate in case_ledger(case, as_of, {}, windows):
                mandate.facts()
            middle = time.process_time()
            for i, iep in enumerate(case.ieps or ()):
                span = timeline.span_of(i)
                for service in iep.services:
                    _areas.service_facts(case, iep, service, as_of,
                                         span.until if span else None,
                                         span.start if span else None, True)
            _areas.area_case_facts(case, as_of)
            _areas.removal_facts(case, as_of)
            areas += time.process_time() - middle
            ledger += middle - start
        ledger_ms.append(1000 * ledger / len(docs))
        areas_ms.append(1000 * areas / len(docs))
    name = f"quick bench cases ({count}), per case"
    print(f"{name:32s} ledger {statistics.median(ledger_ms):6.2f} ms  area facts "
          f"{statistics.median(areas_ms):6.2f} ms (CPU)")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cases", type=int, default=30)
    args = parser.parse_args()
    _hostile(args.repeats)
    _quick_cases(args.repeats, args.cases)


if __name__ == "__main__":
    main()
