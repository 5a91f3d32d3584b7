"""The case facts computed on first read equal the facts computed all at once."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from iep_rules import load_case
from iep_rules.facts._namespace import LazyCaseFacts, case_facts
from iep_rules.facts._timeline import build_timeline

EXAMPLES = sorted(Path(__file__).resolve().parent.parent.joinpath("examples").glob("*.json"))


@pytest.mark.parametrize("path", EXAMPLES, ids=[p.stem for p in EXAMPLES])
@pytest.mark.parametrize("as_of", [dt.date(2020, 1, 1), dt.date(2025, 6, 20),
                                   dt.date(2026, 11, 23)])
def test_lazy_case_facts_are_the_eager_ones(path, as_of):
    case = load_case(path)
    history = build_timeline(case, as_of)
    eager = case_facts(case, as_of, history)
    backwards = LazyCaseFacts(history)
    for name in reversed(list(eager)):  # read one at a time, areas first
        assert backwards.get(name) == eager[name], name
    assert list(backwards.items()) == list(eager.items())
    whole = LazyCaseFacts(history)
    assert dict(whole) == eager and len(whole) == len(eager) and repr(whole) == repr(eager)
    assert whole.get("not a fact") is None and "not a fact" not in whole
