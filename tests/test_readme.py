"""The README's example outputs are what the commands print (the README must stay true).

Refresh them with `python tools/refresh_readme.py` after a change that alters the output.
"""

from __future__ import annotations

import json

from click.testing import CliRunner

from iep_rules.cli import cli
from tools.refresh_readme import README, blocks, json_excerpt

CHECK = ["check", "examples/ny-grade9.json", "--as-of", "2026-11-23"]
LEDGER = ["ledger", "examples/ledger-speech.json", "--as-of", "2024-11-29"]


def _run(args: list[str]) -> str:
    return CliRunner().invoke(cli, args).output


def test_check_text_block_is_the_command_output() -> None:
    assert blocks(README.read_text(encoding="utf-8"))["check"] == _run(CHECK)


def test_check_json_block_is_the_first_finding_of_the_command_output() -> None:
    shown = json.loads(blocks(README.read_text(encoding="utf-8"))["json"])
    assert shown == json.loads(json_excerpt(_run([*CHECK, "--format", "json"])))


def test_ledger_block_is_the_command_output() -> None:
    assert blocks(README.read_text(encoding="utf-8"))["ledger"] == _run(LEDGER)


def test_deadlines_block_is_the_command_output() -> None:
    from tools.refresh_readme import DEADLINES

    assert blocks(README.read_text(encoding="utf-8"))["deadlines"] == _run(DEADLINES)
