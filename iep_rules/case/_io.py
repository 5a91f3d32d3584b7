"""JSON <-> case records, with one error that lists every problem by JSON path.

cattrs does the structuring (and collects every field error with its path); this module adds
ISO dates, rejects unknown keys (a misspelt field must not silently vanish), and turns the
collected errors into `CaseError` problems such as `$.ieps[0].services[2].frequency`.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from typing import Any

import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from .._errors import ArgumentTypeError, CaseError, Problem
from . import _records as records
from ._records import Case

_ENUMS = [
    obj for obj in vars(records).values()
    if isinstance(obj, type) and issubclass(obj, Enum) and obj.__module__ == records.__name__
]

MAX_CASE_BYTES = 16 * 1024 * 1024


def _structure_date(value: object, _: type) -> dt.date:
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {type(value).__name__}")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {value!r}") from None


def _strict(kind: type) -> Any:
    def structure(value: object, _: type) -> object:
        if type(value) is not kind:
            raise ValueError(f"expected {kind.__name__}, got {type(value).__name__}")
        return value

    return structure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    for kind in (str, int, bool):
        conv.register_structure_hook(kind, _strict(kind))
    # StrEnum subclasses str: without this, the str hook above would accept any string.
    for enum_type in _ENUMS:
        conv.register_structure_hook(enum_type, _structure_enum)
    return conv


def _structure_enum(value: object, kind: type[Enum]) -> Enum:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise ValueError(f"expected one of {allowed}; got {value!r}") from None


CONVERTER = _make_converter()


def _problems(exc: BaseException, path: str) -> list[Problem]:
    """Flatten cattrs' nested exception groups into located problems."""
    if isinstance(exc, ForbiddenExtraKeysError):
        return [Problem(f"{path}.{key}", "unknown field") for key in sorted(exc.extra_fields)]
    if isinstance(exc, ClassValidationError | IterableValidationError):
        out: list[Problem] = []
        if isinstance(exc, ClassValidationError):
            pairs = exc.group_exceptions()
            for inner, note in pairs[0]:
                out += _problems(inner, f"{path}.{note.name}")
        else:
            pairs_i = exc.group_exceptions()
            for inner, inote in pairs_i[0]:
                out += _problems(inner, f"{path}[{inote.index}]")
        for inner in pairs[1] if isinstance(exc, ClassValidationError) else pairs_i[1]:
            out += _problems(inner, path)
        return out
    if isinstance(exc, KeyError):
        return [Problem(path, "required field missing")]
    message = str(exc) or type(exc).__name__
    if isinstance(exc, ValueError) and "is not a valid" in message:
        message = f"unexpected value: {message}"
    return [Problem(path, message)]


def case_from_mapping(data: object, *, source: str = "<case>") -> Case:
    """Structure decoded JSON into a `Case`, or raise `CaseError` listing every problem."""
    if not isinstance(data, Mapping):
        raise CaseError(source, [Problem("$", f"expected an object, got {type(data).__name__}")])
    try:
        return CONVERTER.structure(dict(data), Case)
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        raise CaseError(source, _problems(exc, "$")) from None
    except (ValueError, TypeError) as exc:
        # A cross-field validator (e.g. end before start) fails after the fields structure.
        raise CaseError(source, [Problem("$", str(exc))]) from None


def load_case(source: str | Path | Mapping[str, Any]) -> Case:
    """Load a case from a JSON file path or an already decoded mapping."""
    if isinstance(source, Mapping):
        return case_from_mapping(source)
    if not isinstance(source, str | Path):
        raise ArgumentTypeError(f"load_case(): expected a file path (str or Path) or a decoded "
                                f"mapping, got {type(source).__name__} {source!r:.60}")
    path = Path(source)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CaseError(str(path), [Problem("$", f"cannot read file: {exc.strerror}")]) from None
    if len(raw) > MAX_CASE_BYTES:
        raise CaseError(str(path), [Problem("$", f"file larger than {MAX_CASE_BYTES} bytes")])
    return case_from_mapping(parse_json(raw, str(path)), source=str(path))


def parse_json(raw: bytes | str, source: str) -> object:
    """Decode JSON, reporting bad bytes or syntax with line and column."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise CaseError(source, [Problem(f"byte {exc.start}", "not valid UTF-8")]) from None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise CaseError(source, [Problem(f"line {exc.lineno} col {exc.colno}", exc.msg)]) from None
    except RecursionError:
        raise CaseError(source, [Problem("$", "document nested too deeply")]) from None


def case_to_mapping(case: Case) -> dict[str, Any]:
    """Unstructure a case to JSON-ready data (round-trips through `case_from_mapping`)."""
    data: dict[str, Any] = CONVERTER.unstructure(case)
    # An unrecorded list stays absent (unknown), as distinct from [] (none): docs/timeline.md.
    return {key: value for key, value in data.items() if value is not None}
