"""YAML to plain data with the line and column of every node, safely.

Only PyYAML's safe composer runs: no tag ever constructs an object. Non-standard tags
(`!!python/object`, `!custom`) are refused with their location, duplicate keys are refused, and
alias expansion is bounded so an alias bomb fails fast instead of eating memory.
"""

from __future__ import annotations

import math
from functools import cache
from typing import TYPE_CHECKING, Any

from .._errors import Problem, quote

if TYPE_CHECKING:  # imported when a file is parsed: a cached rule file needs no YAML parser
    import yaml

MAX_YAML_BYTES = 2 * 1024 * 1024
MAX_NODES = 200_000
MAX_TOKENS = 4 * MAX_NODES  # a scan past this many tokens cannot fit the node budget
MAX_DEPTH = 64
MAX_INT = 2**53 - 1  # numbers every backend (durable-rules' C core included) holds exactly
MIN_FRACTION = 0.001  # smaller numbers print with an exponent, which durable-rules refuses


@cache
def _loader() -> Any:
    """libyaml's scanner is about ten times faster than the pure-Python one: a 2 MB file is
    refused in well under a second instead of a minute. Both are safe loaders; the pure one is
    a fallback."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)


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


def _too_deep(text: str, filename: str) -> Problem | None:
    """PyYAML composes recursively: refuse deep nesting from the (iterative) token stream first,
    and a document with more tokens than the node budget could ever hold."""
    import yaml

    opening = (yaml.FlowSequenceStartToken, yaml.FlowMappingStartToken,
               yaml.BlockSequenceStartToken, yaml.BlockMappingStartToken)
    closing = (yaml.FlowSequenceEndToken, yaml.FlowMappingEndToken, yaml.BlockEndToken)
    depth = 0
    for count, token in enumerate(yaml.scan(text, Loader=_loader())):
        if count > MAX_TOKENS:
            mark = token.start_mark
            return Problem(f"{filename}:{mark.line + 1}:{mark.column + 1}",
                           f"document has more than {MAX_TOKENS} tokens (at most "
                           f"{MAX_NODES} values)")
        if isinstance(token, opening):
            depth += 1
            if depth > MAX_DEPTH:
                mark = token.start_mark
                return Problem(f"{filename}:{mark.line + 1}:{mark.column + 1}",
                               f"nested deeper than {MAX_DEPTH} levels")
        elif isinstance(token, closing):
            depth -= 1
    return None


def _where(filename: str, node: yaml.Node) -> str:
    return f"{filename}:{node.start_mark.line + 1}:{node.start_mark.column + 1}"


class _LazyWhere:
    """`_where` of a node, formatted only when a problem names it (most nodes have none)."""

    __slots__ = ("filename", "node")

    def __init__(self, filename: str, node: yaml.Node) -> None:
        self.filename, self.node = filename, node

    def __str__(self) -> str:
        return _where(self.filename, self.node)


_STR = "tag:yaml.org,2002:str"


class _Budget(Exception):
    """Raised inside the converter when a document expands past the node or depth budget."""


def _scalar(constructor: yaml.SafeLoader, node: yaml.ScalarNode, filename: str,
            problems: list[Problem]) -> Any:
    """A plain scalar, refusing numbers no backend can hold: integers past +/-(2**53 - 1)
    (checked on the digits first: Python refuses to convert very long ones) and NaN or
    infinities (durable-rules' C core crashed on an infinite parameter)."""
    where = _LazyWhere(filename, node)
    if node.tag == "tag:yaml.org,2002:int" and sum(ch.isdigit() for ch in node.value) > 20:
        problems.append(Problem(str(where), f"integer out of range (at most +/-{MAX_INT})"))
        return None
    value = constructor.construct_object(node)
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_INT:
        problems.append(Problem(str(where), f"integer out of range (at most +/-{MAX_INT})"))
        return None
    if isinstance(value, float) and not math.isfinite(value):
        problems.append(Problem(str(where), "numbers must be finite (no .inf or .nan)"))
        return None
    if isinstance(value, float) and value and not MIN_FRACTION <= abs(value) <= MAX_INT:
        problems.append(Problem(str(where), f"numbers must be 0 or between {MIN_FRACTION} and "
                                       f"{MAX_INT} in size (durable-rules cannot read others)"))
        return None
    if isinstance(value, str) and not _encodable(value):
        problems.append(Problem(str(where), "text holds a lone surrogate (not valid Unicode)"))
        return None
    return value


def _encodable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def load_yaml(text_or_bytes: bytes | str, filename: str) -> tuple[Located | None, list[Problem]]:
    """Parse one YAML document; return it with positions, or the problems that stopped it."""
    import yaml

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
        node = yaml.compose(text, Loader=_loader())
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
        mark = n.start_mark
        marks[path] = (mark.line + 1, mark.column + 1)
        where = _LazyWhere(filename, n)  # built into text only for a problem
        if isinstance(n, yaml.ScalarNode):
            tag = n.tag
            if tag in _KEEP_AS_TEXT:
                return n.value
            if tag == _STR:  # what the safe constructor gives for text, without its bookkeeping
                text = n.value
                if _encodable(text):
                    return text
                problems.append(Problem(str(where),
                                        "text holds a lone surrogate (not valid Unicode)"))
                return None
            if n.tag not in _SCALAR_TAGS:
                problems.append(Problem(str(where), f"tag {quote(n.tag)} is not allowed in rule "
                                               "files"))
                return None
            return _scalar(constructor, n, filename, problems)
        if isinstance(n, yaml.SequenceNode):
            if n.tag != "tag:yaml.org,2002:seq":
                problems.append(Problem(str(where), f"tag {quote(n.tag)} is not allowed in rule "
                                               "files"))
            return [convert(child, (*path, i), depth + 1) for i, child in enumerate(n.value)]
        if isinstance(n, yaml.MappingNode):
            if n.tag != "tag:yaml.org,2002:map":
                problems.append(Problem(str(where), f"tag {quote(n.tag)} is not allowed in rule "
                                               "files"))
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
                    problems.append(Problem(str(where), "YAML merge keys are not allowed"))
                    continue
                if key in out:
                    kw = _where(filename, key_node)
                    problems.append(Problem(kw, f"duplicate key {quote(key)}"))
                    continue
                out[key] = convert(value_node, (*path, key), depth + 1)
            return out
        problems.append(Problem(str(where), "unsupported YAML node"))
        return None

    try:
        data = convert(node, (), 0)
    except _Budget:
        return None, [Problem(f"{filename}:1:1",
                              f"document expands past {MAX_NODES} nodes or {MAX_DEPTH} levels "
                              "(YAML aliases are expanded; an alias bomb is refused)")]
    return Located(filename, data, marks), problems
