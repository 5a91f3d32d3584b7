"""Calling the library wrongly raises the library's own errors (which are also TypeError or
ValueError, as attrs' errors are), never a bare TypeError from deep inside (issue 9)."""

from __future__ import annotations

import datetime as dt
import sys

import pytest
from click.testing import CliRunner

from iep_rules import (
    ArgumentTypeError,
    BackendError,
    IEPRulesError,
    Rulebook,
    case_from_mapping,
    evaluate,
    load_case,
)
from iep_rules.cli import cli

CASE = {"id": "c", "jurisdiction": "US", "student": {"id": "s"}}


@pytest.mark.parametrize("source", [None, 42, b"examples/ny-grade9.json", ["a"]])
def test_load_case_of_a_wrong_type(source):
    with pytest.raises(ArgumentTypeError, match="load_case") as info:
        load_case(source)
    assert isinstance(info.value, IEPRulesError) and isinstance(info.value, TypeError)


@pytest.mark.parametrize(("kwargs", "name"), [
    ({"as_of": "2025-01-01"}, "as_of"),
    ({"as_of": dt.datetime(2025, 1, 1, 12)}, "as_of"),
    ({"jurisdiction": 7}, "jurisdiction"),
    ({"backend": None}, "backend"),
])
def test_evaluate_with_a_wrong_argument_type(rulebook, kwargs, name):
    with pytest.raises(ArgumentTypeError, match=f"evaluate\\(\\): {name} must be") as info:
        evaluate(rulebook, case_from_mapping(CASE), **kwargs)
    assert isinstance(info.value, TypeError)


def test_evaluate_with_a_mapping_instead_of_a_case(rulebook):
    with pytest.raises(ArgumentTypeError, match="case must be a Case"):
        evaluate(rulebook, CASE)  # type: ignore[arg-type]
    with pytest.raises(ArgumentTypeError, match="rulebook must be a Rulebook"):
        evaluate("rules/", case_from_mapping(CASE))  # type: ignore[arg-type]


def test_unknown_backend_is_the_librarys_error(rulebook):
    with pytest.raises(BackendError, match="python, durable") as info:
        evaluate(rulebook, case_from_mapping(CASE), as_of=dt.date(2025, 1, 1), backend="rete")
    assert isinstance(info.value, IEPRulesError) and isinstance(info.value, ValueError)


def test_the_durable_backend_without_its_extra_names_the_extra(rulebook, monkeypatch):
    # Simulate an install without the extra: importing durable fails.
    monkeypatch.setitem(sys.modules, "durable", None)
    monkeypatch.setitem(sys.modules, "durable.engine", None)
    fresh = Rulebook(rulebook.layers)  # no durable program cached on it
    with pytest.raises(BackendError, match=r"pip install 'iep-rules\[durable\]'"):
        evaluate(fresh, case_from_mapping(CASE), as_of=dt.date(2025, 1, 1), backend="durable")
    assert evaluate(fresh, case_from_mapping(CASE), as_of=dt.date(2025, 1, 1)).backend == "python"
    result = CliRunner().invoke(cli, ["check", "examples/ny-grade9.json", "--backend", "durable"])
    assert result.exit_code == 2 and "iep-rules[durable]" in result.stderr
