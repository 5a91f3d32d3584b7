"""Every reproducer of issue 13 (copied into tests/repro/ from the shared folder) through the real
CLI in a subprocess: exit 0, 1 or 2 within 5 s, never a traceback, never a signal, and the
kill-worker script ends with every record accounted for."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

REPRO = Path(__file__).parent / "repro"
CLI = [sys.executable, "-c", "from iep_rules.cli import main; main()"]
AS_OF = ["--as-of", "2025-01-01"]
# The bound is 5 s; on a shared machine (load above its core count) the same work
# gets proportionally less CPU, so the bound scales with the oversubscription at start.
LIMIT = 5.0 * max(1.0, os.getloadavg()[0] / (os.cpu_count() or 1))

# Reproducers of unbounded schedule work, fixed on the ledger branch (issue 11, now on main):
# no longer expected to fail; the set stays empty unless a regression needs marking.
LEDGER: set[str] = set()


def run(args: list[str], timeout: float = LIMIT, **kwargs) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=timeout,
                              errors="replace", **kwargs)
    except subprocess.TimeoutExpired:
        pytest.fail(f"iep-rules {' '.join(args)} ran past {timeout} s")
    assert done.returncode in (0, 1, 2), (done.returncode, done.stderr[-500:])
    assert "Traceback" not in done.stderr + done.stdout, done.stderr[-2000:]
    return done


def _ledger_mark(name: str) -> list[pytest.MarkDecorator]:
    if name in LEDGER:
        return [pytest.mark.xfail(reason="unbounded schedule work: ledger branch (issue 11)",
                                  strict=False)]
    return []


CASES = sorted(p.name for p in REPRO.glob("case-*.json"))
RULES = sorted(p.name for p in REPRO.glob("rules-*.yaml"))
AUDITS = sorted(p.name for p in REPRO.glob("audit-*.jsonl"))


@pytest.mark.parametrize("name", [pytest.param(n, marks=_ledger_mark(n)) for n in CASES])
@pytest.mark.parametrize("backend", ["python", "durable"])
def test_case_reproducers(name, backend):
    done = run(["check", str(REPRO / name), *AS_OF, "--backend", backend])
    if done.returncode == 2:
        lines = done.stderr.splitlines()
        assert lines and all(len(line) < 400 for line in lines), done.stderr[:1000]
        assert "$" in done.stderr  # located by JSON path


@pytest.mark.parametrize("name", ["case-markup-injection.json", "case-ansi-text.json"])
@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "markdown", "html"])
def test_hostile_text_reproducers_in_every_format(name, fmt):
    run(["check", str(REPRO / name), *AS_OF, "--format", fmt])


@pytest.mark.parametrize("name", RULES)
@pytest.mark.durable
def test_rule_file_reproducers(name):
    path = str(REPRO / name)
    lint = run(["lint", path])
    outcomes = {lint.returncode}
    for backend in ("python", "durable"):
        outcomes.add(run(["check", "examples/ledger-speech.json", "--as-of", "2024-11-29",
                          "--jurisdiction", "US", "--backend", backend, "--rules", path])
                     .returncode)
    run(["test", path])
    if lint.returncode == 0:  # lint-clean: it must have run (exit 0/1) on both backends
        assert outcomes <= {0, 1}
    else:
        assert lint.returncode == 2 and path in lint.stderr


@pytest.mark.parametrize("name", AUDITS)
@pytest.mark.parametrize("workers", ["1", "2"])
def test_audit_reproducers_account_for_every_record(name, workers):
    done = run(["audit", str(REPRO / name), *AS_OF, "--workers", workers, "--quiet",
                "--time-limit", "1"])
    rows = [json.loads(line) for line in done.stdout.splitlines()]
    summary = rows[-1]
    lines = [n for n, raw in enumerate((REPRO / name).read_bytes().split(b"\n"), 1)
             if raw.strip()]
    assert summary["records_in"] == len(lines) == len(rows) - 1
    assert summary["reconciled"] and [r["line"] for r in rows[:-1]] == lines


@pytest.mark.durable
def test_durable_audit_with_infinite_parameter_is_refused_not_hung():
    done = run(["audit", "tests/repro/audit-one-bad-record.jsonl", *AS_OF, "--backend", "durable",
                "--workers", "2", "--rules", str(REPRO / "rules-param-inf-segfault.yaml")])
    assert done.returncode == 2 and "finite" in done.stderr


def test_two_megabyte_rule_file_is_refused_quickly(tmp_path):
    subprocess.run(["sh", str(REPRO / "make-rules-2mb-slow.sh")], cwd=tmp_path, check=True)
    done = run(["lint", str(tmp_path / "rules-2mb-slow.yaml")])
    assert done.returncode == 2 and "tokens" in done.stderr


@pytest.mark.slow
@pytest.mark.skipif(not shutil.which("pgrep"), reason="needs pgrep")
def test_kill_worker_script_accounts_for_every_record(tmp_path):
    """The shared script, with one change: it looks for a worker among the audit's direct
    children started by `spawn`; ours are forked by a fork server (grandchildren), so as shipped
    it would kill nothing and the test would prove nothing. Only that line is adapted, and the
    test checks that a worker was really killed."""
    shim = tmp_path / "iep-rules"
    shim.write_text(f"#!/bin/sh\nexec {sys.executable} -c 'from iep_rules.cli import main; main()' "
                    '"$@"\n')
    shim.chmod(0o755)
    script = (REPRO / "audit-kill-worker.sh").read_text(encoding="utf-8")
    find = "W=$(ps -o pid= -o cmd= --ppid $A | grep spawn_main | head -1 | awk '{print $1}')"
    assert find in script
    adapted = tmp_path / "kill-worker.sh"
    adapted.write_text(script.replace(find, "W=$(for c in $(pgrep -P $A); do pgrep -P $c; done "
                                            "| head -1)"), encoding="utf-8")
    done = subprocess.run(["bash", str(adapted)], capture_output=True, cwd=Path.cwd(),
                          text=True, timeout=600, env={**os.environ, "IEP": str(shim)})
    assert re.search(r"killing worker \d+ after", done.stdout), done.stdout + done.stderr
    assert "kill: usage" not in done.stderr, done.stderr
    assert "lines=10001 of 10000 records" in done.stdout, done.stdout
