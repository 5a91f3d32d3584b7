from __future__ import annotations

import json
from pathlib import Path

from click.testing import CliRunner

from iep_rules.cli import cli
from iep_rules.rulebook._catalog import coverage_markdown


def test_docs_rules_md_is_current(rulebook):
    expected = coverage_markdown(rulebook)
    assert Path("docs/rules.md").read_text(encoding="utf-8") == expected, (
        "docs/rules.md is stale: run `python -m iep_rules.rulebook._catalog > docs/rules.md`")


def test_rules_list_json_for_new_york():
    result = CliRunner().invoke(cli, ["rules", "list", "--jurisdiction", "US-NY", "--format", "json"])
    assert result.exit_code == 0
    rows = json.loads(result.output)
    by_id = {r["id"]: r for r in rows}
    assert by_id["nys.iep.present-levels-need-areas"]["layer"] == "US-NY"
    assert by_id["idea.iep.transition-services"]["layer"] == "US"
    assert "nyc.iep.promotion-criteria" not in by_id  # district layer is not in force statewide
    for row in rows:
        assert row["source"].startswith("rules/") and ":" in row["source"]
        assert all(isinstance(c["verified"], bool) for c in row["citations"])


def test_rules_list_filters_by_severity_and_topic():
    result = CliRunner().invoke(cli, ["rules", "list", "--jurisdiction", "US-NY-NYC", "--topic",
                                      "iep-contents", "--severity", "notice", "--format", "json"])
    rows = json.loads(result.output)
    assert rows and all(r["severity"] == "notice" and r["topic"] == "iep-contents" for r in rows)
    assert "nyc.iep.diploma-objective" in {r["id"] for r in rows}
