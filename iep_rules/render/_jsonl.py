"""JSON Lines: an audit streamed as one object per record, then the summary object."""

from __future__ import annotations

import json
from typing import Any

from ._registry import AuditOutput, audit_format


@audit_format("jsonl")
class JsonLinesAudit:
    def __init__(self, output: AuditOutput) -> None:
        self.output = output

    @staticmethod
    def record_text(result: dict[str, Any]) -> str:
        """One result's line: audit workers call this, so the process writing the output
        only writes it (see AuditWriter.add_text)."""
        return json.dumps(result, sort_keys=True) + "\n"

    def add(self, result: dict[str, Any]) -> None:
        self.add_text(self.record_text(result))

    def add_text(self, text: str) -> None:
        self.output.out.write(text)

    def finish(self, summary: dict[str, Any]) -> None:
        self.output.out.write(json.dumps(summary, sort_keys=True) + "\n")
