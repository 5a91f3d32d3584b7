"""`audit --engine dask`: the same audit on a Dask cluster (here a LocalCluster on loopback)
gives the local audit's output byte for byte, bad records included, with the same counts."""

from __future__ import annotations

import builtins
import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from iep_rules.batch import _dask
from iep_rules.batch._audit import Counted, Settings, read_records, run_audit
from iep_rules.cli import cli

GOOD = json.loads(Path("examples/compliant-ny.json").read_text(encoding="utf-8"))
VIOLATING = json.loads(Path("examples/ny-grade9.json").read_text(encoding="utf-8"))
SETTINGS = Settings((), dt.date(2025, 1, 1), None, "python")


def _write(path: Path, n: int, tag: str) -> Path:
    lines = []
    for i in range(n):
        doc = GOOD if i % 2 else VIOLATING
        lines.append(json.dumps({**doc, "id": f"{tag}-{i}"}).encode())
    lines[3] = b"not json"
    lines[5] = b'{"id": "caf\xe9"}'  # invalid UTF-8: an error for this record only
    lines[7] = json.dumps({**GOOD, "ieps": "none"}).encode()  # not a list of IEPs
    path.write_bytes(b"\n".join(lines) + b"\n\n")
    return path


def test_an_unknown_engine_is_refused(tmp_path):
    path = _write(tmp_path / "a.jsonl", 10, "a")
    result = CliRunner().invoke(cli, ["audit", str(path), "--engine", "spark"])
    assert result.exit_code == 2 and "'spark' is not one of 'local', 'dask'" in result.output
    with pytest.raises(_dask.EngineError, match="unknown audit engine 'spark'"):
        _dask.check_engine("spark")


def test_the_dask_engine_without_its_extra_names_the_extra(tmp_path, monkeypatch):
    real = builtins.__import__

    def no_distributed(name, *args, **kwargs):
        if name.split(".")[0] in {"dask", "distributed", "fsspec"}:
            raise ImportError(f"No module named {name!r}")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_distributed)
    path = _write(tmp_path / "a.jsonl", 10, "a")
    result = CliRunner().invoke(cli, ["audit", str(path), "--engine", "dask",
                                      "--scheduler", "tcp://127.0.0.1:1"])
    assert result.exit_code == 2
    assert "pip install 'iep-rules[dask]'" in result.output


def test_scheduler_and_engine_go_together(tmp_path):
    path = _write(tmp_path / "a.jsonl", 10, "a")
    for extra in (["--engine", "dask"], ["--scheduler", "tcp://127.0.0.1:1"]):
        result = CliRunner().invoke(cli, ["audit", str(path), *extra])
        assert result.exit_code == 2 and "--scheduler goes with --engine dask" in result.output


def test_workers_and_stdin_are_for_the_local_engine(tmp_path):
    path = _write(tmp_path / "a.jsonl", 10, "a")
    for target, extra in ((str(path), ["--workers", "2"]), ("-", [])):
        result = CliRunner().invoke(cli, ["audit", target, "--engine", "dask", "--scheduler",
                                          "tcp://127.0.0.1:1", *extra], input="")
        assert result.exit_code == 2 and "no --workers" in result.output


@pytest.fixture(scope="module")
def cluster():
    pytest.importorskip("distributed")
    import dask
    import distributed

    # The audit's supervised worker process is a child of the Dask worker: Dask's default
    # daemonic workers may not have children (docs/scale.md says to set this on a cluster).
    with dask.config.set({"distributed.worker.daemon": False}), distributed.LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
            dashboard_address=None) as local:
        yield local


@pytest.mark.slow
@pytest.mark.parametrize("fmt", ["jsonl", "json", "text"])  # results as text, as text, as objects
def test_dask_audit_output_equals_the_local_audit(tmp_path, cluster, fmt):
    path = _write(tmp_path / "district.jsonl", 24, "d")
    args = ["audit", str(path), "--as-of", "2025-01-01", "--quiet", "--format", fmt]
    local = CliRunner().invoke(cli, args)
    on_dask = CliRunner().invoke(cli, [*args, "--engine", "dask",
                                       "--scheduler", cluster.scheduler_address])
    assert local.exit_code == on_dask.exit_code == 2  # bad records
    assert on_dask.output == local.output
    if fmt == "jsonl":
        summary = json.loads(on_dask.output.splitlines()[-1])
        assert (summary["records_in"], summary["results"], summary["errors"]) == (24, 21, 3)
        assert summary["reconciled"] and summary["cases_with_violations"] > 0


@pytest.mark.slow
def test_dask_bag_of_partitions_keeps_input_order_and_counts(tmp_path, cluster):
    import distributed

    files = [_write(tmp_path / f"part-{n:03d}.jsonl", 12 + n, f"p{n}") for n in range(5)]
    expected = []
    for file in files:
        counted = Counted(read_records(str(file)))
        expected += list(run_audit(counted, settings=SETTINGS, workers=1))
    with distributed.Client(cluster.scheduler_address) as client:
        audit = _dask.DaskAudit(str(tmp_path / "part-*.jsonl"), settings=SETTINGS,
                                client=client, ahead=2)  # fewer in flight than partitions
        results = list(audit.results())
    assert results == expected
    assert audit.count == len(results) == sum(12 + n for n in range(5))
    assert [r["source"] for r in results] == [str(f) for f in files for _ in range(12 + files.index(f))]


def test_an_unreadable_partition_is_one_counted_error(tmp_path):
    pytest.importorskip("fsspec")
    records = list(_dask.read_url(str(tmp_path / "missing.jsonl")))
    assert len(records) == 1 and records[0].line == 1
    assert "cannot read" in str(records[0].problems[0])


def test_a_compressed_partition_reads_as_the_plain_file(tmp_path):
    pytest.importorskip("fsspec")
    import gzip

    plain = _write(tmp_path / "a.jsonl", 10, "a")
    packed = tmp_path / "a.jsonl.gz"
    packed.write_bytes(gzip.compress(plain.read_bytes()))
    strip = [(r.line, r.text, r.problems) for r in _dask.read_url(str(plain))]
    assert [(r.line, r.text, r.problems) for r in _dask.read_url(str(packed))] == strip
    assert len(strip) == 10 and strip[5][2]  # the invalid UTF-8 line, still an error
