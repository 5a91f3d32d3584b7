"""A real server (`iep-rules serve --workers 2`, settings from the environment) on 127.0.0.1
under a bounded concurrent load: every response is its own request's report (no request sees
another's data), hostile requests do not bring the process down, and the server's log holds
no case data. Loopback only, bounded in count and time."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("fastapi")
httpx = pytest.importorskip("httpx")

from conftest import bundled_rulebook  # noqa: E402

from iep_rules import load_case  # noqa: E402
from iep_rules.service import _library as library  # noqa: E402
from iep_rules.service._settings import ENV_API_KEY  # noqa: E402

HOST = "127.0.0.1"  # the only address these tests ever contact
KEY = "load-test-key-0123456789abcdef"
AS_OF = "2026-11-23"
TEMPLATES = ["ny-grade9", "compliant-ny", "compliant-us", "ledger-speech"]
REQUESTS, CONCURRENCY, DURABLE_EVERY = 2000, 8, 10


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[tuple[str, Path]]:
    port = _free_port()
    log = tmp_path_factory.mktemp("server") / "server.log"
    env = {**os.environ, ENV_API_KEY: KEY}
    with log.open("wb") as out:
        proc = subprocess.Popen(
            [sys.executable, "-c", "from iep_rules.cli import main; main()", "serve",
             "--host", HOST, "--port", str(port), "--workers", "2",
             # Longer than any pause of a starved client on a busy machine: a connection
             # the server closes while the client reuses it is a client-side ReadError.
             "--keep-alive", "120"],
            env=env, stdout=out, stderr=subprocess.STDOUT)
    base = f"http://{HOST}:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(f"{base}/health", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"server did not start:\n{log.read_text()}")
            time.sleep(0.2)
        yield base, log
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def _expected() -> dict[tuple[str, str], dict[str, object]]:
    book, day = bundled_rulebook(), dt.date.fromisoformat(AS_OF)
    out = {}
    for name in TEMPLATES:
        case = load_case(f"examples/{name}.json")
        for backend in ("python", "durable"):
            out[name, backend] = json.loads(library.check_json(
                book, case, as_of=day, jurisdiction=None, backend=backend))
    return out


@pytest.mark.slow
@pytest.mark.durable  # every tenth request uses the durable backend
def test_concurrent_requests_each_get_their_own_report(server):
    base, log = server
    expected = _expected()
    documents = {name: json.loads(Path(f"examples/{name}.json").read_text()) for name in TEMPLATES}
    assert len({json.dumps(expected[n, "python"]["findings"]) for n in TEMPLATES}) >= 3

    async def run() -> list[tuple[int, int, dict[str, object]]]:
        gate = asyncio.Semaphore(CONCURRENCY)
        headers = {"Authorization": f"Bearer {KEY}"}
        limits = httpx.Limits(max_connections=CONCURRENCY)
        async with httpx.AsyncClient(base_url=base, headers=headers, limits=limits,
                                     timeout=60) as client:
            async def one(i: int) -> tuple[int, int, dict[str, object]]:
                name = TEMPLATES[i % len(TEMPLATES)]
                backend = "durable" if i % DURABLE_EVERY == 0 else "python"
                doc = {**documents[name], "id": f"load-{i:05d}"}
                async with gate:
                    response = await client.post(
                        "/check", params={"as_of": AS_OF, "backend": backend}, json=doc)
                return i, response.status_code, response.json()

            return await asyncio.wait_for(
                asyncio.gather(*(one(i) for i in range(REQUESTS))), timeout=600)

    results = asyncio.run(run())
    assert len(results) == REQUESTS
    for i, status, body in results:
        name = TEMPLATES[i % len(TEMPLATES)]
        backend = "durable" if i % DURABLE_EVERY == 0 else "python"
        assert status == 200, (i, body)
        assert body["case_id"] == f"load-{i:05d}"
        # A fingerprint hashes the case id, so each request's differs from the template's;
        # everything else in the report must be the template's exactly.
        assert {**_anonymous(body)} == {**_anonymous(expected[name, backend])}, i
        assert len({f["fingerprint"] for f in body["findings"]}) == len(body["findings"]), i

    text = log.read_text(encoding="utf-8")
    assert text.count("POST /check") == REQUESTS  # the access log is on ...
    assert "load-0" not in text and "student-7f3a" not in text  # ... and holds no case data


@pytest.mark.slow
def test_hostile_requests_leave_the_server_serving(server):
    base, log = server
    auth = {"Authorization": f"Bearer {KEY}"}
    with httpx.Client(base_url=base, timeout=30) as client:
        assert client.post("/check", content=b"{}").status_code == 401
        bomb = b"[" * 200_000 + b"]" * 200_000
        assert client.post("/check", content=bomb, headers=auth).status_code == 400
        huge = b"x" * (3 * 1024 * 1024)
        assert client.post("/check", content=huge, headers=auth).status_code == 413
        liar = client.post("/check", content=b"{}", headers={**auth, "Content-Length": "2"})
        assert liar.status_code == 422
        bad = client.post("/audit", content=b"\xff\n{}\n[]\n\"x\"\n", headers=auth)
        assert bad.status_code == 200
        assert json.loads(bad.text.splitlines()[-1])["errors"] == 4
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/version", headers=auth).status_code == 200
    # a connection that sends half a request and disappears
    with socket.create_connection((HOST, int(base.rsplit(":", 1)[1])), timeout=5) as sock:
        sock.sendall(b"POST /check HTTP/1.1\r\nHost: x\r\nContent-Length: 1000\r\n\r\n{\"id\"")
    assert httpx.get(f"{base}/health", timeout=5).status_code == 200
    assert "Traceback" not in log.read_text(encoding="utf-8")


def _anonymous(report: dict) -> dict:
    """The report without what depends on the case id: the id itself and the fingerprints."""
    findings = [{k: v for k, v in f.items() if k != "fingerprint"} for f in report["findings"]]
    return {**report, "case_id": None, "findings": findings}
