"""A rulebook: every loaded layer, resolved per jurisdiction (federal base -> state -> district).

Jurisdiction codes nest by prefix (US, US-NY, US-NY-NYC), so a layer's parent is implied by its
code. Resolving walks the chain: parameters by name override the parent's value, a rule with
`overrides: true` replaces the parent's rule of that id, and `disable` removes one with a reason.
"""

from __future__ import annotations

import datetime as dt
import functools
import importlib
import os
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import attrs

from .._errors import Problem, RuleFileError
from ..case._io import read_limited
from ..facts._ledger import Policy
from ..lang._model import Disable, Layer, Parameter, Rule
from ..lang._yaml import MAX_YAML_BYTES
from ._cache import parse_layer
from ._jurisdiction import layer_note

if TYPE_CHECKING:  # importlib.resources itself only for a package not installed as files
    from importlib.resources.abc import Traversable


def chain(jurisdiction: str) -> list[str]:
    """US-NY-NYC -> [US, US-NY, US-NY-NYC]."""
    parts = jurisdiction.split("-")
    return ["-".join(parts[: i + 1]) for i in range(len(parts))]


@attrs.frozen
class Resolved:
    """The rules and parameter values in force for one jurisdiction."""

    jurisdiction: str
    rules: tuple[Rule, ...]
    parameters: dict[str, Parameter]
    disabled: dict[str, Disable]

    def values_on(self, day: dt.date) -> dict[str, Any]:
        """Every parameter's value in force on `day`."""
        return {name: p.value_on(day) for name, p in self.parameters.items()}


@attrs.define
class Rulebook:
    layers: tuple[Layer, ...]
    _cache: dict[str, Resolved] = attrs.field(factory=dict, init=False, repr=False)
    # Compiled backends, keyed by backend and jurisdiction; owned by this rulebook object.
    programs: dict[str, object] = attrs.field(factory=dict, init=False, repr=False, eq=False)

    def jurisdictions(self) -> list[str]:
        return sorted({layer.jurisdiction for layer in self.layers})

    def layer_note(self, jurisdiction: str) -> str | None:
        """None if the code has a layer; a note for a US state without one (federal rules
        only). Raises `JurisdictionError` naming the known codes for any other code."""
        return layer_note(jurisdiction, self.jurisdictions())

    def resolve(self, jurisdiction: str) -> Resolved:
        if jurisdiction not in self._cache:
            self.layer_note(jurisdiction)  # an unknown code is an error, not an empty rulebook
            resolved, problems = _resolve(self.layers, jurisdiction)
            problems = problems or _ledger_policy_problems(resolved)
            if problems:
                raise RuleFileError("rulebook", problems)
            self._cache[jurisdiction] = resolved
        return self._cache[jurisdiction]

    def rule(self, rule_id: str, jurisdiction: str = "US") -> Rule | None:
        return next((r for r in self.resolve(jurisdiction).rules if r.id == rule_id), None)


def _resolve(layers: Iterable[Layer], jurisdiction: str) -> tuple[Resolved, list[Problem]]:
    problems: list[Problem] = []
    params: dict[str, Parameter] = {}
    rules: dict[str, Rule] = {}
    disabled: dict[str, Disable] = {}
    layers = list(layers)
    for code in chain(jurisdiction):
        for layer in (x for x in layers if x.jurisdiction == code):
            for param in layer.parameters:
                problems += _parameter_kinds(param, params.get(param.name))
                params[param.name] = param
            for rule in layer.rules:
                where = f"{rule.source}"
                if rule.id in rules and not rule.overrides:
                    problems.append(Problem(where, f"rule {rule.id!r} already defined at "
                                                   f"{rules[rule.id].source}; set overrides: true "
                                                   "to replace it"))
                elif rule.id not in rules and rule.overrides:
                    parents = " > ".join(chain(code)[:-1]) or "no parent"
                    problems.append(Problem(where, f"rule {rule.id!r} overrides nothing in "
                                                   f"{parents}"))
                else:
                    rules[rule.id] = rule
            for item in layer.disabled:
                if rules.pop(item.id, None) is None:
                    problems.append(Problem(str(item.source),
                                            f"disable: no rule {item.id!r} to disable"))
                disabled[item.id] = item
    for rule in rules.values():
        for name in rule.params_used:
            if name not in params:
                problems.append(Problem(str(rule.source), f"rule {rule.id!r} uses parameter "
                                                          f"{name!r}, defined nowhere in "
                                                          f"{' > '.join(chain(jurisdiction))}"))
        for name, wanted in rule.param_kinds:
            used = params.get(name)
            found = {value_kind(v) for _, v in used.values} if used else set()
            if used and found != {wanted}:
                problems.append(Problem(str(used.source), f"parameter {name!r} is used as a "
                                        f"{wanted} by rule {rule.id!r} ({rule.source}), but "
                                        f"its value is a {'/'.join(sorted(found))}"))
    ordered = tuple(sorted(rules.values(), key=lambda r: r.id))
    return Resolved(jurisdiction, ordered, params, disabled), problems


def value_kind(value: Any) -> str:
    """A parameter value's kind, in the words rule-file messages use."""
    if isinstance(value, bool):
        return "bool"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        inner = {value_kind(v) for v in value}
        return "list" if inner <= {"string", "number", "bool"} else "nested list"
    return "record" if isinstance(value, dict) else "null"


def _parameter_kinds(param: Parameter, above: Parameter | None) -> list[Problem]:
    """A parameter keeps one kind across its dated values and the layers that override it:
    code that reads it (rules, the ledger) relies on the kind the federal layer set."""
    kinds = {value_kind(v) for _, v in param.values}
    if len(kinds) > 1 or kinds & {"nested list", "record", "null"}:
        return [Problem(str(param.source), f"parameter {param.name!r}: values must all be one "
                                           f"of number, string, bool or a list of those; got "
                                           f"{'/'.join(sorted(kinds))}")]
    if above is None:
        return []
    parent = {value_kind(v) for _, v in above.values}
    if parent != kinds:
        return [Problem(str(param.source), f"parameter {param.name!r} is a "
                                           f"{'/'.join(sorted(parent))} at {above.source}; "
                                           f"this override gives a {'/'.join(sorted(kinds))}")]
    return []


# Parameters where a larger value gives the district more time (a laxer deadline).
DEADLINE_PARAMETERS = ("annual_review_interval_months", "reevaluation_interval_months",
                       "initial_evaluation_deadline_days", "transition_age",
                       "late_start_warning_days")


def laxer_deadlines(book: Rulebook) -> list[str]:
    """Overrides in a lower layer that give more time than the layer above allows."""
    out = []
    for code in book.jurisdictions():
        parents = chain(code)[:-1]
        if not parents:
            continue
        above = book.resolve(parents[-1]).parameters
        for name, param in book.resolve(code).parameters.items():
            if name in DEADLINE_PARAMETERS and name in above and param.source.layer == code:
                mine, theirs = param.values[-1][1], above[name].values[-1][1]
                if isinstance(mine, int | float) and isinstance(theirs, int | float) \
                        and mine > theirs:
                    out.append(f"{param.source}: {code} sets {name} = {mine}, laxer than "
                               f"{theirs} in {parents[-1]} ({above[name].source})")
    return out


def _ledger_policy_problems(resolved: Resolved) -> list[Problem]:
    """The ledger's policy parameters checked at load, on every date a value changes, so that
    lint refuses what evaluation would (a lint-clean file runs)."""
    days = sorted({day for param in resolved.parameters.values() for day, _ in param.values})
    for day in days:
        try:
            Policy.from_params(resolved.values_on(day))
        except RuleFileError as exc:
            return exc.problems
    return []


def _yaml_files(root: Traversable) -> Iterator[Traversable]:
    for entry in sorted(root.iterdir(), key=lambda e: e.name):
        if entry.is_dir():
            yield from _yaml_files(entry)
        elif entry.name.endswith((".yaml", ".yml")):
            yield entry


def bundled_rules_root() -> Traversable:
    """The bundled rules folder: the package's own folder when it is installed as files (the
    usual case, and what `importlib.resources` would give; importing that costs about 5 ms of
    every start), else through `importlib.resources` (a zip)."""
    rules = importlib.import_module("iep_rules.rules")  # rules/ is mapped in pyproject.toml
    folder = Path(rules.__file__).parent if rules.__file__ else None
    if folder is not None and folder.is_dir():
        return folder
    from importlib import resources  # pragma: no cover - a package not installed as files

    return resources.files("iep_rules.rules")  # pragma: no cover


def _display(entry: Traversable, root: Traversable, label: str) -> str:
    try:
        return f"{label}/{Path(str(entry)).relative_to(Path(str(root))).as_posix()}"
    except ValueError:
        return str(entry)


@functools.lru_cache(maxsize=128)
def _parse_once(raw: bytes, name: str) -> tuple[Layer | None, tuple[Problem, ...]]:
    """`parse_layer` is a pure function of a file's bytes and name, and its result is frozen:
    a process that loads the same rule files again (every command of a test run) parses them
    once. Keyed by the bytes, so an edited file is parsed afresh."""
    layer, problems = parse_layer(raw, name)  # through the disk cache (rulebook/_cache.py)
    return layer, tuple(problems)


def load_rulebook(*extra_paths: str | Path, bundled: bool = True) -> Rulebook:
    """The bundled rules plus any extra rule files or folders, checked as a whole.

    Raises `RuleFileError` listing every problem in every file (file:line:col).
    """
    sources: list[tuple[str, Traversable]] = []
    if bundled:
        root = bundled_rules_root()
        sources += [(_display(f, root, "rules"), f) for f in _yaml_files(root)]
    for extra in extra_paths:
        path = Path(extra)
        if path.is_dir():
            sources += [(str(f), f) for f in _yaml_files(path)]
        else:
            sources.append((str(path), path))
    layers: list[Layer] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for name, entry in sources:
        real = os.path.realpath(str(entry))
        if real in seen:
            continue  # e.g. the bundled folder passed again as an extra path
        seen.add(real)
        try:  # a user's path is size-checked before reading (a device, a 1 GB file)
            raw = (read_limited(entry, MAX_YAML_BYTES) if isinstance(entry, Path)
                   else entry.read_bytes())
        except OSError as exc:
            problems.append(Problem(f"{name}:1:1", f"cannot read: {exc.strerror}"))
            continue
        except ValueError as exc:
            problems.append(Problem(f"{name}:1:1", f"cannot read: {exc}"))
            continue
        layer, parse_problems = _parse_once(raw, name)
        problems += parse_problems
        if layer is not None:
            layers.append(layer)
    resolved: dict[str, Resolved] = {}
    if not problems:
        for code in sorted({layer.jurisdiction for layer in layers}):
            resolved[code], found = _resolve(layers, code)
            problems += found
            problems += _ledger_policy_problems(resolved[code])
    if problems:
        problems = list(dict.fromkeys(problems))  # each jurisdiction resolved says it again
        raise RuleFileError(", ".join(sorted({p.location.split(":")[0] for p in problems})),
                            problems)
    book = Rulebook(tuple(layers))
    book._cache.update(resolved)  # already resolved once to check them; keep the results
    return book
