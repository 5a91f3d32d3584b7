"""Wall time of one `iep-rules check`, of `import iep_rules.cli`, and of `load_rulebook()`,
each in a fresh process: medians of N runs (wall time, and the CPU time of the process), with
the load average.

    python bench/check_wall.py [--runs 9] [--against OTHER_CHECKOUT]

Every measure is taken twice: with the package's bytecode written first (`compileall`, as
`pip install` does: what users get) and without any (what an editable checkout gets when
PYTHONDONTWRITEBYTECODE is set: every start compiles the package's sources again). The rule
cache is warm (its folder filled once beforehand), empty (a new folder for each run) or off
(IEP_RULES_NO_CACHE=1). With --against, the same measures are taken on another checkout (its
own `.venv`), alternating run by run so that both see the same machine load.

Never a test: it prints numbers for docs/performance.md ("check wall time").
"""

from __future__ import annotations

import argparse
import compileall
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASE = "examples/ny-grade9.json"
CHECK = ["check", CASE, "--as-of", "2025-03-01"]
LOAD = ("import time; from iep_rules.rulebook._rulebook import load_rulebook; "
        "t = time.perf_counter(); load_rulebook(); print(time.perf_counter() - t)")


def _python(tree: Path) -> str:
    venv = tree / ".venv" / "bin" / "python"
    return str(venv) if venv.exists() else sys.executable


def _bytecode(tree: Path, written: bool) -> None:
    """Write the package's bytecode (as an install does), or remove every copy of it."""
    for cache in (tree / "iep_rules").rglob("__pycache__"):
        shutil.rmtree(cache)
    if written:
        compileall.compile_dir(str(tree / "iep_rules"), quiet=1, force=True)


def _env(cache: str | None) -> dict[str, str]:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1")
    env.pop("IEP_RULES_NO_CACHE", None)
    if cache is None:
        env["IEP_RULES_NO_CACHE"] = "1"
    else:
        env["IEP_RULES_CACHE_DIR"] = cache
    return env


def _wall(tree: Path, argv: list[str], env: dict[str, str], cpu: list[float]) -> float:
    """Wall time of one process; its CPU time (user + system) is appended to `cpu`, which a
    busy shared machine inflates less than the wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    subprocess.run(argv, cwd=tree, env=env, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
    return wall


def _inner(tree: Path, env: dict[str, str]) -> float:
    out = subprocess.run([_python(tree), "-c", LOAD], cwd=tree, env=env, capture_output=True,
                         text=True, check=True).stdout
    return float(out)


def _one_run(tree: Path, warm: str, times: dict[str, list[float]]) -> None:
    python = _python(tree)
    cli = [python, "-c", "import sys; from iep_rules.cli import main; sys.exit(main())"]
    runs = {"python -c pass": ([python, "-c", "pass"], warm),
            "import iep_rules.cli": ([python, "-c", "import iep_rules.cli"], warm),
            "check, cache warm": ([*cli, *CHECK], warm),
            "check, cache empty": ([*cli, *CHECK], "empty"),
            "check, cache off": ([*cli, *CHECK], None)}
    for name, (argv, cache) in runs.items():
        with tempfile.TemporaryDirectory() as empty:
            env = _env(empty if cache == "empty" else cache)
            times[name].append(_wall(tree, argv, env, times[f"{name} (CPU)"]))
    with tempfile.TemporaryDirectory() as empty:
        times["load_rulebook(), cache warm"].append(_inner(tree, _env(warm)))
        times["load_rulebook(), cache empty"].append(_inner(tree, _env(empty)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--against", type=Path, help="another checkout, with its own .venv")
    args = parser.parse_args()
    trees = [ROOT] + ([args.against.resolve()] if args.against else [])
    medians: dict[tuple[str, str, str], float] = {}
    loads = [os.getloadavg()[0]]
    for written in (True, False):
        mode = "bytecode" if written else "no bytecode"
        for tree in trees:
            _bytecode(tree, written)
        with tempfile.TemporaryDirectory() as warm:
            times: dict[Path, dict[str, list[float]]] = {t: defaultdict(list) for t in trees}
            for tree in trees:  # fill the warm cache
                subprocess.run([_python(tree), "-c", LOAD], cwd=tree, env=_env(warm),
                               capture_output=True, check=True)
            for _ in range(args.runs):
                for tree in trees:
                    _one_run(tree, warm, times[tree])
            for tree in trees:
                for name, values in times[tree].items():
                    medians[(name, str(tree), mode)] = 1000 * statistics.median(values)
        loads.append(os.getloadavg()[0])
    for tree in trees:
        _bytecode(tree, True)
    print(f"runs={args.runs}; load average (1 min) {', '.join(f'{x:.2f}' for x in loads)} "
          "(start, after bytecode runs, after no-bytecode runs)")
    columns = [(str(t), mode) for mode in ("bytecode", "no bytecode") for t in trees]
    print("| median ms | " + " | ".join(f"{Path(t).name}, {mode}" for t, mode in columns) + " |")
    print("|---|" + "---:|" * len(columns))
    names = dict.fromkeys(name for name, _, _ in medians)
    for name in names:
        print(f"| {name} | " + " | ".join(f"{medians[(name, t, mode)]:.0f}"
                                          for t, mode in columns) + " |")


if __name__ == "__main__":
    main()
