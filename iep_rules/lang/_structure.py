"""The structural check of a rule file against the published JSON Schema.

A valid file (nearly every load) is checked by `jsonschema_rs`, a compiled validator: about a
millisecond for the bundled rules, against 55-100 ms and a 90 ms import for `jsonschema`
(docs/performance.md, "check wall time"). Only when it finds the file invalid does
`jsonschema` run, to give every problem with its location in the words rule-file messages
have always used; a file `jsonschema` accepts is accepted whatever the compiled validator
said (its `$` does not match before a final newline; Python's does). The other way round,
the compiled validator must never accept what `jsonschema` refuses: the schema uses only
draft-07 keywords both implement to the standard (its patterns are `^...$` over ASCII
classes), and tests/test_rule_structure.py checks the two agree on every bundled file and on
generated hostile ones. Without `jsonschema_rs` (a platform with no wheel for it) every file
goes through `jsonschema`, as before.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._errors import Problem
from ._yaml import Located

if TYPE_CHECKING:
    import jsonschema


@cache
def rulefile_schema() -> dict[str, Any]:
    # The package's own file when it is installed as files (importing `importlib.resources`
    # costs about 5 ms of every start), else through `importlib.resources` (a zip).
    path = Path(__file__).resolve().parent.parent / "schemas" / "rulefile.schema.json"
    if path.is_file():
        text = path.read_text("utf-8")
    else:  # pragma: no cover - a package not installed as files
        from importlib import resources

        package = resources.files("iep_rules")
        text = package.joinpath("schemas/rulefile.schema.json").read_text("utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


@cache
def _structural_schema() -> dict[str, Any]:
    """The published schema without its condition grammar: conditions get the loader's own
    checks (lang/_rulefile.py), whose messages say more than a JSON Schema `anyOf` failure can.
    Only the definitions it still refers to are kept (the per-scope fact and condition
    definitions are most of the schema and would cost the compiled validator time to build).
    Built beside the published schema, which stays whole (`iep-rules schema rulefile`)."""
    schema = rulefile_schema()
    defs: dict[str, Any] = schema["$defs"]
    rule = {key: value for key, value in defs["rule"].items()
            if key != "allOf"}  # the per-scope `when` grammar
    structural = {**schema, "$defs": {**defs, "rule": rule}}
    kept: dict[str, Any] = {}
    pending = [structural]
    while pending:
        node = pending.pop()
        if isinstance(node, list):
            pending += node
        elif isinstance(node, dict):
            ref = node.get("$ref")
            if isinstance(ref, str) and ref.startswith(_DEFS):
                name = ref[len(_DEFS):]
                if name not in kept:
                    kept[name] = structural["$defs"][name]
                    pending.append(kept[name])
            pending += [value for key, value in node.items() if key != "$defs"]
    return {**structural, "$defs": kept}


_DEFS = "#/$defs/"


@cache
def _compiled() -> Callable[[Any], bool] | None:
    """`is_valid` of the compiled validator, or None where `jsonschema_rs` cannot be imported
    (or, against expectation, cannot build a validator from the schema)."""
    try:
        import jsonschema_rs

        is_valid: Callable[[Any], bool] = jsonschema_rs.validator_for(
            _structural_schema()).is_valid
    except Exception:  # pragma: no cover - a declared dependency; any doubt: jsonschema only
        return None
    return is_valid


@cache
def _located() -> Any:
    import jsonschema

    schema = _structural_schema()
    return jsonschema.validators.validator_for(schema)(schema)


def structural_problems(doc: Located) -> list[Problem]:
    """Every place where the file's structure breaks the schema, ordered by data path."""
    fast = _compiled()
    if fast is not None:
        try:
            if fast(doc.data):
                return []
        except Exception:  # the compiled validator failed: jsonschema below decides alone
            pass
    errors = sorted(_located().iter_errors(doc.data), key=lambda e: list(map(str, e.path)))
    return [Problem(doc.where(tuple(error.absolute_path)), _message(error)) for error in errors]


def _message(error: jsonschema.ValidationError) -> str:
    if error.validator == "additionalProperties":
        return error.message.replace("Additional properties are not allowed", "unknown key")
    if error.validator == "required":
        return error.message.replace("is a required property", "is required")
    return error.message
