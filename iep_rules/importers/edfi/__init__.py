"""Ed-Fi importer: district data in the Ed-Fi Data Standard -> iep-rules case documents.

    >>> from iep_rules.importers.edfi import import_edfi, load_mapping
    >>> run = import_edfi(["samples/"], load_mapping())
    >>> documents = [case.document for case in run.cases()]   # then run.summary()

Modules, one job each: `_xml` (safe streaming XML), `_json` (JSON resources), `_mapping`
(descriptor tables as YAML data), `_build` (case documents), `_quality` (data-quality checks),
`_gaps` (findings that rest on what Ed-Fi cannot carry), `_run` (the two-pass import),
`_audit` (the batch-audit adapter) and `cli`. See docs/edfi.md.
"""

from ._mapping import DescriptorMap, Unmapped, load_mapping
from ._run import ImportedCase, ImportRun, import_edfi
from ._source import EdfiInputError, SourceRecord

__all__ = ["DescriptorMap", "EdfiInputError", "ImportRun", "ImportedCase", "SourceRecord",
           "Unmapped", "import_edfi", "load_mapping"]
