"""The rule-file editor schema in a real YAML language server (tools/check_editor_schema.py):
bundled rule files open without errors, a misspelled operator and an unknown fact inside
`when:` are underlined, and completion after `fact:` offers the scope's facts.

Needs `yaml-language-server` (npm): .ci/run installs it into a temporary folder and sets
IEP_RULES_YAML_LS; elsewhere the test is skipped unless the server is on PATH.
"""

from __future__ import annotations

import os

import pytest

from tools.check_editor_schema import find_server, run_checks


@pytest.mark.slow
def test_editor_schema_in_yaml_language_server() -> None:
    configured = os.environ.get("IEP_RULES_YAML_LS")
    command = find_server(configured)
    if command is None:
        if configured:
            pytest.fail(f"IEP_RULES_YAML_LS={configured}: no such executable")
        pytest.skip("yaml-language-server not installed (see tools/check_editor_schema.py)")
    results = run_checks(command)
    failed = [f"{check}: {detail}" for check, passed, detail in results if not passed]
    assert not failed, "\n".join(failed)
    checks = [check for check, _, _ in results]
    assert sum(check.startswith("bundled ") for check in checks) >= 20
    assert any("misspelled operator" in c for c in checks)
    assert any("unknown fact" in c for c in checks)
    assert any("completion" in c for c in checks)
