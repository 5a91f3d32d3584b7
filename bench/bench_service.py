"""Throughput and latency of the HTTP service on this machine (never run as a test).

Starts `iep-rules serve` on 127.0.0.1 (loopback only: no other address is ever contacted) with
one and then two uvicorn workers, and sends a bounded number of requests from an asyncio
httpx client with a fixed number in flight. Reported per configuration: requests/s and
latency percentiles for POST /check (the bundled New York example case, python backend) and
GET /health, plus the library's own evaluate() rate in one process for comparison.

The client runs on the same machine as the server, so on a 2-core machine it takes CPU from
the workers: read the numbers as a floor, and compare the rows with each other.

Run: python bench/bench_service.py [--requests 2000] [--concurrency 8] [--workers 1 2]
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

from iep_rules import load_rulebook
from iep_rules.service._library import check_json, parse_case

HOST = "127.0.0.1"  # loopback only
AS_OF = "2026-11-23"
CASE = Path(__file__).resolve().parent.parent / "examples" / "ny-grade9.json"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def start_server(workers: int) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("IEP_RULES_")}
    proc = subprocess.Popen(
        [sys.executable, "-c", "from iep_rules.cli import main; main()", "serve", "--host", HOST,
         "--port", str(port), "--workers", str(workers), "--log-level", "warning"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://{HOST}:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                return proc, base
        except httpx.TransportError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError("server did not start")


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    proc.terminate()
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=20)


async def load(base: str, method: str, path: str, body: bytes | None, count: int,
               concurrency: int, max_seconds: float) -> tuple[float, list[float], int]:
    """(wall seconds, latencies in ms, non-200 responses) for `count` requests."""
    latencies: list[float] = []
    failures = 0
    next_index = 0
    stop_at = time.monotonic() + max_seconds

    async def worker(client: httpx.AsyncClient) -> None:
        nonlocal next_index, failures
        while next_index < count and time.monotonic() < stop_at:
            next_index += 1
            start = time.perf_counter()
            response = await client.request(method, path, content=body,
                                            params={"as_of": AS_OF} if body else None)
            latencies.append((time.perf_counter() - start) * 1000)
            failures += response.status_code != 200

    limits = httpx.Limits(max_connections=concurrency, max_keepalive_connections=concurrency)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=60) as client:
        started = time.perf_counter()
        await asyncio.gather(*(worker(client) for _ in range(concurrency)))
        return time.perf_counter() - started, latencies, failures


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q / 100 * (len(ordered) - 1)))]


def library_rate(count: int) -> float:
    """The work one /check does, without HTTP: parse and check the body, evaluate, write JSON."""
    book, day, raw = load_rulebook(), dt.date.fromisoformat(AS_OF), CASE.read_bytes()

    def once() -> str:
        return check_json(book, parse_case(raw, "<bench>"), as_of=day, jurisdiction=None,
                          backend="python")

    once()  # compile before timing
    started = time.perf_counter()
    for _ in range(count):
        once()
    return count / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--max-seconds", type=float, default=120.0,
                        help="Stop a run after this long even if requests remain.")
    args = parser.parse_args()
    body = CASE.read_bytes()
    load_before = os.getloadavg()[0]  # other work on the machine skews every number
    rows = []
    for workers in args.workers:
        proc, base = start_server(workers)
        try:
            asyncio.run(load(base, "POST", "/check", body, 100, args.concurrency, 30))  # warm
            for label, method, path, payload in (("POST /check", "POST", "/check", body),
                                                  ("GET /health", "GET", "/health", None)):
                cpu = time.process_time()
                wall, lat, failed = asyncio.run(load(base, method, path, payload, args.requests,
                                                     args.concurrency, args.max_seconds))
                cpu = time.process_time() - cpu
                rows.append({"workers": workers, "endpoint": label, "requests": len(lat),
                             "failed": failed, "rps": len(lat) / wall,
                             "p50": percentile(lat, 50), "p90": percentile(lat, 90),
                             "p99": percentile(lat, 99), "max": max(lat),
                             "mean": statistics.fmean(lat),
                             "client_cpu_share": cpu / wall})
        finally:
            stop_server(proc)
    in_process = library_rate(500)
    print(f"cores: {os.cpu_count()}  concurrency: {args.concurrency}  "
          f"python: {sys.version.split()[0]}  load average before/after: "
          f"{load_before:.1f}/{os.getloadavg()[0]:.1f}")
    print("| workers | endpoint | requests | non-200 | req/s | p50 ms | p90 ms | p99 ms | max ms "
          "| client CPU |")
    print("|---|---|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(f"| {r['workers']} | {r['endpoint']} | {r['requests']} | {r['failed']} | "
              f"{r['rps']:.0f} | {r['p50']:.1f} | {r['p90']:.1f} | {r['p99']:.1f} | "
              f"{r['max']:.1f} | {r['client_cpu_share']:.0%} |")
    print(f"\nthe same work in one process without HTTP (parse, evaluate, JSON): "
          f"{in_process:.0f} cases/s")
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
