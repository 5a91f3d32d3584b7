"""Seeded generators of hostile inputs, shared by tests/test_robustness_*.py and the recorded
campaign (bench/fuzz_campaign.py): rule files from a grammar of the rule format, and case
documents by mutating the example cases. `random.Random(seed)` makes every input
reproducible from its seed, which the campaign reports for any failure.
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

import yaml

from iep_rules.facts._namespace import ListOf, scope_description

ROOT = Path(__file__).resolve().parent.parent
EXAMPLES = sorted((ROOT / "examples").glob("*.json"))
SEED_CASES: list[dict[str, Any]] = [json.loads(p.read_text("utf-8")) for p in EXAMPLES]

SCOPES = ["case", "eligibility", "evaluation", "iep", "service", "placement", "meeting",
          "parent_request", "consent"]
TOPICS = ["eligibility", "iep-contents", "placement", "consent", "timelines", "team", "services"]
JURISDICTIONS = ["US", "US-NY", "US-NY-NYC"]

HOSTILE_TEXT = [
    "", " ", "x", "Monday", "MONDAY", "é", "\u2028", "\u2029", "\r", "\t", "\x00", "\x1b[2J\x1b[31mRED",
    "\x1b]8;;http://evil.example\x1b\\link\x1b]8;;\x1b\\", "=HYPERLINK(\"http://x\")", "+1", "-1",
    "@SUM(A1)", "<script>alert(1)</script>", "[x](javascript:alert(1))", "**bold** _i_ `c` |",
    "{id}", "{param.transition_age}", "%s %d", "'", '"', "\\", "null", "0", "true", "\u202etxt",
    "\U0001f600", "a" * 300, "\ufeff", "line\nbreak", "speech_language_therapy", "given",
]
NUMBERS = [0, 1, -1, 2, 7, 16, 60, 2**31, 2**53 - 1, -(2**53 - 1), 0.5, -0.5, 0.001, 1e15,
           12.75]
DATES = ["1900-01-01", "1970-01-01", "2000-02-29", "2024-02-29", "2024-09-01", "2025-06-30",
         "2199-12-31", "9999-12-31", "9999-01-01"]
REFUSED_NUMBERS = [2**53, 2**63, 10**30, float("inf"), float("nan"), 1e-300, 1e300, 0.0001]
FUNCTIONS = {"age_on": ("date",), "date_turns": ("number",), "days_between": ("date", "date"),
             "months_between": ("date", "date"), "years_between": ("date", "date"),
             "add_days": ("date", "number"), "add_months": ("date", "number"),
             "add_years": ("date", "number")}
FUNCTION_KIND = {"age_on": "number", "date_turns": "date", "days_between": "number",
                 "months_between": "number", "years_between": "number", "add_days": "date",
                 "add_months": "date", "add_years": "date"}
BUNDLED_PARAMS = {"transition_age": "number", "annual_review_interval_months": "number",
                  "initial_evaluation_deadline_days": "number",
                  "makeup_materiality_percent": "number", "late_start_warning_days": "number",
                  "makeup_owed_reasons": "list", "makeup_undocumented_owed": "bool",
                  "makeup_deadline": "string"}


def _facts(desc: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, Any]]:
    """Every (dotted fact name, kind or ListOf) a scope description offers."""
    out: list[tuple[str, Any]] = []
    for name, node in desc.items():
        path = (*prefix, name)
        if isinstance(node, dict):
            out.append((".".join(path), "record"))
            if len(prefix) < 2:
                out += _facts(node, path)
        else:
            out.append((".".join(path), node))
    return out


def _kind(node: Any) -> str:
    return "list" if isinstance(node, ListOf) else str(node)


class RuleGen:
    """Rule files from the rule-format grammar. Mostly well-typed (so that many are
    lint-clean and reach both backends), sometimes deliberately not (to exercise lint)."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.params: dict[str, tuple[str, Any]] = {}
        # One file in four carries deliberate mistakes (for lint); the rest aim to be clean.
        self.hostile = rng.random() < 0.25

    def literal(self, kind: str) -> Any:
        r = self.rng
        if self.hostile and r.random() < 0.1:
            return r.choice([*REFUSED_NUMBERS, "9999-99-99", [[1]], {"a": 1}])
        if kind == "number":
            return r.choice(NUMBERS)
        if kind == "date":
            return {"date": r.choice(DATES)}
        if kind == "bool":
            return r.random() < 0.5
        if kind == "list":
            return [r.choice(HOSTILE_TEXT[:12]) for _ in range(r.randint(0, 4))]
        return r.choice(HOSTILE_TEXT)

    def param(self, kind: str) -> dict[str, str]:
        r = self.rng
        fits = [n for n, k in BUNDLED_PARAMS.items() if k == kind]
        if fits and r.random() < 0.4:
            name = r.choice(fits)
            if r.random() < 0.3:  # override it in this file, of the right kind or not
                wrong = self.hostile and r.random() < 0.3
                value = self.literal(r.choice(["string", "bool"]) if wrong else kind)
                self.params[name] = (kind, value)
            return {"param": name}
        name = f"fz_p{len(self.params)}"
        value = self.literal("string" if self.hostile and r.random() < 0.2 else kind)
        if isinstance(value, dict):
            value = value.get("date", value)
        self.params[name] = (kind, value)
        return {"param": name}

    def value(self, kind: str, facts: list[tuple[str, Any]], depth: int) -> Any:
        r = self.rng
        roll = r.random()
        same = [name for name, node in facts if _kind(node) == kind]
        if roll < 0.45 or kind not in ("number", "date"):
            if same and roll < 0.25:
                return {"fact": r.choice(same)}
            if kind in ("number", "string", "bool", "list") and roll < 0.35:
                return self.param(kind)
            return self.literal(kind)
        if roll < 0.7 and depth < 3:
            names = [f for f, k in FUNCTION_KIND.items() if k == kind]
            name = r.choice(names)
            args = [self.value(a, facts, depth + 1) for a in FUNCTIONS[name]]
            return {name: args if len(args) > 1 else args[0]}
        if kind == "number" and roll < 0.85:
            lists = [name for name, node in facts if isinstance(node, ListOf)]
            if lists:
                return {"count": r.choice(lists)}
        if kind == "number":
            return self.param("number") if r.random() < 0.5 else self.literal("number")
        return self.literal("date")

    def comparison(self, facts: list[tuple[str, Any]], depth: int) -> dict[str, Any]:
        r = self.rng
        usable = facts if self.hostile else [f for f in facts if _kind(f[1]) != "record"]
        name, node = r.choice(usable)
        kind = _kind(node)
        by_kind = {"number": ["is", "is_not", "less_than", "at_most", "greater_than", "at_least",
                              "in", "not_in"],
                   "date": ["is", "is_not", "before", "on_or_before", "after", "on_or_after"],
                   "string": ["is", "is_not", "in", "not_in"], "bool": ["is", "is_not"],
                   "list": ["contains", "not_contains", "contains_any"],
                   "record": ["is_not"]}
        ops = by_kind.get(kind, ["is"])
        if self.hostile and r.random() < 0.1:  # a deliberately ill-typed comparison
            op = r.choice(["is", "is_not", "less_than", "before", "contains", "in"])
            return {"fact": name, op: self.literal(r.choice(["string", "number", "list"]))}
        op = r.choice(ops)
        if op in ("in", "not_in"):
            right: Any = ([self.literal(kind) for _ in range(r.randint(0, 3))]
                          if kind != "date" else ["x"])
            if r.random() < 0.2:
                right = self.param("list")
        elif op in ("contains", "not_contains"):
            right = r.choice(HOSTILE_TEXT)
        elif op == "contains_any":
            right = self.literal("list")
        else:
            right = self.value(kind, facts, depth)
        return {"fact": name, op: right}

    def cond(self, facts: list[tuple[str, Any]], desc: dict[str, Any], depth: int) -> Any:
        r = self.rng
        roll = r.random()
        if depth < 4 and roll < 0.25:
            sizes = [1, 2, 3, 5, 7, 12] if depth == 0 else [1, 2, 3]
            size = r.choice(sizes) if r.random() < 0.97 or depth else r.randint(20, 120)
            key = r.choice(["all", "any"])
            return {key: [self.cond(facts, desc, depth + 1) for _ in range(size)]}
        if depth < 4 and roll < 0.32:
            return {"not": self.cond(facts, desc, depth + 1)}
        if roll < 0.4:
            return {r.choice(["exists", "missing"]): r.choice(facts)[0]}
        lists = [(name, node) for name, node in facts if isinstance(node, ListOf)]
        if depth < 3 and roll < 0.5 and lists:
            name, node = r.choice(lists)
            element = node.element
            inner_desc = {**desc, **element} if isinstance(element, dict) else {**desc,
                                                                                "item": element}
            inner = _facts(inner_desc)
            return {r.choice(["some", "every", "none"]): {
                "of": name, "where": self.cond(inner, inner_desc, depth + 1)}}
        if roll < 0.55:  # fact against fact: same kind, or (in a hostile file) any two
            name, node = r.choice(facts)
            same = [f for f, k in facts if _kind(k) == _kind(node) and f != name]
            if same and not self.hostile and _kind(node) not in ("list", "record"):
                op = r.choice(["is", "is_not"] + (["before", "after"] if _kind(node) == "date"
                                                 else []))
                return {"fact": name, op: {"fact": r.choice(same)}}
            if self.hostile:
                return {"fact": name, "is": {"fact": r.choice(facts)[0]}}
        return self.comparison(facts, depth)

    def message(self, facts: list[tuple[str, Any]]) -> str:
        r = self.rng
        parts = [r.choice(HOSTILE_TEXT).replace("{", "(").replace("}", ")")]
        for _ in range(r.randint(0, 3)):
            bad = self.hostile and r.random() < 0.2
            parts.append("{" + ("nope" if bad else r.choice(facts)[0]) + "}")
        if self.params and r.random() < 0.3:
            parts.append("{param." + r.choice(list(self.params)) + "}")
        return " ".join(parts) or "m"

    def rule(self, index: int) -> dict[str, Any]:
        r = self.rng
        scope = r.choice(SCOPES)
        desc = scope_description(scope)
        facts = _facts(desc)
        data: dict[str, Any] = {
            "id": f"fuzz.rule-{index}", "title": r.choice(HOSTILE_TEXT[2:]) or "t",
            "topic": r.choice(TOPICS), "severity": r.choice(["violation", "warning", "notice"]),
            "scope": scope, "when": self.cond(facts, desc, 0),
            "message": self.message(facts),
            "cite": [{"authority": r.choice(["34 CFR 300.320", "8 NYCRR 200.4", "x"]),
                      "verified": r.random() < 0.5}],
        }
        if r.random() < 0.2:
            data["remedy"] = self.message(facts)
        if r.random() < 0.05:
            data["examples"] = [{"name": "e", "expect": r.choice(["fires", "silent",
                                                                    "needs-data"]),
                                 "case": r.choice(SEED_CASES)}]
        return data

    def file(self) -> str:
        r = self.rng
        rules = [self.rule(i) for i in range(r.randint(1, 6))]
        doc: dict[str, Any] = {"jurisdiction": r.choice(JURISDICTIONS), "rules": rules}
        if self.params:
            doc["parameters"] = [
                {"name": name, "values": [{"from": "2000-01-01", "value": value}],
                 "cite": [{"authority": "x", "verified": False}]}
                for name, (_kind_, value) in self.params.items()]
        return yaml.safe_dump(doc, sort_keys=False, allow_unicode=r.random() < 0.5, width=100)


def rule_file(seed: int) -> str:
    return RuleGen(random.Random(seed)).file()


# ---- case documents by mutation ---------------------------------------------------------------

HOSTILE_VALUES: list[Any] = [
    None, True, False, 0, -1, 1, 2**31, 2**53 - 1, 2**53, 2**63, 10**25, 0.5, 1e308, [], {},
    [None], {"x": 1}, "", " ", "x" * 5000, "Monday", "MONDAY", "Week", "DAY", "US-ZZ", "us-ny",
    "XX", "US-NY-NYC", "9999-12-31", "9999-01-01", "1900-01-01", "1899-12-31", "0001-01-01",
    "2024-02-30", "2024-13-01", "2024-1-1", "20240101", "2024-02-29T00:00", *HOSTILE_TEXT,
]
DATE_EDGES = ["1900-01-01", "1900-01-02", "9999-12-31", "9998-12-31", "9990-01-01",
              "2199-12-31", "2024-02-29", "2023-02-28"]


def _nodes(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [path]
    if isinstance(doc, dict):
        for key, value in doc.items():
            out += _nodes(value, (*path, key))
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            out += _nodes(value, (*path, i))
    return out


def _get(doc: Any, path: tuple[Any, ...]) -> Any:
    for key in path:
        doc = doc[key]
    return doc


def mutate_case(rng: random.Random) -> dict[str, Any]:
    """A seed case with one to four structural mutations."""
    doc: dict[str, Any] = json.loads(json.dumps(rng.choice(SEED_CASES)))
    if rng.random() < 0.4:  # gentle: mutations a valid case survives, to reach the engine
        for _ in range(rng.randint(1, 4)):
            _gentle(rng, doc)
        return doc
    for _ in range(rng.randint(1, 3)):
        paths = [p for p in _nodes(doc) if p]
        if not paths:
            break
        path = rng.choice(paths)
        parent, key = _get(doc, path[:-1]), path[-1]
        current = parent[key]
        action = rng.random()
        if action < 0.15:
            parent[key] = rng.choice(HOSTILE_VALUES)
        elif action < 0.22 and isinstance(parent, dict):
            del parent[key]
        elif action < 0.4 and isinstance(current, list) and current:
            current.extend([json.loads(json.dumps(current[0]))] * rng.choice([2, 10, 60]))
        elif action < 0.65 and isinstance(current, str):
            if len(current) == 10 and current[4:5] == "-":
                parent[key] = rng.choice(DATE_EDGES)
            else:
                parent[key] = rng.choice([current.upper(), current.capitalize(), current + " ",
                                          current * 3, rng.choice(HOSTILE_TEXT)])
        elif action < 0.68 and isinstance(parent, dict):
            parent[rng.choice(["unknown_field", key.upper(), key + "_x"])] = current
        elif action < 0.8 and isinstance(current, int) and not isinstance(current, bool):
            parent[key] = rng.choice([0, -current, current * 1000, 2**53 - 1, 10**6])
        else:
            other = _get(doc, rng.choice(paths))
            parent[key] = json.loads(json.dumps(other))
    return doc


def _gentle(rng: random.Random, doc: dict[str, Any]) -> None:
    paths = [p for p in _nodes(doc) if p]
    path = rng.choice(paths)
    parent, key = _get(doc, path[:-1]), path[-1]
    current = parent[key]
    if isinstance(current, list) and current:
        current.extend([json.loads(json.dumps(current[0]))] * rng.choice([1, 5, 40]))
    elif isinstance(current, str) and len(current) == 10 and current[4:5] == "-":
        parent[key] = rng.choice(["1900-01-01", "2199-12-31", "2024-02-29", "2010-01-01",
                                  "2025-03-01", "2030-06-30"])
    elif isinstance(current, bool):
        parent[key] = not current
    elif isinstance(current, int):
        parent[key] = rng.choice([1, 2, 5, 100, 10**6, 2**53 - 1])
    elif isinstance(current, str) and key in ("weekdays", 0, 1, 2):
        parent[key] = current.upper()
    elif isinstance(current, str) and key not in ("jurisdiction", "per", "status", "kind",
                                                  "response", "outcome", "classification"):
        parent[key] = rng.choice(HOSTILE_TEXT[1:])
    elif isinstance(parent, dict) and key not in ("id", "jurisdiction", "student", "date"):
        del parent[key]


def case_line(seed: int) -> bytes:
    """One JSON Lines record: a mutated case, sometimes mutated again at the byte level
    (invalid UTF-8, duplicate keys, raw CR or U+2028 inside a string, truncation)."""
    rng = random.Random(seed)
    doc = mutate_case(rng)
    text = json.dumps(doc, ensure_ascii=rng.random() < 0.5)
    raw = text.encode("utf-8", errors="surrogatepass")
    roll = rng.random()
    if roll < 0.03:
        at = rng.randrange(len(raw))
        raw = raw[:at] + rng.choice([b"\xff", b"\xc3", b"\xed\xa0\x80", b"\x80"]) + raw[at:]
    elif roll < 0.06:
        raw = raw.replace(b'"id": ', b'"id": "dup", "id": ', 1)
    elif roll < 0.09:
        at = raw.find(b'": "') + 4
        raw = raw[:at] + rng.choice([b"\r", "\u2028".encode(), b"\x1b[31m"]) + raw[at:]
    elif roll < 0.1:
        raw = raw[: rng.randrange(len(raw))]
    return raw.replace(b"\n", b" ")


__all__ = ["SEED_CASES", "RuleGen", "case_line", "mutate_case", "rule_file"]
