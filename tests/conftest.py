from __future__ import annotations

import functools
import os

import pytest
from hypothesis import settings

from iep_rules import Rulebook, load_rulebook

pytest_plugins = ["pytester"]

# Issue 13's reproducers are inputs for tests/test_robustness_repro.py, many of them invalid on
# purpose: the rule-file plugin must not collect them as rule files.
collect_ignore_glob = ["repro/*"]

# The test run never writes the user's rule cache (~/.cache/iep-rules); tests/test_rule_cache.py
# turns the cache on in a temporary folder. Subprocesses (CLI tests) inherit this.
os.environ["IEP_RULES_NO_CACHE"] = "1"

# Fast by default; `HYPOTHESIS_PROFILE=fuzz` for the long offline campaign (docs/fuzzing.md).
settings.register_profile("fuzz", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


def pytest_collection_modifyitems(config, items):
    """Tests marked `durable` need the optional extra; without it they skip, saying how to
    install it (CI installs it, so there they run)."""
    from iep_rules.engine._evaluate import durable_installed

    if durable_installed():
        return
    skip = pytest.mark.skip(reason="durable-rules not installed: pip install 'iep-rules[durable]'")
    for item in items:
        params = getattr(item, "callspec", None)
        if "durable" in item.keywords or (params and "durable" in params.params.values()):
            item.add_marker(skip)


@functools.cache
def bundled_rulebook() -> Rulebook:
    """One load per test process, for fixtures and for modules that need it at import."""
    return load_rulebook()


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return bundled_rulebook()
