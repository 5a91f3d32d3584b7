"""The condition grammar of the rule-file JSON Schema, generated from the fact declarations.

An editor with a YAML language server completes and checks inside `when:` from this part of the
schema: the condition keys and operators, the facts a rule of each scope may name (with their
kinds and meanings), and the functions. It is generated, never hand-edited:

    python -m iep_rules.lang._schema_gen > iep_rules/schemas/rulefile.schema.json

and a test fails when the checked-in schema is not what this module produces. The schema checks
names and shapes; the loader's own checks (lang/_rulefile.py) still decide what it cannot say:
exactly one operator per comparison, operand kinds, argument kinds of functions.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from importlib import resources
from typing import Any

from ..facts._derived import case_derived, scope_derived
from ..facts._ledger import LEDGER_FACTS_DECLARED
from ..facts._namespace import SCOPES, ListOf, scope_description
from . import _conditions as c

_OPERATOR_HELP = {
    "is": "equal to", "is_not": "not equal to", "in": "one of a list",
    "not_in": "not one of a list", "contains": "the list on the left holds this value",
    "not_contains": "the list on the left does not hold this value",
    "contains_any": "the list on the left holds at least one of these values",
    "less_than": "a smaller number", "at_most": "a number no larger",
    "greater_than": "a larger number", "at_least": "a number no smaller",
    "before": "an earlier date", "on_or_before": "the same or an earlier date",
    "after": "a later date", "on_or_after": "the same or a later date",
}
_FUNCTION_HELP = {
    "age_on": "[date]: the student's age in whole years on that date",
    "date_turns": "[years]: the date the student reaches that age",
    "days_between": "[date, date]: days from the first date to the second",
    "months_between": "[date, date]: whole months from the first date to the second",
    "years_between": "[date, date]: whole years from the first date to the second",
    "add_days": "[date, number]: the date that many days later",
    "add_months": "[date, number]: the date that many months later",
    "add_years": "[date, number]: the date that many years later",
}
_LEDGER_HELP = {name: f"{kind}: {meaning}" for name, kind, meaning in LEDGER_FACTS_DECLARED}
_SHARED_HEADS = ("as_of", "student", "case")


def _kind_text(node: Any) -> str:
    if isinstance(node, ListOf):
        inner = node.element
        return "list of records" if isinstance(inner, dict) else f"list of {inner}"
    return "record" if isinstance(node, dict) else str(node)


def _walk(desc: dict[str, Any], prefix: str = "") -> Iterator[tuple[str, Any]]:
    for name, node in sorted(desc.items()):
        full = f"{prefix}{name}"
        yield full, node
        if isinstance(node, dict):
            yield from _walk(node, f"{full}.")


def _meaning(scope: str, name: str, node: Any) -> str:
    kind = _kind_text(node)
    head, _, rest = name.partition(".")
    if name == "as_of":
        return "date: the evaluation date"
    if name == "student.age":
        return "number: the student's age in whole years on as_of (derived)"
    case_meanings = {d.name: d.meaning for d in case_derived()}
    if head == "case" and rest in case_meanings:
        return f"{kind}: {case_meanings[rest]} (derived)"
    if head == "ledger" and rest in _LEDGER_HELP:
        return f"{_LEDGER_HELP[rest]} (service-delivery ledger)"
    scope_meanings = {d.name: d.meaning for d in scope_derived(scope)}
    if name in scope_meanings:
        return f"{kind}: {scope_meanings[name]} (derived)"
    return f"{kind}: recorded in the case file"


def _facts(scope: str, shared: bool) -> list[tuple[str, str, bool]]:
    """(name, meaning, is a list) for the scope's own facts, or for the shared ones."""
    out = []
    for name, node in _walk(scope_description(scope)):
        if (name.split(".")[0] in _SHARED_HEADS) != shared:
            continue
        out.append((name, _meaning(scope, name, node), isinstance(node, ListOf)))
    return out


def _element_facts(scope: str) -> list[tuple[str, str, bool]]:
    """Names that `where:` inside a quantifier may also use: the fields of list elements."""
    seen: dict[str, tuple[str, str, bool]] = {}

    def visit(desc: dict[str, Any], owner: str) -> None:
        for name, node in _walk(desc):
            if isinstance(node, ListOf):
                element = node.element
                if isinstance(element, dict):
                    for inner, inner_node in _walk(element):
                        seen.setdefault(inner, (inner, f"{_kind_text(inner_node)}: field of "
                                                       f"each element of {owner}{name}",
                                                isinstance(inner_node, ListOf)))
                    visit(element, f"{owner}{name}[].")
                else:
                    seen.setdefault("item", ("item", f"{element}: the element itself", False))

    visit(scope_description(scope), "")
    return sorted(seen.values())


def _enum(facts: list[tuple[str, str, bool]], description: str) -> dict[str, Any]:
    return {"type": "string", "description": description,
            "enum": [name for name, _, _ in facts],
            "enumDescriptions": [meaning for _, meaning, _ in facts]}


def _described(ref: str, description: str) -> dict[str, Any]:
    """A reference with its own description (draft-07 ignores keywords beside a bare $ref)."""
    return {"allOf": [{"$ref": ref}], "description": description}


def _fact_ref(key: str) -> dict[str, Any]:
    return {"anyOf": [{"$ref": "#/$defs/facts.shared"}, {"$ref": f"#/$defs/facts.{key}"}]}


def _condition(key: str) -> dict[str, Any]:
    """One condition of a scope (or of a scope inside a list quantifier: key `scope.in`)."""
    here = f"#/$defs/when.{key}"
    inner = key if key.endswith(".in") else f"{key}.in"
    value = f"#/$defs/value.{key}"
    props: dict[str, Any] = {
        "all": {"type": "array", "minItems": 1, "items": {"$ref": here},
                "description": "true when every condition in the list is true"},
        "any": {"type": "array", "minItems": 1, "items": {"$ref": here},
                "description": "true when at least one condition in the list is true"},
        "not": _described(here, "true when the condition is false"),
        "exists": {**_fact_ref(key), "description": "true when the fact is recorded"},
        "missing": {**_fact_ref(key), "description": "true when the fact is not recorded"},
        "fact": {**_fact_ref(key), "description": "left side of a comparison: a fact"},
        "value": _described(value, "left side of a comparison: a value or a function"),
    }
    for kind in ("some", "every", "none"):
        props[kind] = {
            "type": "object", "additionalProperties": False, "required": ["of", "where"],
            "description": f"{kind}: a condition on the elements of a list fact",
            "properties": {"of": {"$ref": f"#/$defs/lists.{key}"},
                           "where": {"$ref": f"#/$defs/when.{inner}"}}}
    for word in c.OPERATORS:
        props[word] = _described(value, f"{word}: {_OPERATOR_HELP[word]}")
    return {"type": "object", "minProperties": 1, "additionalProperties": False,
            "description": "A condition: all/any/not, exists/missing, some/every/none, or a "
                           "comparison {fact: ..., <operator>: ...}",
            "properties": props}


def _value(key: str) -> dict[str, Any]:
    inner = key if key.endswith(".in") else f"{key}.in"
    count = {"anyOf": [{"$ref": f"#/$defs/lists.{key}"}, {
        "type": "object", "additionalProperties": False, "required": ["of"],
        "properties": {"of": {"$ref": f"#/$defs/lists.{key}"},
                       "where": {"$ref": f"#/$defs/when.{inner}"}}}],
             "description": "the number of elements of a list fact (optionally: where ...)"}
    props: dict[str, Any] = {
        "fact": {**_fact_ref(key), "description": "a fact's value"},
        "param": {"type": "string", "pattern": "^[a-z_][a-z0-9_]*$",
                  "description": "a named parameter's value in force on as_of"},
        "date": _described("#/$defs/date", "a date literal, YYYY-MM-DD"),
        "due": {"type": "string", "enum": ["date"],
                "description": "the rule's own due date, from its `due:` declaration"},
        "count": count,
    }
    for name, arity in c.FUNCTIONS.items():
        arg = {"$ref": f"#/$defs/value.{key}"}
        props[name] = (_described(arg["$ref"], _FUNCTION_HELP[name]) if arity == 1 else
                       {"type": "array", "minItems": arity, "maxItems": arity, "items": arg,
                        "description": _FUNCTION_HELP[name]})
    return {"anyOf": [
        {"type": ["string", "number", "boolean"]},
        {"type": "array", "items": {"type": ["string", "number", "boolean"]}},
        {"type": "object", "minProperties": 1, "maxProperties": 1,
         "additionalProperties": False, "properties": props},
    ]}


def condition_defs() -> dict[str, Any]:
    """The generated `$defs` entries: facts, lists, values and conditions per scope."""
    any_scope = next(iter(SCOPES))
    defs: dict[str, Any] = {"facts.shared": _enum(
        _facts(any_scope, shared=True),
        "as_of, the student's fields and the case-level derived facts (every scope)")}
    for scope in SCOPES:
        own = _facts(scope, shared=False)
        elements = _element_facts(scope)
        lists = [f for f in own + _facts(scope, shared=True) if f[2]]
        inner_lists = lists + [f for f in elements if f[2]]
        defs[f"facts.{scope}"] = _enum(own, f"facts of a {scope} item")
        defs[f"facts.{scope}.in"] = _enum(
            own + [e for e in elements if e[0] not in {n for n, _, _ in own}],
            f"facts of a {scope} item, and the fields of the list element being tested")
        defs[f"lists.{scope}"] = _enum(lists, f"list facts of a {scope} item")
        defs[f"lists.{scope}.in"] = _enum(inner_lists, "list facts, the element's included")
        for key in (scope, f"{scope}.in"):
            defs[f"when.{key}"] = _condition(key)
            defs[f"value.{key}"] = _value(key)
    return defs


def scope_switch() -> list[dict[str, Any]]:
    """`allOf` of the rule definition: a rule's `when:` follows the grammar of its scope."""
    return [{"if": {"properties": {"scope": {"const": scope}}, "required": ["scope"]},
             "then": {"properties": {"when": {"$ref": f"#/$defs/when.{scope}"}}}}
            for scope in SCOPES]


def _checked_in() -> dict[str, Any]:
    text = resources.files("iep_rules").joinpath("schemas/rulefile.schema.json").read_text(
        "utf-8")
    data: dict[str, Any] = json.loads(text)
    return data


def generated_schema(base: dict[str, Any] | None = None) -> dict[str, Any]:
    """The full rule-file schema: the hand-written structure with the grammar regenerated."""
    schema = copy.deepcopy(base if base is not None else _checked_in())
    # Draft-07: what YAML language servers support (no 2019+ keyword is used).
    schema["$schema"] = "http://json-schema.org/draft-07/schema#"
    defs = {k: v for k, v in schema["$defs"].items()
            if k.split(".")[0] not in ("facts", "lists", "when", "value")}
    defs.update(condition_defs())
    schema["$defs"] = defs
    rule = schema["$defs"]["rule"]
    rule["properties"]["scope"]["enum"] = list(SCOPES)
    rule["properties"]["when"] = {"type": "object", "description": "The condition under which "
                                  "the rule fires; its grammar depends on the rule's scope"}
    rule["allOf"] = scope_switch()
    return schema


def schema_text(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=1, ensure_ascii=False) + "\n"


if __name__ == "__main__":  # pragma: no cover - regeneration entry point
    print(schema_text(generated_schema()), end="")
