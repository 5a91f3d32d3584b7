"""Safe, streaming reading of Ed-Fi interchange XML (Data Standard 5.x and 6.x).

Safety: defusedxml's expat parser with DTDs forbidden, so a file cannot declare entities (no
"billion laughs" expansion) or pull in external ones (no file or network reads). A hostile file
is refused with its location; nothing from it is imported.

Streaming: the parser's target builds each record (a child of the interchange root) directly as
a small dict and hands it over when its end tag is read; no element tree is kept, so memory is
one record plus what the caller retains. Each element's line is remembered for error messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import attrs
from defusedxml import DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden
from defusedxml.ElementTree import DefusedXMLParser, ParseError

from iep_rules import Problem

from ._source import EdfiInputError, SourceRecord

CHUNK_BYTES = 64 * 1024
EDFI_NAMESPACE = "http://ed-fi.org/"
# References Ed-Fi's own JSON resources flatten to the id field; others keep their identity.
FLATTENED_REFERENCES = frozenset({"StudentReference", "EducationOrganizationReference",
                                  "StaffReference"})
# Record-level fields that are collections in Ed-Fi (lists in JSON even when there is one).
COLLECTIONS = frozenset({"Accommodation", "Disability", "IDEAEventReference", "Provider",
                         "SpecialEducationProgramService"})


@attrs.define
class _Frame:
    name: str
    path: str
    children: list[tuple[str, Any]] = attrs.field(factory=list)
    counts: Counter[str] = attrs.field(factory=Counter)
    text: list[str] = attrs.field(factory=list)


class _Flattened(dict[str, Any]):
    """Identity fields of a Student, EducationOrganization or Staff reference (merged upward)."""


def _local(tag: str) -> tuple[str, str]:
    if tag.startswith("{"):
        ns, _, name = tag[1:].partition("}")
        return ns, name
    return "", tag


def _value(frame: _Frame) -> Any:
    if not frame.children:
        return "".join(frame.text).strip()
    out: dict[str, Any] = {}
    for name, value in frame.children:
        items = value.items() if isinstance(value, _Flattened) else [(name, value)]
        for key, item in items:
            if key in out:
                prior = out[key]
                out[key] = [*prior, item] if isinstance(prior, list) else [prior, item]
            else:
                out[key] = item
    identity = [k for k in out if k.endswith("Identity")]
    if frame.name.endswith("Reference") and len(out) == 1 and identity:
        inner = out[identity[0]]
        inner = inner if isinstance(inner, dict) else {}
        return _Flattened(inner) if frame.name in FLATTENED_REFERENCES else dict(inner)
    return out


class _Target:
    """Parser target: builds one record at a time and queues it when its end tag is read."""

    def __init__(self, file: str, wanted: Callable[[str], bool], seen: Counter[str]) -> None:
        self.file = file
        self.wanted = wanted
        self.seen = seen
        self.line_of: Callable[[], int] = lambda: 0
        self.depth = 0
        self.skipping = False
        self.stack: list[_Frame] = []
        self.record_line = 0
        self.lines: dict[str, int] = {}
        self.ready: list[SourceRecord] = []

    def start(self, tag: str, _attrib: dict[str, str]) -> None:
        self.depth += 1
        if self.skipping:  # inside a record of a kind nobody asked for
            return
        ns, name = _local(tag)
        if self.depth == 1:
            if not ns.startswith(EDFI_NAMESPACE):
                raise EdfiInputError(self.file, [Problem(
                    f"{self.file}:{self.line_of()}",
                    f"root element {name!r} is not in an Ed-Fi namespace ({EDFI_NAMESPACE}...)")])
            return
        if self.depth == 2:
            self.seen[name] += 1
            self.skipping = not self.wanted(name)
            if not self.skipping:
                self.record_line = self.line_of()
                self.lines = {}
                self.stack = [_Frame(name, "")]
            return
        parent = self.stack[-1]
        index = parent.counts[name]
        parent.counts[name] += 1
        path = f"{parent.path}.{name}[{index}]" if parent.path else f"{name}[{index}]"
        self.lines[path] = self.line_of()
        self.stack.append(_Frame(name, path))

    def end(self, _tag: str) -> None:
        self.depth -= 1
        if self.depth == 0 or self.skipping:
            if self.depth <= 1:
                self.skipping = False
            return
        frame = self.stack.pop()
        value = _value(frame)
        if self.depth == 1:
            data = dict(value) if isinstance(value, dict) else {}
            for key in COLLECTIONS.intersection(data):
                if not isinstance(data[key], list):
                    data[key] = [data[key]]
            self.ready.append(SourceRecord(frame.name, data, self.file, self.record_line,
                                           None, self.lines))
        else:
            self.stack[-1].children.append((frame.name, value))

    def data(self, text: str) -> None:
        if self.stack and not self.skipping and self.depth > 2:
            self.stack[-1].text.append(text)

    def close(self) -> None:
        return None


def read_xml(path: Path, wanted: Callable[[str], bool],
             seen: Counter[str] | None = None) -> Iterator[SourceRecord]:
    """Records of the wanted kinds, in file order; `seen` counts every record kind read."""
    file = str(path)
    target = _Target(file, wanted, seen if seen is not None else Counter())
    parser = DefusedXMLParser(target=target, forbid_dtd=True, forbid_entities=True,
                              forbid_external=True)
    expat = parser.parser
    target.line_of = lambda: int(expat.CurrentLineNumber)
    try:
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK_BYTES):
                parser.feed(chunk)
                yield from target.ready
                target.ready.clear()
            parser.close()
    except (DTDForbidden, EntitiesForbidden, ExternalReferenceForbidden) as exc:
        raise EdfiInputError(file, [Problem(
            f"{file}:{target.line_of()}",
            f"refused: {type(exc).__name__} (Ed-Fi interchange files declare no DTD or "
            "entities; a file that does could expand without bound or read other files)")]
        ) from None
    except ParseError as exc:
        line = exc.position[0] if getattr(exc, "position", None) else target.line_of()
        raise EdfiInputError(file, [Problem(f"{file}:{line}", f"not well-formed XML: {exc}")]
                             ) from None
    yield from target.ready
    target.ready.clear()
