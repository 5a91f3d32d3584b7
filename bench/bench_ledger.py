"""Cost of the service-delivery ledger on ordinary and hostile cases (never run as a test).

Times case_ledger (median of repeats) and its peak memory on: the bundled speech example, the
closure-to-9999 reproducer with a weekly mandate added, and a school year claimed to run to
9999 read as of 2025 and as of 9999-12-31. Each should stay well under a second and a few MB.

Run: python bench/bench_ledger.py [--repeats 5]
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import statistics
import time
import tracemalloc
from pathlib import Path
from typing import Any

from iep_rules import case_from_mapping, load_case
from iep_rules.case._records import Case
from iep_rules.facts._ledger import case_ledger

FIXTURES = Path(__file__).resolve().parent.parent / "tests" / "fixtures"


def _closure_case(calendar_end: str | None = None) -> Case:
    doc: dict[str, Any] = json.loads((FIXTURES / "case-closure-centuries.json").read_text())
    doc["ieps"][0].update({"start": "2024-09-02", "end": calendar_end or "2025-06-30"})
    doc["ieps"][0]["services"][0].update({"frequency": {"times": 1, "per": "week"},
                                          "duration_minutes": 30})
    doc["sessions"] = []  # recorded and empty: an absent log may be read as unknown
    if calendar_end:
        doc["calendars"][0]["year_end"] = calendar_end
    return case_from_mapping(doc)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    cases = [
        ("speech example", load_case("examples/ledger-speech.json"), dt.date(2025, 6, 26)),
        ("closure to 9999", _closure_case(), dt.date(2025, 6, 30)),
        ("calendar to 9999, as of 2025", _closure_case("9999-12-31"), dt.date(2025, 6, 30)),
        ("calendar to 9999, as of 9999", _closure_case("9999-12-31"), dt.date(9999, 12, 31)),
    ]
    for name, case, as_of in cases:
        times = []
        for _ in range(args.repeats):
            start = time.perf_counter()
            case_ledger(case, as_of)
            times.append(time.perf_counter() - start)
        tracemalloc.start()
        case_ledger(case, as_of)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        print(f"{name:32s} {1000 * statistics.median(times):8.1f} ms  peak {peak / 1e6:6.2f} MB")


if __name__ == "__main__":
    main()
