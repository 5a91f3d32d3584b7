"""Every block in the docs marked runnable runs, and shows its real output.

A fenced block whose info string is `sh runnable` or `python runnable` is run; `exit=N` says the
exit status it must end with (default 0). A `text output` block right after it must equal what
it printed. The blocks of one document run in order in one fresh folder holding a copy of
`examples/`, so a tutorial's steps build on each other the way a reader's would.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BLOCK = re.compile(r"^```(sh|python) runnable(?: exit=(\d+))?\n(.*?)^```\n"
                   r"(?:\n```text output\n(.*?)^```\n)?", re.MULTILINE | re.DOTALL)
DOCS = sorted(p for p in [ROOT / "README.md", *(ROOT / "docs").rglob("*.md")]
              if BLOCK.search(p.read_text(encoding="utf-8")))


def blocks(path: Path) -> list[tuple[str, int, str, str | None, int]]:
    text = path.read_text(encoding="utf-8")
    return [(m.group(1), int(m.group(2) or 0), m.group(3), m.group(4),
             text.count("\n", 0, m.start()) + 1) for m in BLOCK.finditer(text)]


def _params():
    for path in DOCS:
        slow = path.name != "README.md"
        marks = [pytest.mark.slow] if slow else []
        yield pytest.param(path, id=str(path.relative_to(ROOT)), marks=marks)


def test_the_docs_have_runnable_blocks():
    names = {p.name for p in DOCS}
    assert {"tutorial.md", "reviews.md", "audits.md"} <= names


@pytest.mark.parametrize("path", list(_params()))
def test_runnable_blocks_run(path, tmp_path):
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "100"}
    for lang, want, code, output, line in blocks(path):
        command = ["bash", "-e", "-o", "pipefail", "-c", code] if lang == "sh" else [
            sys.executable, "-c", code]
        done = subprocess.run(command, cwd=tmp_path, env=env, capture_output=True, text=True,
                              timeout=300, check=False)
        where = f"{path.name}:{line}"
        assert done.returncode == want, f"{where}: exit {done.returncode}\n{done.stdout}\n{done.stderr}"
        if output is not None:
            assert done.stdout == output, f"{where}: the output shown is not what it prints"


def test_cli_reference_is_current():
    # In a fresh process: other tests register formats of their own in this one.
    fresh = subprocess.run([sys.executable, "-m", "iep_rules.cli._reference"], cwd=ROOT,
                           capture_output=True, text=True, check=True).stdout
    assert (ROOT / "docs/reference/cli.md").read_text(encoding="utf-8") == fresh, (
        "docs/reference/cli.md is stale: run "
        "`python -m iep_rules.cli._reference > docs/reference/cli.md`")
