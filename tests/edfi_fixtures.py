"""Shared by the Ed-Fi tests: the fixture folder, the 5.2 XML fixture set, and a one-call import."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from iep_rules.importers.edfi import ImportedCase, import_edfi, load_mapping

FIX = Path(__file__).parent / "fixtures" / "edfi"
XML_52 = [FIX / n for n in ("program-5.2.xml", "students-5.2.xml", "staff-5.2.xml",
                            "attendance-5.2.xml")]


def run(*paths: Path) -> tuple[dict[str, ImportedCase], dict[str, Any]]:
    """Import `paths` with the built-in tables: cases by id, and the summary."""
    r = import_edfi(paths, load_mapping())
    return {c.document["id"]: c for c in r.cases()}, r.summary()
