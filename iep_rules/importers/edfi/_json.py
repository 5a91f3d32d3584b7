"""Reading Ed-Fi resources as JSON: an ODS/API array of one endpoint's resources (see `_api`),
or an object mapping each entity name to a list of records.

This is the shape of the sample `*.records.json` files (and of what a client collects from the
ODS/API, one list per resource): `{"StudentIEP": [{...}, ...], "IDEAEvent": [...]}`. Keys that
start with `_` (such as `_about`) are notes, not data. The whole file is decoded at once (JSON has
no standard streaming form); `MAX_JSON_BYTES` bounds it.
"""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from iep_rules import Problem

from ._api import api_array
from ._source import EdfiInputError, SourceRecord

MAX_JSON_BYTES = 256 * 1024 * 1024


def read_json(path: Path, wanted: Callable[[str], bool],
              seen: Counter[str] | None = None) -> Iterator[SourceRecord]:
    """Records of the wanted kinds in file order; `seen` counts every record kind read."""
    file = str(path)
    seen = seen if seen is not None else Counter()
    if path.stat().st_size > MAX_JSON_BYTES:
        raise EdfiInputError(file, [Problem(file, f"larger than {MAX_JSON_BYTES} bytes")])
    try:
        document = json.loads(path.read_bytes())
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        line = getattr(exc, "lineno", 1)
        raise EdfiInputError(file, [Problem(f"{file}:{line}", f"not valid JSON: {exc}")]
                             ) from None
    if isinstance(document, list):  # an ODS/API page: one endpoint's resources
        yield from api_array(path, document, wanted, seen)
        return
    if not isinstance(document, dict):
        raise EdfiInputError(file, [Problem(f"{file} $", "expected an array of Ed-Fi API "
                                            "resources, or an object mapping Ed-Fi entity "
                                            "names to lists of records")])
    problems: list[Problem] = []
    for kind, records in document.items():
        if kind.startswith("_"):
            continue
        if not isinstance(records, list):
            problems.append(Problem(f"{file} $.{kind}", "expected a list of records"))
            continue
        seen[kind] += len(records)
        if not wanted(kind):
            continue
        for index, record in enumerate(records):
            pointer = f"$.{kind}[{index}]"
            if isinstance(record, dict):
                yield SourceRecord(kind, record, file, None, pointer)
            else:
                problems.append(Problem(f"{file} {pointer}", "expected an object"))
    if problems:
        raise EdfiInputError(file, problems)
