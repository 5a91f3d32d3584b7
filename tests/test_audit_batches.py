"""The audit's worker pool sends batches of records, yet keeps issue 13's promises per record:
a worker dying or running out of time loses only the record it was evaluating; the rest of
its batch is evaluated again by its replacement, and the audit always ends.

Workers are forked (not served by the fork server) so that they inherit the monkeypatched
evaluation: that is how a test makes one chosen record kill its worker."""

from __future__ import annotations

import datetime as dt
import json
import multiprocessing
import os
import signal
import time
from pathlib import Path

import pytest

from iep_rules.batch import _audit
from iep_rules.batch._audit import CaseRecord, Counted, Settings, run_audit, run_audit_text

GOOD = json.loads(Path("examples/compliant-ny.json").read_text(encoding="utf-8"))
SETTINGS = Settings((), dt.date(2025, 1, 1), None, "python")


def _records(ids: list[str]) -> list[CaseRecord]:
    return [CaseRecord("in.jsonl", n, text=json.dumps({**GOOD, "id": case_id}))
            for n, case_id in enumerate(ids, start=1)]


@pytest.fixture
def forked(monkeypatch):
    monkeypatch.setattr(_audit, "_context", lambda: multiprocessing.get_context("fork"))
    real = _audit.run_one

    def run_one(record, settings, book):
        text = record.text or ""
        if '"id": "die"' in text:
            os.kill(os.getpid(), signal.SIGKILL)
        if '"id": "hang"' in text:
            time.sleep(60)
        return real(record, settings, book)

    monkeypatch.setattr(_audit, "run_one", run_one)


def test_a_record_that_kills_its_worker_is_the_only_error_of_its_batch(forked):
    ids = [f"c{n}" for n in range(1, 41)]
    ids[4] = "die"  # fifth of a 16-record batch: four finished before it, eleven after
    counted = Counted(_records(ids))
    results = list(run_audit(counted, settings=SETTINGS, workers=1))
    assert counted.count == len(results) == 40
    assert [r["line"] for r in results] == list(range(1, 41))
    errors = [r for r in results if r["type"] == "error"]
    assert [(r["line"], r["reason"]) for r in errors] == [(5, "worker_died")]
    assert "SIGKILL while evaluating this record" in errors[0]["problems"][0]
    assert [r["case_id"] for r in results if r["type"] == "result"] == ids[:4] + ids[5:]


def test_the_error_for_a_lost_record_is_written_in_the_output_format_too(forked):
    ids = ["a", "b", "die", "c"]
    results = list(run_audit_text(_records(ids), settings=SETTINGS, fmt="jsonl", workers=1))
    assert [(r.type, r.reason) for r in results] == [
        ("result", None), ("result", None), ("error", "worker_died"), ("result", None)]
    lost = json.loads(results[2].text)
    assert (lost["line"], lost["reason"]) == (3, "worker_died")
    assert [json.loads(r.text)["case_id"] for r in results if r.type == "result"] == ["a", "b", "c"]


def test_a_runaway_record_in_a_batch_is_the_only_time_limit_error(forked):
    ids = ["a", "hang", "b", "c", "die", "d"]
    results = list(run_audit(_records(ids), settings=SETTINGS, workers=2, time_limit=3.0))
    assert [(r["line"], r["type"], r.get("reason")) for r in results] == [
        (1, "result", None), (2, "error", "time_limit"), (3, "result", None),
        (4, "result", None), (5, "error", "worker_died"), (6, "result", None)]


def _die_after_taking_a_batch(conn, settings, progress, fmt):
    conn.send(("ready", None))
    conn.recv()
    os._exit(9)  # killed between records: no record is in flight


def test_workers_killed_between_records_cannot_keep_the_audit_going(monkeypatch):
    monkeypatch.setattr(_audit, "_context", lambda: multiprocessing.get_context("fork"))
    monkeypatch.setattr(_audit, "_worker_main", _die_after_taking_a_batch)
    counted = Counted(_records(["a", "b", "c"]))
    results = list(run_audit(counted, settings=SETTINGS, workers=1))
    assert counted.count == len(results) == 3
    assert {r["reason"] for r in results} == {"worker_died"}
    assert all(f"batch {_audit.MAX_RETRIES + 1} times" in r["problems"][0] for r in results)


def test_batches_shrink_to_share_a_nearly_full_window():
    assert _audit._batch_size(2, 1000) == _audit.BATCH_RECORDS
    assert _audit._batch_size(2, 6) == 3
    assert _audit._batch_size(4, 2) == 1
