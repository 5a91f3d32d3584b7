"""The benchmark's hand-written baseline (bench/hand.py) must give the engine's results, or its
ratio means nothing. Not a timing: only that the two still agree, so a change to the engine's
output that the baseline does not follow is caught here rather than at the next bench run."""

from __future__ import annotations

import json
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench"


def test_the_hand_written_baseline_gives_the_engines_results(rulebook):
    sys.path.insert(0, str(BENCH))
    try:
        import cases_gen
        import hand
        import run
    finally:
        sys.path.remove(str(BENCH))
    texts = [json.dumps(d) for d in cases_gen.case_documents(6, 16)]
    subset = run.subset_book(rulebook)
    static = hand.Static(rulebook, run.AS_OF)
    engine = run.engine_results(subset, texts, "python")
    baseline = [json.dumps(hand.run(t, "bench", i + 1, static, run.AS_OF), sort_keys=True)
                for i, t in enumerate(texts)]
    assert engine == baseline
    assert any(json.loads(out)["findings"] for out in engine)  # not vacuous
