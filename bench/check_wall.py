"""Wall time of one `iep-rules check`, of `import iep_rules.cli`, and of a cold
`load_rulebook()`, each in a fresh process: medians of N runs, with the load average.

    python bench/check_wall.py [--runs 9]

Never a test: it prints numbers for docs/performance.md ("check wall time").
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = ROOT / "examples" / "ny-grade9.json"
LOAD = ("import time; from iep_rules.rulebook._rulebook import load_rulebook; "
        "t = time.perf_counter(); load_rulebook(); print(time.perf_counter() - t)")


def _wall(argv: list[str], runs: int) -> list[float]:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(argv, cwd=ROOT, stdout=subprocess.DEVNULL, check=False)
        times.append(time.perf_counter() - start)
    return times


def _inner(code: str, runs: int) -> list[float]:
    return [float(subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                                 text=True, check=True).stdout) for _ in range(runs)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    runs = parser.parse_args().runs
    before = os.getloadavg()[0]
    rows = {
        "python -c pass": _wall([sys.executable, "-c", "pass"], runs),
        "import iep_rules.cli": _wall([sys.executable, "-c", "import iep_rules.cli"], runs),
        "iep-rules check (wall)": _wall([str(Path(sys.executable).parent / "iep-rules"), "check",
                                         str(CASE), "--as-of", "2025-03-01"], runs),
        "load_rulebook() cold (in process)": _inner(LOAD, runs),
    }
    print(f"load average before {before:.2f}, after {os.getloadavg()[0]:.2f} (1 min); "
          f"runs={runs}")
    for name, times in rows.items():
        print(f"{name:36} median {1000 * statistics.median(times):7.0f} ms"
              f"  min {1000 * min(times):7.0f}  max {1000 * max(times):7.0f}")


if __name__ == "__main__":
    main()
