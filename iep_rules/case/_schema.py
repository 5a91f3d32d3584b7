"""A JSON Schema for case files, generated from the attrs records so it cannot drift from them."""

from __future__ import annotations

import datetime as dt
import typing
from enum import Enum
from typing import Any

import attrs

from ._records import Case


def _schema(hint: Any, defs: dict[str, Any]) -> dict[str, Any]:
    args = typing.get_args(hint)
    origin = typing.get_origin(hint)
    if args and type(None) in args:
        inner = [a for a in args if a is not type(None)]
        return {"anyOf": [_schema(inner[0], defs), {"type": "null"}]}
    if origin is tuple:
        return {"type": "array", "items": _schema(args[0], defs)}
    if hint is dt.date:
        return {"type": "string", "format": "date", "pattern": r"^\d{4}-\d{2}-\d{2}$"}
    if hint is bool:
        return {"type": "boolean"}
    if hint is int:
        return {"type": "integer"}
    if isinstance(hint, type) and issubclass(hint, Enum):
        return {"enum": [m.value for m in hint]}
    if isinstance(hint, type) and attrs.has(hint):
        name = hint.__name__
        if name not in defs:
            defs[name] = {}  # placeholder against recursion
            hints = typing.get_type_hints(hint)
            fields = attrs.fields(hint)
            defs[name] = {
                "type": "object", "additionalProperties": False,
                "properties": {f.name: _schema(hints[f.name], defs) for f in fields},
                "required": [f.name for f in fields if f.default is attrs.NOTHING],
            }
        return {"$ref": f"#/$defs/{name}"}
    return {"type": "string"}


def case_schema() -> dict[str, Any]:
    defs: dict[str, Any] = {}
    root = _schema(Case, defs)
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "iep-rules case file", **root, "$defs": defs}
