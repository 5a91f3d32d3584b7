"""A disk cache of parsed rule files: data only, read back like untrusted input.

Parsing the YAML of the bundled rules is the largest part of a cold `load_rulebook()`
(docs/performance.md, "check wall time"). This stores, per rule file, what the YAML parser
produced (plain JSON data and the line and column of each node), never code: no pickle, no
marshal. An entry is named by the SHA-256 of the file's bytes plus the library version, so an
edited file or another version never finds a stale entry. What is read back goes through the
same schema checks and model building as a freshly parsed file; before that it must pass the
checks the YAML loader applies (plain types, number range, valid text, depth and node
budgets), and any problem at all (unreadable, not JSON, wrong shape, another user's file, a
folder others may write) means the entry is ignored and the file is parsed normally.

Where: `$IEP_RULES_CACHE_DIR` if set, else `$XDG_CACHE_HOME/iep-rules`, else
`~/.cache/iep-rules`. `IEP_RULES_NO_CACHE=1` turns it off (nothing read, nothing written).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import stat
import tempfile
from pathlib import Path
from typing import Any

from .._errors import Problem
from .._version import package_version
from ..lang._yaml import (
    MAX_DEPTH,
    MAX_INT,
    MAX_NODES,
    MAX_YAML_BYTES,
    MIN_FRACTION,
    Located,
)
from ..lang._yaml import _encodable as encodable  # the loader's own test of valid text
from ..lang._yaml import load_yaml as parse_yaml

FORMAT = 1  # bumped whenever what an entry holds changes
_MAX_ENTRY_BYTES = 16 * MAX_YAML_BYTES  # positions take more room than the YAML text


def cache_dir() -> Path | None:
    """The cache folder, or None when caching is turned off."""
    if os.environ.get("IEP_RULES_NO_CACHE", "") not in ("", "0"):
        return None
    chosen = os.environ.get("IEP_RULES_CACHE_DIR")
    if chosen:
        return Path(chosen)
    xdg = os.environ.get("XDG_CACHE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "iep-rules"


def load_yaml(raw: bytes | str, filename: str) -> tuple[Located | None, list[Problem]]:
    """`lang._yaml.load_yaml`, from the cache when an entry for these bytes is there and sound;
    a successful parse is stored for next time. Problems are never cached: a broken file is
    parsed again, and reported the same way."""
    folder = cache_dir()
    if folder is None:
        return parse_yaml(raw, filename)
    data = raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw
    key = f"{hashlib.sha256(data).hexdigest()}-{package_version()}-{FORMAT}"
    entry = folder / f"{key}.json"
    found = _read(entry, key, filename)
    if found is not None:
        return found, []
    doc, problems = parse_yaml(raw, filename)
    if doc is not None and not problems:
        _write(folder, entry, key, doc)
    return doc, problems


def _read(entry: Path, key: str, filename: str) -> Located | None:
    try:
        with open(entry, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not _trusted(info) or info.st_size > _MAX_ENTRY_BYTES:
                return None
            doc = json.loads(handle.read(_MAX_ENTRY_BYTES + 1), parse_constant=_refuse)
        if not isinstance(doc, dict) or doc.get("key") != key:
            return None
        data, marks = doc.get("data"), _marks(doc.get("marks"))
        if marks is None or not _plain(data):
            return None
        return Located(filename, data, marks)
    except Exception:
        return None


def _trusted(info: os.stat_result) -> bool:
    """Only a regular file of this user's that nobody else may write (an entry others can
    change would change the rules in force)."""
    if not stat.S_ISREG(info.st_mode) or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        return False
    getuid = getattr(os, "getuid", None)
    return getuid is None or info.st_uid == getuid()


def _refuse(name: str) -> Any:
    raise ValueError(f"{name} is not a number a rule file can hold")


def _plain(data: Any) -> bool:
    """What `lang._yaml` can produce: null, booleans, numbers in range, valid text, lists, and
    mappings with text keys; at most MAX_DEPTH levels and MAX_NODES values. Walked without
    recursion so a hostile entry cannot exhaust the stack."""
    stack: list[tuple[Any, int]] = [(data, 0)]
    count = 0
    while stack:
        value, depth = stack.pop()
        count += 1
        if count > MAX_NODES or depth > MAX_DEPTH:
            return False
        if value is None or isinstance(value, bool):
            continue
        if isinstance(value, int):
            if abs(value) > MAX_INT:
                return False
        elif isinstance(value, float):
            if not math.isfinite(value) or (value and not MIN_FRACTION <= abs(value) <= MAX_INT):
                return False
        elif isinstance(value, str):
            if not encodable(value):
                return False
        elif isinstance(value, list):
            stack += [(item, depth + 1) for item in value]
        elif isinstance(value, dict):
            for k, item in value.items():
                if not isinstance(k, str) or not encodable(k):
                    return False
                stack.append((item, depth + 1))
        else:
            return False
    return True


def _marks(raw: Any) -> dict[tuple[str | int, ...], tuple[int, int]] | None:
    if not isinstance(raw, list) or len(raw) > MAX_NODES:
        return None
    marks: dict[tuple[str | int, ...], tuple[int, int]] = {}
    for item in raw:
        if not (isinstance(item, list) and len(item) == 3 and isinstance(item[0], list)
                and len(item[0]) <= MAX_DEPTH):
            return None
        path, line, col = item
        if not all(isinstance(p, str) or (isinstance(p, int) and not isinstance(p, bool)
                                          and p >= 0) for p in path):
            return None
        if not all(isinstance(n, int) and not isinstance(n, bool) and 0 < n <= MAX_INT
                   for n in (line, col)):
            return None
        marks[tuple(path)] = (line, col)
    return marks


def _write(folder: Path, entry: Path, key: str, doc: Located) -> None:
    """Store an entry atomically (a reader never sees half a file); a cache that cannot be
    written (read-only home, full disk) is simply not used."""
    text = json.dumps({"key": key, "data": doc.data,
                       "marks": [[list(path), line, col]
                                 for path, (line, col) in doc.marks.items()]},
                      ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    with contextlib.suppress(OSError, ValueError):
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=folder, prefix=".tmp-", suffix=".json")
        try:
            with os.fdopen(fd, "w", encoding="ascii") as handle:
                handle.write(text)
            os.replace(tmp, entry)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise
