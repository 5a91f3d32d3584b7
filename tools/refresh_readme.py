"""Rewrite the README's example outputs from the real commands (run from the repository root).

The README shows four outputs: `check` as text, the same report as JSON (first finding only),
the `ledger` table and the `deadlines` calendar. tests/test_readme.py checks they are current.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

README = Path(__file__).resolve().parent.parent / "README.md"

# Each output block is the fenced block right after the sentence that introduces it.
_INTRO = {
    "check": "Its output, as produced\nby this version:\n\n```text\n",
    "json": "(first finding shown):\n\n```json\n",
    "ledger": "ledger of an invented child's speech therapy (see `docs/ledger.md`):\n\n```text\n",
    "deadlines": "naming the child by case id only):\n\n```text\n",
}
DEADLINES = ["deadlines", "examples/ny-grade9.json", "--as-of", "2025-11-01", "--within", "365d"]


def blocks(text: str) -> dict[str, str]:
    """The example outputs as they stand in the README text."""
    out = {}
    for name, intro in _INTRO.items():
        match = re.search(re.escape(intro) + r"(.*?)```", text, flags=re.S)
        if match is None:
            raise SystemExit(f"README.md: the {name} example block was not found")
        out[name] = match.group(1)
    return out


def json_excerpt(report_json: str) -> str:
    """The JSON report with only its first finding, as the README shows it."""
    report = json.loads(report_json)
    report["findings"] = report["findings"][:1]
    return json.dumps(report, indent=2, ensure_ascii=False) + "\n"


def main() -> int:
    from click.testing import CliRunner

    from iep_rules.cli import cli

    check = ["check", "examples/ny-grade9.json", "--as-of", "2026-11-23"]
    fresh = {
        "check": CliRunner().invoke(cli, check).output,
        "json": json_excerpt(CliRunner().invoke(cli, [*check, "--format", "json"]).output),
        "ledger": CliRunner().invoke(
            cli, ["ledger", "examples/ledger-speech.json", "--as-of", "2024-11-29"]).output,
        "deadlines": CliRunner().invoke(cli, DEADLINES).output,
    }
    text = README.read_text(encoding="utf-8")
    for name, intro in _INTRO.items():
        new = intro + fresh[name] + "```"
        text = re.sub(re.escape(intro) + r".*?```", lambda _m, new=new: new, text, count=1,
                      flags=re.S)
    README.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
