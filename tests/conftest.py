from __future__ import annotations

import os

import pytest
from hypothesis import settings

from iep_rules import Rulebook, load_rulebook

pytest_plugins = ["pytester"]

# Fast by default; `HYPOTHESIS_PROFILE=fuzz` for the long offline campaign (docs/fuzzing.md).
settings.register_profile("fuzz", max_examples=20_000, deadline=None)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "default"))


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rulebook()
