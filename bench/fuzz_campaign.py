"""The recorded robustness campaign (docs/fuzzing.md): generated case documents through the
audit on both backends, and generated rule files through lint and both backends. Not a test;
run by hand, in the background (`nice`), and record its final line in docs/fuzzing.md.

    python bench/fuzz_campaign.py cases --count 100000 --log cases.jsonl
    python bench/fuzz_campaign.py rules --count 10000 --log rules.jsonl

Counted as failures: a traceback (an `internal error` result, or an exception other than the
library's own), a signal (a worker that died), a run over 10 s, and any difference between
the backends (findings, or the problems of a refused record). Every failure is logged with the
seed that regenerates its input (tests/fuzzgen.py).
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import select
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

import attrs  # noqa: E402
from fuzzgen import SEED_CASES, case_line, mutate_case, rule_file  # noqa: E402

from iep_rules import IEPRulesError, Rulebook, case_from_mapping, evaluate, load_rulebook  # noqa: E402
from iep_rules.batch._audit import Counted, Settings, read_records, run_audit  # noqa: E402
from iep_rules.lang._rulefile import parse_layer  # noqa: E402
from iep_rules.render import REPORT_FORMATS, ReportInput, render_report  # noqa: E402
from iep_rules.testing._examples import check_example  # noqa: E402

LIMIT = 10.0
AS_OF = dt.date(2025, 3, 1)


def _key(result: dict[str, Any]) -> Any:
    if result["type"] == "error":
        return ("error", tuple(result["problems"]))
    return ("result", tuple((f["rule_id"], f["subject"], f["severity"], f["message"])
                            for f in result["findings"]))


def render_all(report: Any, case: Any, rules: Any) -> None:
    """Every registered output format of one report (each must simply not raise)."""
    for fmt in REPORT_FORMATS:
        render_report(fmt, ReportInput(report, case, "x.json", rules))


def cases(args: argparse.Namespace, log: Any) -> Counter[str]:
    totals: Counter[str] = Counter()
    book = load_rulebook()
    seed = args.start
    end = args.start + args.count
    with tempfile.TemporaryDirectory() as tmp:
        while seed < end:
            batch = list(range(seed, min(seed + args.batch, end)))
            path = Path(tmp) / "batch.jsonl"
            path.write_bytes(b"".join(case_line(s) + b"\n" for s in batch))
            outcomes: dict[str, list[dict[str, Any]]] = {}
            for backend in ("python", "durable"):
                records = Counted(read_records(str(path)))
                started = time.monotonic()
                settings = Settings((), AS_OF, None, backend)
                outcomes[backend] = list(run_audit(records, settings=settings,
                                                   workers=args.workers, time_limit=LIMIT))
                totals[f"secs_{backend}"] += round(time.monotonic() - started)
                if records.count != len(outcomes[backend]):
                    totals["lost_records"] += records.count - len(outcomes[backend])
            for py, du in zip(outcomes["python"], outcomes["durable"], strict=True):
                line_seed = batch[py["line"] - 1]
                for r in (py, du):
                    reason = r.get("reason")
                    if reason in ("failed", "worker_died", "time_limit"):
                        totals[reason] += 1
                        log.write(json.dumps({"seed": line_seed, "reason": reason,
                                              "problems": r["problems"]}) + "\n")
                if _key(py) != _key(du):
                    totals["disagreements"] += 1
                    log.write(json.dumps({"seed": line_seed, "reason": "disagreement"}) + "\n")
                totals["records"] += 1
                totals[py["type"]] += 1
                if py["type"] == "result" and line_seed % 10 == 0:
                    try:
                        raw = case_line(line_seed)
                        case = case_from_mapping(json.loads(raw))
                        report = evaluate(book, case, as_of=AS_OF)
                        render_all(report, case, book.resolve(report.jurisdiction).rules)
                        totals["rendered"] += 1
                    except Exception as exc:
                        totals["render_tracebacks"] += 1
                        log.write(json.dumps({"seed": line_seed, "reason": "render",
                                              "error": repr(exc)[:300]}) + "\n")
            log.flush()
            seed = batch[-1] + 1
            print(json.dumps({"done": seed - args.start, **totals}), flush=True)
    return totals


# ---- rule files: a child process evaluates them; the parent watches it ----------------------

def _edge_cases() -> list[Any]:
    import random

    docs = list(SEED_CASES)
    rng = random.Random(7)
    while len(docs) < len(SEED_CASES) + 4:
        try:
            case_from_mapping(candidate := mutate_case(rng))
            docs.append(candidate)
        except IEPRulesError:
            continue
    return [case_from_mapping(d) for d in docs]


def rules_worker(start: int, count: int) -> None:
    bundled = load_rulebook()
    base = tuple(attrs.evolve(layer, rules=(), disabled=()) for layer in bundled.layers)
    cases_ = _edge_cases()
    for seed in range(start, start + count):
        print(json.dumps({"start": seed}), flush=True)
        out: dict[str, Any] = {"seed": seed, "tracebacks": [], "disagreements": 0}
        try:
            layer, _problems = parse_layer(rule_file(seed), f"fuzz-{seed}.yaml")
            book = Rulebook((*base, layer)) if layer is not None else None
            if book is not None and layer is not None:
                try:
                    book.resolve(layer.jurisdiction)
                except IEPRulesError:
                    book = None
            out["status"] = "clean" if book is not None else "refused"
            if book is not None and layer is not None:
                resolved = book.resolve(layer.jurisdiction)
                for case in cases_:
                    got = {}
                    for backend in ("python", "durable"):
                        try:
                            report = evaluate(book, case, as_of=AS_OF,
                                              jurisdiction=layer.jurisdiction, backend=backend)
                            got[backend] = sorted((f.rule_id, f.subject, f.severity, f.message)
                                                  for f in report.findings)
                            if backend == "python":
                                render_all(report, case, resolved.rules)
                        except IEPRulesError as exc:
                            got[backend] = [("error", type(exc).__name__)]
                    if got["python"] != got["durable"]:
                        out["disagreements"] += 1
                for rule in layer.rules:
                    for example in rule.examples:
                        with contextlib.suppress(IEPRulesError):
                            check_example(book, rule, example)
        except Exception as exc:
            out["tracebacks"].append(repr(exc)[:300])
        print(json.dumps(out), flush=True)


def rules(args: argparse.Namespace, log: Any) -> Counter[str]:
    totals: Counter[str] = Counter()
    seed, end = args.start, args.start + args.count
    while seed < end:
        proc = subprocess.Popen([sys.executable, __file__, "rules-worker", "--start", str(seed),
                                 "--count", str(end - seed)], stdout=subprocess.PIPE, text=True)
        assert proc.stdout is not None
        # The clock starts at each file's "start" line: the worker's own start-up (loading the
        # rulebook on a loaded machine) is not charged to the first file.
        current, started = seed, float("inf")
        while True:
            ready, _, _ = select.select([proc.stdout], [], [], 1.0)
            if not ready:
                if time.monotonic() - started > LIMIT:
                    proc.kill()
                    proc.wait()
                    totals["over_10s"] += 1
                    log.write(json.dumps({"seed": current, "reason": "over 10 s"}) + "\n")
                    seed = current + 1
                    break
                continue
            line = proc.stdout.readline()
            if not line:
                code = proc.wait()
                if code != 0:
                    totals["signals" if code < 0 else "worker_exits"] += 1
                    log.write(json.dumps({"seed": current, "reason": f"exit {code}"}) + "\n")
                    seed = current + 1
                else:
                    seed = end
                break
            data = json.loads(line)
            if "start" in data:
                current, started = data["start"], time.monotonic()
                continue
            totals["files"] += 1
            totals[data["status"]] += 1
            totals["disagreements"] += bool(data["disagreements"])
            totals["tracebacks"] += bool(data["tracebacks"])
            if data["tracebacks"] or data["disagreements"]:
                log.write(json.dumps(data) + "\n")
            if totals["files"] % 200 == 0:
                log.flush()
                print(json.dumps(dict(totals)), flush=True)
    return totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("mode", choices=["cases", "rules", "rules-worker"])
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--start", type=int, default=0)
    parser.add_argument("--batch", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--log", default=os.devnull)
    args = parser.parse_args()
    if args.mode == "rules-worker":
        rules_worker(args.start, args.count)
        return
    started = time.time()
    with open(args.log, "a", encoding="utf-8") as log:
        totals = cases(args, log) if args.mode == "cases" else rules(args, log)
    print(json.dumps({"mode": args.mode, "start": args.start, "count": args.count,
                      "wall_secs": round(time.time() - started), **totals}))


if __name__ == "__main__":
    main()
