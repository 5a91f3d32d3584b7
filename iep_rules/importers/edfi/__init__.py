"""Ed-Fi importer: district data in the Ed-Fi Data Standard -> iep-rules case documents.

    >>> from iep_rules.importers.edfi import import_edfi, load_mapping
    >>> run = import_edfi(["samples/"], load_mapping())
    >>> documents = [case.document for case in run.cases()]   # then run.summary()

Modules, one job each: `_xml` (safe streaming XML), `_json` (JSON resources), `_mapping`
(descriptor tables as YAML data), `_build` (case documents), `_quality` (data-quality checks),
`_gaps` (findings that rest on what Ed-Fi cannot carry), `_run` (the two-pass import),
`_audit` (the batch-audit adapter) and `cli`. See docs/edfi.md.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ._mapping import DescriptorMap, Unmapped, load_mapping
    from ._run import ImportedCase, ImportRun, import_edfi
    from ._source import EdfiInputError, SourceRecord

# The public names, each imported from its module on first use: the CLI registers the Ed-Fi
# commands on every start, and `iep-rules check` must not pay for loading the importer.
_HOME = {"DescriptorMap": "_mapping", "Unmapped": "_mapping", "load_mapping": "_mapping",
         "ImportedCase": "_run", "ImportRun": "_run", "import_edfi": "_run",
         "EdfiInputError": "_source", "SourceRecord": "_source"}

__all__ = ["DescriptorMap", "EdfiInputError", "ImportRun", "ImportedCase", "SourceRecord",
           "Unmapped", "import_edfi", "load_mapping"]


def __getattr__(name: str) -> Any:
    home = _HOME.get(name)
    if home is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{home}"), name)
    globals()[name] = value  # later lookups skip this function
    return value
