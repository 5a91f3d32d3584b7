"""Layers import one way: a module never imports a layer above its own (docs/architecture.md).
Every import statement of every module under iep_rules/ is read with ast, including imports
inside functions, so a lazy import cannot hide an upward dependency."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "iep_rules"

# Lowest first. Modules in one tuple share a rank and may import each other.
LAYERS: list[tuple[str, ...]] = [
    ("_errors", "_vocab", "_version"),
    ("case",),
    ("facts",),
    ("lang",),
    ("rulebook",),
    ("_findings", "_reviews"),
    ("engine",),
    ("render",),
    ("batch",),
    ("importers", "service", "testing"),  # importers/ and service/ arrive from other branches
    ("cli",),
]
RANK = {name: rank for rank, names in enumerate(LAYERS) for name in names}
# The public facade (iep_rules/__init__.py, iep_rules/strategies.py) only re-exports: it ranks
# with the highest room it imports, so a room at or above that may use the public API.
FACADE = {"__init__", "strategies"}
DATA_ONLY = {"rules", "schemas"}  # rule files and JSON schemas, no Python to import


def _room(module: str) -> str:
    """iep_rules.render._csv -> render; iep_rules._vocab -> _vocab; iep_rules -> __init__."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def _rank(room: str) -> int:
    if room in FACADE:
        path = PACKAGE / f"{room}.py"
        return max(_rank(_room(target)) for _, target in _imports(path))
    assert room in RANK, (f"iep_rules/{room} has no place in the layer order: add it to "
                          "LAYERS here and to docs/architecture.md")
    return RANK[room]


def _module_name(path: Path) -> str:
    rel = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = list(rel.parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import of an iep_rules module in `path`."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.split(".")[0] == "iep_rules"]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.split(".")[0] != "iep_rules":
                continue
            if node.module is None or target == "iep_rules":
                # `from . import _csv` names modules; `from iep_rules import Rulebook` the facade
                for alias in node.names:
                    module = f"{target}.{alias.name}"
                    where = PACKAGE.parent.joinpath(*module.split("."))
                    is_module = where.is_dir() or where.with_suffix(".py").exists()
                    out.append((node.lineno, module if is_module else target))
            else:
                out.append((node.lineno, target))
    return out


def _modules():
    return [p for p in sorted(PACKAGE.rglob("*.py"))
            if not set(p.relative_to(PACKAGE).parts) & DATA_ONLY]


def test_no_module_imports_a_higher_layer():
    upward = []
    for path in _modules():
        mine = _rank(_room(_module_name(path)))
        for line, target in _imports(path):
            room = _room(target)
            if _rank(room) > mine:
                upward.append(f"{path.relative_to(PACKAGE.parent)}:{line} imports {target} "
                              f"({room} is above {_room(_module_name(path))})")
    assert upward == []


def test_the_checker_sees_relative_and_lazy_imports():
    engine = _imports(PACKAGE / "engine" / "_evaluate.py")
    assert any(t == "iep_rules.engine._durable" for _, t in engine)  # imported inside a function
    assert any(t == "iep_rules.rulebook._rulebook" for _, t in engine)
    render = _imports(PACKAGE / "render" / "__init__.py")
    assert any(t == "iep_rules.render._csv" for _, t in render)
    assert _rank("cli") > _rank("batch") > _rank("render") > _rank("engine") > _rank("case")
    assert _rank("__init__") == _rank("engine") and _rank("strategies") == _rank("testing")


def test_the_architecture_document_names_every_layer():
    text = (PACKAGE.parent / "docs" / "architecture.md").read_text(encoding="utf-8")
    present = {p.name.removesuffix(".py") for p in PACKAGE.iterdir()
               if (p.is_dir() and (p / "__init__.py").exists()) or p.suffix == ".py"}
    for room in present - FACADE - DATA_ONLY:
        assert f"{room}" in text, room
