"""`audit --from edfi`: imported cases through the batch audit, with import notes attached.

This is the one module that reaches into iep-rules internals (the batch audit's record type,
runner and tally, and the text renderer): the batch layer is where the `CaseSource` seam is
being introduced, and this adapter is the single place to change when it lands. Until then each
imported case goes in as a JSON text record located at its first Ed-Fi record (file:line).
"""

from __future__ import annotations

import datetime as dt
import sys
from collections import deque
from collections.abc import Iterator
from typing import IO, Any

import attrs

from iep_rules import Rulebook, load_rulebook

from ...batch._audit import CaseRecord, Counted, Settings, Tally, run_audit
from ...batch._run import _rules_for
from ...render import AuditOutput, audit_writer
from ._gaps import reclassify
from ._mapping import DescriptorMap
from ._run import ImportedCase, ImportRun


def _records(run: ImportRun, pending: deque[ImportedCase]) -> Iterator[CaseRecord]:
    for case in run.cases():
        pending.append(case)
        yield CaseRecord(case.source, case.line, document=case.document)


def _annotate(result: dict[str, Any], case: ImportedCase,
              mapping: DescriptorMap) -> dict[str, Any]:
    result = reclassify(result, mapping.gaps)
    result["where"] = case.where
    result["data_quality"] = list(case.quality)
    result["unmapped"] = [attrs.asdict(u) for u in case.unmapped]
    return result


def audit_edfi(run: ImportRun, *, out: IO[str], fmt: str, as_of: dt.date,
               jurisdiction: str | None, backend: str, workers: int,
               extra_rules: tuple[str, ...], book: Rulebook | None = None,
               err: IO[str] | None = None) -> int:
    """Write the audit of every imported case in any registered audit format (the same
    choices as `audit` on case JSON); return the exit code (0, 1 or 2). The summary carries
    the import summary under `import`; the text format prints it as tables after its own."""
    book = book or load_rulebook(*extra_rules)
    writer = audit_writer(fmt, AuditOutput(out, err or sys.stderr,
                                           lambda codes: _rules_for(book, codes)))
    pending: deque[ImportedCase] = deque()
    records = Counted(_records(run, pending))
    results = run_audit(records, settings=Settings(extra_rules, as_of, jurisdiction, backend),
                        workers=workers, book=book)
    tally = Tally()
    for raw in results:
        result = _annotate(raw, pending.popleft(), run.mapping)
        tally.add(result)
        writer.add(result)
    summary = {**tally.summary(records.count), "import": run.summary()}
    writer.finish(summary)
    if fmt == "text":
        out.write(import_text(summary["import"]))
    failed = tally.errors or run.files_failed or run.problems
    return 2 if failed else 1 if tally.cases_with_violations else 0


def import_text(summary: dict[str, Any]) -> str:
    """The import summary as short tables (counts only: no student data)."""
    lines = ["", f"Ed-Fi import: {summary['cases_built']} cases from "
                 f"{len(summary['files'])} files ({len(summary['files_failed'])} failed)"]
    for title, key in (("Records read", "records_read"),
                       ("Values not mapped, by descriptor table", "unmapped_by_descriptor"),
                       ("Values mapped but with no place in the case yet",
                        "not_placed_by_descriptor"),
                       ("Data quality, by rule", "data_quality_by_rule")):
        table = summary[key]
        if table:
            width = max(len(k) for k in table)
            lines += ["", title] + [f"  {k:{width}s}  {v:7d}" for k, v in table.items()]
    if summary["problems"]:
        lines += ["", "Problems"] + [f"  {p}" for p in summary["problems"]]
    return "\n".join(lines) + "\n"
