"""Ed-Fi import throughput on the published Data Standard 5.2.0 sample (not a test).

Usage: python bench/bench_edfi_import.py [SAMPLE_DIR] [--repeat N]
Times the whole import (both passes over every file, case building and data-quality checks)
and reports special-education students per second, plus records and megabytes per second,
since the work is mostly reading the district's files, not the caseload. Best of N runs.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from iep_rules.importers.edfi import import_edfi, load_mapping
from iep_rules.importers.edfi._run import expand

DEFAULT = Path("/work/shared/external/edfi/ds-5.2.0/samples")


def once(folder: Path) -> tuple[float, int, int]:
    start = time.perf_counter()
    run = import_edfi([folder], load_mapping())
    cases = sum(1 for _ in run.cases())
    elapsed = time.perf_counter() - start
    return elapsed, cases, sum(run.records_read.values())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("folder", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    size = sum(f.stat().st_size for f in expand([args.folder]))
    best = min(once(args.folder) for _ in range(args.repeat))
    elapsed, cases, records = best
    print(f"{args.folder}: {size / 1e6:.1f} MB, {records} records, {cases} students")
    print(f"best of {args.repeat}: {elapsed:.2f} s = {cases / elapsed:.0f} students/s, "
          f"{records / elapsed:.0f} records/s, {size / 1e6 / elapsed:.2f} MB/s")


if __name__ == "__main__":
    main()
