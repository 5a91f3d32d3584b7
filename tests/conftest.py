from __future__ import annotations

import pytest

from iep_rules import Rulebook, load_rulebook

pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def rulebook() -> Rulebook:
    return load_rulebook()
