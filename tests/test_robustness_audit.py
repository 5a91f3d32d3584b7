"""Audits never lose a record: exceptions, dead workers and runaway records become error
results for their own record; reading never splits or silently repairs a record; a closed
pipe or a full disk is a failed run (exit 2), not "violations found"."""

from __future__ import annotations

import datetime as dt
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from iep_rules import Problem
from iep_rules.batch import _audit
from iep_rules.batch._audit import CaseRecord, Counted, Settings, read_records, run_audit
from iep_rules.cli import cli

GOOD = json.loads(Path("examples/compliant-ny.json").read_text(encoding="utf-8"))
SETTINGS = Settings((), dt.date(2025, 1, 1), None, "python")


def _text(**changes) -> str:
    return json.dumps({**GOOD, **changes})


def test_an_exception_while_evaluating_one_record_is_that_records_error(monkeypatch, rulebook):
    real = _audit.evaluate

    def flaky(book, case, **kwargs):
        if case.id == "boom":
            raise KeyError("Monday")
        return real(book, case, **kwargs)

    monkeypatch.setattr(_audit, "evaluate", flaky)
    records = [CaseRecord("in", n, text=_text(id=name))
               for n, name in enumerate(["a", "boom", "c"], start=1)]
    results = list(run_audit(records, settings=SETTINGS, workers=0, book=rulebook))
    assert [r["type"] for r in results] == ["result", "error", "result"]
    assert results[1]["line"] == 2 and results[1]["reason"] == "failed"
    assert results[1]["problems"] == ["internal error: KeyError: 'Monday'"]


def test_case_source_takes_text_documents_and_unreadable_records(rulebook):
    records = [CaseRecord("edfi:students", 1, document=GOOD),
               CaseRecord("edfi:students", 2, problems=(Problem("$.student", "no match"),)),
               CaseRecord("edfi:students", 3, text=_text(id="t"))]
    results = list(run_audit(records, settings=SETTINGS, workers=0, book=rulebook))
    assert [(r["type"], r["line"]) for r in results] == [("result", 1), ("error", 2),
                                                          ("result", 3)]
    assert results[1]["problems"] == ["$.student: no match"]


def test_cr_and_line_separator_inside_strings_do_not_split_records(tmp_path):
    school = {**GOOD["student"], "school": "North\u2028South\rEast"}
    lines = [json.dumps({**GOOD, "student": school}, ensure_ascii=False), _text(id="b")]
    path = tmp_path / "in.jsonl"
    path.write_bytes("\r\n".join(lines).encode("utf-8") + b"\n\n   \n")
    records = list(read_records(str(path)))
    assert [r.line for r in records] == [1, 2]
    assert records[0].text is not None and "\u2028" in records[0].text


def test_invalid_utf8_is_an_error_for_that_record_only(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(_text().encode() + b"\n" + b'{"id": "caf\xe9"}\n' + _text().encode() + b"\n")
    records = list(read_records(str(path)))
    assert [bool(r.problems) for r in records] == [False, True, False]
    assert str(records[1].problems[0]) == "byte 11: not valid UTF-8"


def test_folder_input_refuses_oversized_files_without_reading_them(tmp_path, monkeypatch):
    monkeypatch.setattr(_audit, "MAX_CASE_BYTES", 100)
    (tmp_path / "big.json").write_text(_text(), encoding="utf-8")
    (tmp_path / "fifo.json").unlink(missing_ok=True)
    os.mkfifo(tmp_path / "fifo.json")  # would block forever if it were opened for reading
    records = list(read_records(str(tmp_path)))
    assert [r.source.rsplit("/", 1)[-1] for r in records] == ["big.json", "fifo.json"]
    assert all(r.problems for r in records)


@pytest.mark.slow
def test_a_killed_worker_loses_only_its_record_and_is_replaced(tmp_path):
    records = [CaseRecord("in", n, text=_text(id=f"c{n}")) for n in range(1, 401)]
    counted = Counted(records)
    results = []
    stream = run_audit(counted, settings=SETTINGS, workers=2)
    for result in stream:
        results.append(result)
        if len(results) == 20:  # kill one worker mid-audit
            import multiprocessing

            victim = next(p for p in multiprocessing.active_children()
                          if p.name == "iep-rules-audit-worker")
            os.kill(victim.pid, signal.SIGKILL)
    assert counted.count == len(results) == 400
    assert [r["line"] for r in results] == list(range(1, 401))
    died = [r for r in results if r["type"] == "error"]
    assert len(died) <= 1 and all(r["reason"] == "worker_died" for r in died)
    assert all("SIGKILL" in r["problems"][0] for r in died)


@pytest.mark.slow
def test_a_runaway_record_hits_the_time_limit_and_the_audit_goes_on():
    # Thousands of services: far beyond what a 0.05 s limit allows on any machine.
    big = {**GOOD, "ieps": [{**GOOD["ieps"][0],
                             "services": [GOOD["ieps"][0]["services"][0]] * 4000}]}
    records = [CaseRecord("in", 1, text=_text()), CaseRecord("in", 2, text=json.dumps(big)),
               CaseRecord("in", 3, text=_text())]
    results = list(run_audit(records, settings=SETTINGS, workers=1, time_limit=0.05))
    assert [r["type"] for r in results][1] == "error"
    assert results[1]["reason"] == "time_limit" and results[1]["line"] == 2
    assert len(results) == 3


@pytest.mark.slow
def test_results_released_together_do_not_leave_workers_idle(monkeypatch):
    # A full ordering window used to stall every worker until the 60 s wait ran out.
    monkeypatch.setattr(_audit, "WINDOW_PER_WORKER", 1)
    real = _audit.wait
    pending = {"n": 12}

    def wait(objects, timeout=None):
        started = pending["n"] < 12  # before the first result, workers are still starting
        assert not started or timeout < 59 or pending["n"] == 0, "idle wait with work left"
        return real(objects, timeout)

    monkeypatch.setattr(_audit, "wait", wait)
    # The first record takes longest: the next ones finish and wait behind it in the window.
    slow = {**GOOD, "ieps": [{**GOOD["ieps"][0],
                              "services": [GOOD["ieps"][0]["services"][0]] * 300}]}
    records = [CaseRecord("in", 1, text=json.dumps(slow))]
    records += [CaseRecord("in", n, text=_text(id=f"c{n}")) for n in range(2, 13)]
    for _ in run_audit(records, settings=SETTINGS, workers=2, time_limit=30):
        pending["n"] -= 1
    assert pending["n"] == 0


def test_workers_that_cannot_start_fail_the_run_instead_of_hanging(monkeypatch):
    monkeypatch.setattr(_audit, "_worker_main", _exit_at_once)
    monkeypatch.setattr(_audit, "_context", lambda: __import__("multiprocessing")
                        .get_context("fork"))
    with pytest.raises(_audit.AuditFailed, match="cannot start"):
        list(run_audit([CaseRecord("in", 1, text=_text())], settings=SETTINGS, workers=1))


def _exit_at_once(conn, settings):
    os._exit(3)


CLI = [sys.executable, "-c", "from iep_rules.cli import main; main()"]


def test_closed_output_pipe_is_exit_2_with_a_message(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text((_text() + "\n") * 50, encoding="utf-8")
    proc = subprocess.Popen([*CLI, "audit", str(path), "--as-of", "2025-01-01", "--quiet"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    proc.stdout.readline()
    proc.stdout.close()  # the reader goes away, like `| head -1`
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 2
    assert b"output was closed" in err and b"Traceback" not in err


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_full_disk_is_exit_2_with_a_message(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_text(_text() + "\n", encoding="utf-8")
    with open("/dev/full", "w") as full:
        done = subprocess.run([*CLI, "check", "examples/compliant-ny.json", "--as-of",
                               "2025-01-01"], stdout=full, stderr=subprocess.PIPE, timeout=120)
    assert done.returncode == 2
    assert b"No space left on device" in done.stderr and b"Traceback" not in done.stderr


def test_an_internal_error_exits_2_never_1(monkeypatch):
    import iep_rules.cli._main as main

    def broken(*args, **kwargs):
        raise ZeroDivisionError("boom")

    monkeypatch.setattr(main, "evaluate", broken)
    result = CliRunner().invoke(cli, ["check", "examples/compliant-ny.json"])
    assert result.exit_code == 2
    assert "internal error (ZeroDivisionError: boom)" in result.output


def test_records_in_is_counted_from_the_input_and_reconciled(tmp_path):
    path = tmp_path / "in.jsonl"
    path.write_bytes(b"\n".join([_text().encode(), b"not json", b"", b'{"id": "\xff"}']) + b"\n")
    result = CliRunner().invoke(cli, ["audit", str(path), "--as-of", "2025-01-01"])
    summary = json.loads(result.output.splitlines()[-1])
    assert (summary["records_in"], summary["results"], summary["errors"]) == (3, 1, 2)
    assert summary["reconciled"] and result.exit_code == 2


def test_stdin_is_read_as_bytes():
    good = _text()
    result = CliRunner().invoke(cli, ["audit", "-", "--as-of", "2025-01-01"],
                                input=(good + "\n").encode() + b'{"id": "\xff"}\n')
    rows = [json.loads(line) for line in result.output.splitlines()]
    assert [r["type"] for r in rows] == ["result", "error", "summary"]



@pytest.mark.slow
def test_an_iep_rules_folder_where_the_audit_runs_is_never_imported(tmp_path):
    """The workers' fork server must import this package, not one in the current folder
    (Python 3.11 starts it with the current folder first on its path)."""
    planted = tmp_path / "iep_rules"
    planted.mkdir()
    marker = tmp_path / "planted-code-ran"
    (planted / "__init__.py").write_text(f"open({str(marker)!r}, 'w').close()\n",
                                         encoding="utf-8")
    (tmp_path / "in.jsonl").write_text(_text() + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    script = Path(sys.executable).with_name("iep-rules")  # the installed command
    if not script.exists():
        pytest.skip("needs the installed iep-rules script beside this Python")
    done = subprocess.run([str(script), "audit", "in.jsonl", "--as-of", "2025-01-01", "--quiet"],
                          cwd=tmp_path, env=env, capture_output=True, timeout=120)
    assert not marker.exists()
    summary = json.loads(done.stdout.splitlines()[-1])
    assert (summary["results"], summary["reconciled"]) == (1, True), done.stderr
