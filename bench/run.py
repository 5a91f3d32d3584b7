"""The performance benchmark of issue 16 (never a test, never gates CI).

On fixed-seed realistic cases (bench/cases_gen.py), in one run, medians of several repetitions:

- floor: `json.loads` of each case's text + `json.dumps` of its audit result (the practical floor);
- end to end, text -> JSON result (what `audit` writes per record), python and durable backends,
  checked to give the same findings;
- the engine restricted to eight rules against the same eight rules written by hand
  (bench/hand.py), results checked equal on every case (needs-data included), every rule
  seen firing and silent, and each rule that can say needs-data seen saying it;
- rulebook load, cold (empty cache) and cached, and `iep-rules check` on one case, wall time;
- `iep-rules audit` at --workers 1 and 2 on N cases (wall time);
- peak RSS of `iep-rules audit` per output format at two input sizes.

Timings on a shared machine are noisy: compare the ratios, measured in the same run.

Run: python bench/run.py [--quick] [--json OUT] [--repeats 3]
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))
import cases_gen
import hand

from iep_rules import load_rulebook
from iep_rules.batch._audit import CaseRecord, Settings, run_one
from iep_rules.rulebook._rulebook import Rulebook

AS_OF = cases_gen.AS_OF
ROOT = Path(__file__).resolve().parent.parent
FORMATS = ("jsonl", "json", "csv", "text", "sarif")
CLI = [str(Path(sys.executable).parent / "iep-rules")]


def median_time(fn: Callable[[], object], repeats: int) -> float:
    runs = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - start)
    return statistics.median(runs)


def subset_book(book: Rulebook) -> Rulebook:
    """The same layers, each jurisdiction resolved to the hand-written rules only."""
    sub = Rulebook(book.layers)
    for code in ("US", "US-NY", "US-NY-NYC"):
        resolved = book.resolve(code)
        sub._cache[code] = attrs.evolve(
            resolved, rules=tuple(r for r in resolved.rules if r.id in hand.RULES))
    return sub


def engine_results(book: Rulebook, texts: list[str], backend: str) -> list[str]:
    settings = Settings((), AS_OF, None, backend)
    return [json.dumps(run_one(CaseRecord("bench", i + 1, t), settings, book), sort_keys=True)
            for i, t in enumerate(texts)]


def _subjects(doc: dict[str, object], scope: str) -> list[str]:
    """The JSON paths of a case document's items of one scope (where a rule can be silent)."""
    ieps: list[dict[str, list[object]]] = doc.get("ieps", [])  # type: ignore[assignment]
    if scope == "case":
        return ["$"]
    if scope == "service":
        return [f"$.ieps[{n}].services[{m}]" for n, iep in enumerate(ieps)
                for m in range(len(iep.get("services", [])))]
    key = {"iep": "ieps", "eligibility": "eligibility"}[scope]
    return [f"$.{key}[{n}]" for n in range(len(doc.get(key, [])))]  # type: ignore[arg-type]


def _env(cache_dir: str | None) -> dict[str, str]:
    env = dict(os.environ)
    if cache_dir is not None:
        env["IEP_RULES_CACHE_DIR"] = cache_dir
    return env


_LOAD = ("import time; from iep_rules import load_rulebook; t = time.perf_counter(); "
         "load_rulebook(); print((time.perf_counter() - t) * 1000)")


def load_ms(repeats: int) -> dict[str, float]:
    """Rulebook load in a fresh process: with an empty cache folder, then with a warm one; and
    `iep-rules check` on one case, wall time. First with the package's bytecode written (as
    `pip install` does: what users get; the keys `cold`, `cached`, `check_wall`), then with
    none (an editable checkout under PYTHONDONTWRITEBYTECODE compiles every module at every
    start: the same keys ending in `_no_bytecode`), printed as a labelled line too."""
    import compileall
    import shutil

    package = ROOT / "iep_rules"

    def bytecode(written: bool) -> None:
        for folder in package.rglob("__pycache__"):
            shutil.rmtree(folder)
        if written:
            compileall.compile_dir(str(package), quiet=1, force=True)

    def env(cache: str) -> dict[str, str]:
        return {**_env(cache), "PYTHONDONTWRITEBYTECODE": "1"}  # keep each state as set

    out: dict[str, float] = {}
    for written in (True, False):
        bytecode(written)
        cold, cached, check = [], [], []
        with tempfile.TemporaryDirectory() as warm:
            subprocess.run([sys.executable, "-c", _LOAD], env=env(warm), check=True,
                           capture_output=True)
            for _ in range(repeats):
                with tempfile.TemporaryDirectory() as empty:
                    cold.append(float(subprocess.run(
                        [sys.executable, "-c", _LOAD], env=env(empty), check=True,
                        capture_output=True, text=True).stdout))
                cached.append(float(subprocess.run(
                    [sys.executable, "-c", _LOAD], env=env(warm), check=True,
                    capture_output=True, text=True).stdout))
            for _ in range(repeats):
                start = time.perf_counter()
                subprocess.run([*CLI, "check", str(ROOT / "examples" / "ny-grade9.json"),
                                "--as-of", "2026-11-23", "--format", "json"], env=env(warm),
                               capture_output=True)
                check.append((time.perf_counter() - start) * 1000)
        suffix = "" if written else "_no_bytecode"
        out |= {f"cold{suffix}": statistics.median(cold),
                f"cached{suffix}": statistics.median(cached),
                f"check_wall{suffix}": statistics.median(check)}
    bytecode(True)
    print(f"  without bytecode (every start compiles the package; not what an install gets): "
          f"load cold {out['cold_no_bytecode']:.0f} ms, cached "
          f"{out['cached_no_bytecode']:.0f} ms, check wall {out['check_wall_no_bytecode']:.0f} ms",
          flush=True)
    return out


def write_jsonl(path: Path, n: int, seed: int) -> None:
    rng = random.Random(seed)
    with path.open("w") as fh:
        for i in range(n):
            fh.write(json.dumps(cases_gen.case_document(rng, i)) + "\n")


def audit_wall(path: Path, workers: int, repeats: int) -> tuple[float, str]:
    """Median wall time of the audit, and the SHA-256 of what its last run wrote (to a file
    beside the input, hashed after the timing): the two pool sizes must write the same bytes."""
    out = path.with_suffix(f".out{workers}")

    def once() -> None:
        with out.open("wb") as sink:
            subprocess.run([*CLI, "audit", str(path), "--as-of", AS_OF.isoformat(), "--quiet",
                            "--workers", str(workers)], stdout=sink, check=False)
    seconds = median_time(once, repeats)
    digest = hashlib.sha256()
    with out.open("rb") as written:
        while chunk := written.read(1 << 20):
            digest.update(chunk)
    out.unlink()
    return seconds, digest.hexdigest()


def peak_rss_mb(path: Path, fmt: str) -> float:
    """Peak resident memory of one `audit` process (its own, read from wait4)."""
    proc = subprocess.Popen([*CLI, "audit", str(path), "--as-of", AS_OF.isoformat(), "--quiet",
                             "--format", fmt], stdout=subprocess.DEVNULL)
    _, _, usage = os.wait4(proc.pid, 0)
    proc.returncode = 0
    return usage.ru_maxrss / 1024  # KiB on Linux


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes: under 3 minutes")
    parser.add_argument("--json", dest="json_out", help="write the headline ratios here")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--seed", type=int, default=16)
    parser.add_argument("--audit-cases", type=int, metavar="N",
                        help="cases for the --workers 1 / 2 timing (default 100, 20000 without"
                             " --quick)")
    parser.add_argument("--rss-sizes", metavar="A,B",
                        help="record counts for the peak-memory runs (default 20,200, or"
                             " 2000,20000 without --quick)")
    args = parser.parse_args()
    quick = args.quick
    n_e2e = 30 if quick else 400
    n_audit = args.audit_cases or (100 if quick else 20_000)
    rss_sizes = tuple(int(n) for n in args.rss_sizes.split(",")) if args.rss_sizes else (
        (20, 200) if quick else (2_000, 20_000))
    reps = args.repeats
    started = time.perf_counter()

    docs = cases_gen.case_documents(n_e2e, args.seed)
    texts = [json.dumps(d) for d in docs]
    logs = sum(len(d["sessions"]) for d in docs)
    services = sum(len(i["services"]) for d in docs for i in d["ieps"])
    print(f"iep-rules bench/run.py{' --quick' if quick else ''}: {platform.python_version()} "
          f"on {platform.machine()}, {os.cpu_count()} cores (shared), "
          f"{dt.datetime.now(dt.UTC):%Y-%m-%d %H:%M} UTC; medians of {reps}")
    print(f"sample: {n_e2e} cases, {services} service mandates, {logs} session logs, "
          f"{sum(map(len, texts)) // n_e2e} bytes per case on average")

    book = load_rulebook()
    sub = subset_book(book)
    static = hand.Static(book, AS_OF)
    # compile outside the timings, and check the results agree
    python_out = engine_results(book, texts, "python")
    durable_out = engine_results(book, texts, "durable")
    assert python_out == durable_out, "durable and python backends disagree"
    sub_out = engine_results(sub, texts, "python")
    hand_out = [json.dumps(hand.run(t, "bench", i + 1, static, AS_OF), sort_keys=True)
                for i, t in enumerate(texts)]
    bad = [i for i, (a, b) in enumerate(zip(sub_out, hand_out, strict=True)) if a != b]
    assert not bad, f"hand-written and engine results differ on cases {bad[:10]}"
    seen = Counter((f["rule_id"], f["severity"]) for out in sub_out
                   for f in json.loads(out)["findings"])
    fired = {rule for rule, sev in seen if sev != "needs-data"}
    assert fired == set(hand.RULES), f"rules never fired: {set(hand.RULES) - fired}"
    undecided = {rule for rule, sev in seen if sev == "needs-data"}
    assert undecided == set(hand.NEEDS_DATA), \
        f"needs-data expected from {sorted(hand.NEEDS_DATA)}, seen from {sorted(undecided)}"
    scope_of = {rule.id: rule.scope for rule in sub.resolve("US").rules}
    silent = {rule for doc, out in zip(docs, sub_out, strict=True) for rule in hand.RULES
              if set(_subjects(doc, scope_of[rule])) - {
                  f["subject"] for f in json.loads(out)["findings"] if f["rule_id"] == rule}}
    assert silent == set(hand.RULES), f"rules never silent: {set(hand.RULES) - silent}"
    results = [json.loads(out) for out in python_out]

    rows: list[tuple[str, float, str]] = []

    def floor() -> None:
        for text, result in zip(texts, results, strict=True):
            json.loads(text)
            json.dumps(result, sort_keys=True)

    t_floor = median_time(floor, reps)
    t_py = median_time(lambda: engine_results(book, texts, "python"), reps)
    t_du = median_time(lambda: engine_results(book, texts, "durable"), reps)
    t_sub = median_time(lambda: engine_results(sub, texts, "python"), reps)
    t_hand = median_time(lambda: [hand.run(t, "bench", i + 1, static, AS_OF)
                                  for i, t in enumerate(texts)], reps)
    per = 1000 / n_e2e
    rows += [
        ("floor: json.loads + json.dumps", t_floor * per, "1.00x floor"),
        ("end to end, python backend", t_py * per, f"{t_py / t_floor:.1f}x floor"),
        ("end to end, durable backend", t_du * per, f"{t_du / t_py:.2f}x python"),
        (f"hand-written {len(hand.RULES)} rules", t_hand * per, "1.00x hand"),
        (f"engine, same {len(hand.RULES)} rules", t_sub * per, f"{t_sub / t_hand:.2f}x hand"),
    ]
    print("  subset findings checked equal on every case; per rule (severity: count): "
          + ", ".join(f"{r.split('.')[-1]} {s}: {n}" for (r, s), n in sorted(seen.items())))

    load = load_ms(reps)
    rows += [("rulebook load, cold (ms, not per case)", load["cold"], ""),
             ("rulebook load, cached (ms)", load["cached"],
              f"{load['cold'] / load['cached']:.1f}x faster"),
             ("`iep-rules check` one case, wall (ms)", load["check_wall"], "")]

    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "audit.jsonl"
        write_jsonl(path, n_audit, args.seed + 1)
        w1, out1 = audit_wall(path, 1, reps)
        w2, out2 = audit_wall(path, 2, reps)
        assert out1 == out2, "--workers 1 and --workers 2 wrote different output"
        print(f"  audit output of --workers 1 and 2 checked equal (sha256 {out1[:12]})")
        rows += [(f"audit {n_audit} cases, --workers 1 (s)", w1, f"{n_audit / w1:.0f} cases/s"),
                 (f"audit {n_audit} cases, --workers 2 (s)", w2, f"{w1 / w2:.2f}x workers 1")]
        peaks: dict[str, dict[str, float]] = {}
        for size in rss_sizes:
            path = Path(tmp) / f"rss-{size}.jsonl"
            write_jsonl(path, size, args.seed + 2)
            peaks[str(size)] = {fmt: peak_rss_mb(path, fmt) for fmt in FORMATS}
            path.unlink()
    for records, by_fmt in peaks.items():
        rows.append((f"peak RSS MB, {records} records",
                     0.0, " ".join(f"{fmt} {mb:.0f}" for fmt, mb in by_fmt.items())))

    print(f"{'measure':44s} {'ms/case':>10s}  ratio")
    for name, value, ratio in rows:
        shown = f"{value:10.2f}" if value else " " * 10
        print(f"{name:44s} {shown}  {ratio}")
    print(f"(total {time.perf_counter() - started:.0f} s)")
    if args.json_out:
        Path(args.json_out).write_text(json.dumps({
            "floor_ratio": round(t_py / t_floor, 2),
            "subset_vs_hand": round(t_sub / t_hand, 2),
            "durable_vs_python": round(t_du / t_py, 2),
            "workers2_speedup": round(w1 / w2, 2),
            "load_ms": round(load["cached"], 1),  # what the target is stated in
            "load_cold_ms": round(load["cold"], 1),
            "check_wall_ms": round(load["check_wall"], 1),
            "load_no_bytecode_ms": round(load["cached_no_bytecode"], 1),
            "check_wall_no_bytecode_ms": round(load["check_wall_no_bytecode"], 1),
            # keyed by the record counts used: "2000" and "20000", or "20" and "200" with --quick
            "peak_mb": {size: {f: round(mb, 1) for f, mb in by.items()}
                        for size, by in peaks.items()},
            "quick": quick, "cases": n_e2e, "audit_cases": n_audit,
        }, indent=2) + "\n")


if __name__ == "__main__":
    main()
