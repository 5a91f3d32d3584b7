"""Try the rule-file editor schema in a real YAML language server (Red Hat's
`yaml-language-server`, the one VS Code's YAML extension, Neovim and Helix run), over LSP stdio.

Checks three things an author relies on:
  1. every bundled rule file opens with no error (warnings, such as an unused YAML anchor,
     are printed);
  2. a misspelled operator, and an unknown fact, inside `when:` each get a diagnostic;
  3. completion after `fact:` inside `when:` offers the facts of the rule's scope.

The server is not a dependency of the project: install it anywhere with npm, e.g.
    npm install --prefix /tmp/yls yaml-language-server
and run (from the repository root)
    python tools/check_editor_schema.py --server /tmp/yls/node_modules/.bin/yaml-language-server
Exit status 0 when all checks pass, 1 when one fails (each printed), 2 when the server cannot run.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMA = ROOT / "iep_rules" / "schemas" / "rulefile.schema.json"
BUNDLED_RULES = ROOT / "rules"

# A small rule file of scope `iep`; the checks edit its `when:`.
RULE_TEMPLATE = """\
jurisdiction: US
title: Editor check
rules:
  - id: editor.check.example
    title: An example rule
    topic: timelines
    severity: violation
    scope: iep
    when:
{when}
    message: The IEP {{id}} is an example.
    cite:
      - {{authority: "34 CFR 300.324(b)(1)(i)", verified: true}}
"""
GOOD_WHEN = ("      all:\n        - {exists: meeting_date}\n"
             "        - {fact: start, on_or_after: 2024-01-01}")
BAD_OPERATOR_WHEN = "      fact: start\n      on_or_aftr: 2024-01-01"
UNKNOWN_FACT_WHEN = "      fact: meeting_dat\n      on_or_after: 2024-01-01"
COMPLETION_WHEN = "      fact: "
EXPECTED_IEP_FACTS = ("meeting_date", "start", "in_effect_until", "services")


_SEVERITY = {1: "error", 2: "warning", 3: "information", 4: "hint"}


class Server:
    """A language server child process spoken to in JSON-RPC with Content-Length framing."""

    def __init__(self, command: list[str], settings: dict[str, Any]) -> None:
        self.settings = settings
        self.proc = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                     stderr=subprocess.DEVNULL)
        self.inbox: queue.Queue[dict[str, Any]] = queue.Queue()
        self.next_id = 0
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        out = self.proc.stdout
        assert out is not None
        while True:
            length = 0
            while True:
                line = out.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, text = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(text.strip())
            self.inbox.put(json.loads(out.read(length)))

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode()
        assert self.proc.stdin is not None
        self.proc.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.proc.stdin.flush()

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        self.next_id += 1
        wanted = self.next_id
        self._send({"id": wanted, "method": method, "params": params})
        for message in self.messages(timeout):
            if message.get("id") == wanted and "method" not in message:
                if "error" in message:
                    raise RuntimeError(f"{method}: {message['error']}")
                return message.get("result")
        raise TimeoutError(f"no answer to {method} within {timeout} s")

    def messages(self, timeout: float) -> Any:
        """Messages from the server until `timeout`; requests from it are answered here."""
        end = time.monotonic() + timeout
        while (left := end - time.monotonic()) > 0:
            try:
                message = self.inbox.get(timeout=left)
            except queue.Empty:
                return
            if "method" in message and "id" in message:  # a request from the server
                result: Any = None
                if message["method"] == "workspace/configuration":
                    result = [self.settings.get(item.get("section", ""), None)
                              for item in message["params"]["items"]]
                self._send({"id": message["id"], "result": result})
                continue
            yield message

    def diagnostics(self, uri: str, timeout: float = 30) -> list[dict[str, Any]]:
        """The diagnostics the server publishes for `uri` (the last set, after a quiet spell)."""
        found: list[dict[str, Any]] | None = None
        for message in self.messages(timeout):
            if (message.get("method") == "textDocument/publishDiagnostics"
                    and message["params"]["uri"] == uri):
                found = message["params"]["diagnostics"]
                break
        if found is None:
            raise TimeoutError(f"no diagnostics for {uri} within {timeout} s")
        for message in self.messages(1.5):  # a later, corrected set may follow
            if (message.get("method") == "textDocument/publishDiagnostics"
                    and message["params"]["uri"] == uri):
                found = message["params"]["diagnostics"]
        return found

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=5)
            self.notify("exit", None)
            self.proc.wait(timeout=5)
        except (TimeoutError, OSError, subprocess.TimeoutExpired, RuntimeError):
            self.proc.kill()
            self.proc.wait()


def find_server(given: str | None) -> list[str] | None:
    """The command that starts the server: --server, $IEP_RULES_YAML_LS, or one on PATH."""
    path = given or os.environ.get("IEP_RULES_YAML_LS") or shutil.which("yaml-language-server")
    if not path or not Path(path).exists():
        return None
    return [path, "--stdio"]


def run_checks(command: list[str]) -> list[tuple[str, bool, str]]:
    """(check, passed, what the server said) for each check."""
    results: list[tuple[str, bool, str]] = []
    with tempfile.TemporaryDirectory(prefix="iep-rules-editor-") as tmp:
        folder = Path(tmp)
        schema_uri = SCHEMA.as_uri()
        settings = {"yaml": {"schemas": {schema_uri: ["*.yaml"]}, "validate": True,
                             "completion": True, "hover": True, "format": {"enable": False}},
                    "[yaml]": {}, "editor": {}, "http": {}, "files": {}}
        server = Server(command, settings)
        try:
            server.request("initialize", {
                "processId": os.getpid(), "rootUri": folder.as_uri(),
                "capabilities": {"workspace": {"configuration": True},
                                 "textDocument": {"completion": {"completionItem": {
                                     "snippetSupport": False}},
                                     "publishDiagnostics": {}}},
                "workspaceFolders": [{"uri": folder.as_uri(), "name": "rules"}]})
            server.notify("initialized", {})
            server.notify("workspace/didChangeConfiguration", {"settings": settings})

            def opened(name: str, text: str) -> str:
                path = folder / name
                path.write_text(text, encoding="utf-8")
                server.notify("textDocument/didOpen", {"textDocument": {
                    "uri": path.as_uri(), "languageId": "yaml", "version": 1, "text": text}})
                return path.as_uri()

            def said(diagnostics: list[dict[str, Any]]) -> str:
                return "; ".join(
                    f"line {d['range']['start']['line'] + 1} "
                    f"({_SEVERITY.get(d.get('severity', 1), '?')}): {d['message'][:160]}"
                    for d in diagnostics) or "no diagnostics"

            for number, rule_file in enumerate(sorted(BUNDLED_RULES.rglob("*.yaml"))):
                bundled = server.diagnostics(opened(
                    f"bundled-{number}.yaml", rule_file.read_text(encoding="utf-8")))
                errors = [d for d in bundled if d.get("severity", 1) == 1]
                results.append((f"bundled {rule_file.relative_to(ROOT)}: no errors",
                                not errors, said(bundled)))
            good = server.diagnostics(opened("good.yaml", RULE_TEMPLATE.format(when=GOOD_WHEN)))
            results.append(("a correct `when:`: no diagnostics", not good, said(good)))
            for name, when, word in (("misspelled operator on_or_aftr", BAD_OPERATOR_WHEN,
                                      "on_or_aftr"),
                                     ("unknown fact meeting_dat", UNKNOWN_FACT_WHEN, None)):
                text = RULE_TEMPLATE.format(when=when)
                found = server.diagnostics(opened(name.split()[-1] + ".yaml", text))
                # the diagnostic must sit inside `when:` (lines 10-11 of the file)
                inside = [d for d in found if 9 <= d["range"]["start"]["line"] <= 10]
                hit = bool(inside) and (word is None or any(
                    word in d["message"] or d["range"]["start"]["line"] == 10 for d in inside))
                results.append((f"{name} inside `when:`: a diagnostic", hit, said(found)))
            text = RULE_TEMPLATE.format(when=COMPLETION_WHEN)
            uri = opened("completion.yaml", text)
            server.diagnostics(uri)
            answer = server.request("textDocument/completion", {
                "textDocument": {"uri": uri},
                "position": {"line": 9, "character": len(COMPLETION_WHEN)}})
            items = answer.get("items", []) if isinstance(answer, dict) else (answer or [])
            labels = {item["label"] for item in items}
            missing = [f for f in EXPECTED_IEP_FACTS if f not in labels]
            results.append((f"completion after `fact:` offers the iep facts "
                            f"({', '.join(EXPECTED_IEP_FACTS)})", not missing,
                            f"{len(labels)} items, e.g. {', '.join(sorted(labels)[:8])}"
                            + (f"; missing {', '.join(missing)}" if missing else "")))
        finally:
            server.close()
    return results


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server", help="path to the yaml-language-server executable")
    args = parser.parse_args(argv)
    command = find_server(args.server)
    if command is None:
        print("yaml-language-server not found: pass --server or set IEP_RULES_YAML_LS",
              file=sys.stderr)
        return 2
    failed = 0
    for check, passed, detail in run_checks(command):
        failed += not passed
        print(f"{'ok  ' if passed else 'FAIL'} {check}\n     server: {detail}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
