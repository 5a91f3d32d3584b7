"""Rewrite the `text output` blocks of the docs from what their runnable blocks print (run from
the repository root after a change that alters an output; tests/test_docs.py checks them).

Runs each document's blocks in order in a fresh folder holding a copy of `examples/`, as the
test does, and replaces each output block with the command's real output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def refresh(path: Path) -> bool:
    """Rewrite one document's output blocks; True when it changed."""
    from tests.test_docs import BLOCK

    text = path.read_text(encoding="utf-8")
    env = {**os.environ, "PATH": f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}",
           "COLUMNS": "100"}
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(ROOT / "examples", Path(tmp) / "examples")
        pieces, last = [], 0
        for match in BLOCK.finditer(text):
            lang, code, output = match.group(1), match.group(3), match.group(4)
            command = ["bash", "-e", "-o", "pipefail", "-c", code] if lang == "sh" else [
                sys.executable, "-c", code]
            done = subprocess.run(command, cwd=tmp, env=env, capture_output=True, text=True,
                                  timeout=300, check=False)
            if output is None:
                continue
            start = match.start(4)
            pieces += [text[last:start], done.stdout]
            last = match.end(4)
        new = "".join(pieces) + text[last:]
    if new != text:
        path.write_text(new, encoding="utf-8")
    return new != text


def main() -> int:
    sys.path.insert(0, str(ROOT))  # tests/ is not a package: import it from the checkout
    from tests.test_docs import DOCS

    for path in DOCS:
        if refresh(path):
            print(f"refreshed {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
