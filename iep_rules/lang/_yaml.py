"""YAML to plain data with the line and column of every node, safely.

Only PyYAML's safe composer runs: no tag ever constructs an object. Non-standard tags
(`!!python/object`, `!custom`) are refused with their location, duplicate keys are refused, and
alias expansion is bounded so an alias bomb fails fast instead of eating memory.
"""

from __future__ import annotations

from typing import Any

import yaml

from .._errors import Problem

MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_DEPTH = 64

Path_ = tuple[str | int, ...]

_SCALAR_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:null",
}
# Timestamps stay strings: the rule-file grammar says where a date is expected.
_KEEP_AS_TEXT = {"tag:yaml.org,2002:timestamp"}


class Located:
    """Plain data from one YAML document plus a map from data path to (line, column), 1-based."""

    def __init__(self, filename: str, data: Any, marks: dict[Path_, tuple[int, int]]) -> None:
        self.filename = filename
        self.data = data
        self.marks = marks

    def position(self, path: Path_) -> tuple[int, int]:
        """(line, column) of the nearest node at or above `path`."""
        probe = tuple(path)
        while probe not in self.marks and probe:
            probe = probe[:-1]
        return self.marks.get(probe, (1, 1))

    def where(self, path: Path_) -> str:
        """file:line:col of the nearest node at or above `path`."""
        line, col = self.position(path)
        return f"{self.filename}:{line}:{col}"


_OPEN = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken,
         yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken)
_CLOSE = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)


def _too_deep(text: str, filename: str) -> Problem | None:
    """PyYAML composes recursively: refuse deep nesting from the (iterative) token stream first."""
    depth = 0
    for token in yaml.scan(text, Loader=yaml.SafeLoader):
        if isinstance(token, _OPEN):
            depth += 1
            if depth > MAX_DEPTH:
                mark = token.start_mark
                return Problem(f"{filename}:{mark.line + 1}:{mark.column + 1}",
                               f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(token, _CLOSE):
            depth -= 1
    return None


def _where(filename: str, node: yaml.Node) -> str:
    return f"{filename}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


class _Budget(Exception):
    """Raised inside the converter when a document expands past the node or depth budget."""


def load_yaml(text_or_bytes: bytes | str, filename: str) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML document; return it with positions, or the problems that stopped it."""
    if len(text_or_bytes) > MAX_YAML_BYTES:
        return None, [Problem(f"{filename}:1:1", f"file larger than {MAX_YAML_BYTES} bytes")]
    if isinstance(text_or_bytes, bytes):
        try:
            text = text_or_bytes.decode("utf-8")
        except UnicodeDecodeError as exc:
            return None, [Problem(f"{filename}: byte {exc.start}", "not valid UTF-8")]
    else:
        text = text_or_bytes
    try:
        too_deep = _too_deep(text, filename)
        if too_deep is not None:
            return None, [too_deep]
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except RecursionError:
        return None, [Problem(f"{filename}:1:1", f"nested deeper than {MAX_DEPTH} levels")]
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{filename}:{mark.line + 1}:{mark.column + 1}" if mark else f"{filename}:1:1"
        return None, [Problem(where, exc.problem or str(exc))]
    except yaml.YAMLError as exc:
        return None, [Problem(f"{filename}:1:1", str(exc))]
    if node is None:
        return Located(filename, None, {}), []
    marks: dict[Path_, tuple[int, int]] = {}
    problems: list[Problem] = []
    constructor = yaml.SafeLoader("")
    count = [0]

    def convert(n: yaml.Node, path: Path_, depth: int) -> Any:
        count[0] += 1
        if count[0] > MAX_NODES or depth > MAX_DEPTH:
            raise _Budget
        marks[path] = (n.start_mark.line + 1, n.start_mark.column + 1)
        where = _where(filename, n)
        if isinstance(n, yaml.ScalarNode):
            if n.tag in _KEEP_AS_TEXT:
                return n.value
            if n.tag not in _SCALAR_TAGS:
                problems.append(Problem(where, f"tag {n.tag!r} is not allowed in rule files"))
                return None
            return constructor.construct_object(n)
        if isinstance(n, yaml.SequenceNode):
            if n.tag != "tag:yaml.org,2002:seq":
                problems.append(Problem(where, f"tag {n.tag!r} is not allowed in rule files"))
            return [convert(child, (*path, i), depth + 1) for i, child in enumerate(n.value)]
        if isinstance(n, yaml.MappingNode):
            if n.tag != "tag:yaml.org,2002:map":
                problems.append(Problem(where, f"tag {n.tag!r} is not allowed in rule files"))
            out: dict[str, Any] = {}
            for key_node, value_node in n.value:
                if not isinstance(key_node, yaml.ScalarNode) or key_node.tag not in (
                    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int"
                ):
                    kw = _where(filename, key_node)
                    problems.append(Problem(kw, "mapping keys must be plain text"))
                    continue
                key = key_node.value
                if key == "<<":
                    problems.append(Problem(where, "YAML merge keys are not allowed"))
                    continue
                if key in out:
                    kw = _where(filename, key_node)
                    problems.append(Problem(kw, f"duplicate key {key!r}"))
                    continue
                out[key] = convert(value_node, (*path, key), depth + 1)
            return out
        problems.append(Problem(where, "unsupported YAML node"))
        return None

    try:
        data = convert(node, (), 0)
    except _Budget:
        return None, [Problem(f"{filename}:1:1",
                              f"document expands past {MAX_NODES} nodes or {MAX_DEPTH} levels "
                              "(YAML aliases are expanded; an alias bomb is refused)")]
    return Located(filename, data, marks), problems
