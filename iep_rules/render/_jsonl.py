"""JSON Lines: an audit streamed as one object per record, then the summary object."""

from __future__ import annotations

import json
from typing import Any

from ._registry import AuditOutput, audit_format


@audit_format("jsonl")
class JsonLinesAudit:
    def __init__(self, output: AuditOutput) -> None:
        self.output = output

    def add(self, result: dict[str, Any]) -> None:
        self.output.out.write(json.dumps(result, sort_keys=True) + "\n")

    def finish(self, summary: dict[str, Any]) -> None:
        self.output.out.write(json.dumps(summary, sort_keys=True) + "\n")
