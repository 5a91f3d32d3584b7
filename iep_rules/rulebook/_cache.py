"""A disk cache of checked rule files: data only, read back like untrusted input.

Parsing the YAML of the bundled rules and structuring the example cases they hold are most of
a cold `load_rulebook()` (docs/performance.md, "check wall time"). This stores, per rule file
that passed every check (YAML, schema, meaning, and each example's case document), the
parsed data and the line and column of each place the model builder reads, never code: no
pickle, no marshal. An entry is named by the SHA-256 of the file's bytes, a fingerprint of the
library's code (so an edited file, another version or edited library code never finds a stale
entry) and a format number.

A hit is checked again like a file nobody has checked: it must be a regular file of this
user's that nobody else may write, carry the SHA-256 of its content (damage since it was
written is refused unread), be valid JSON, pass the checks the YAML loader applies (plain
types, number range, valid text, depth and node budgets), and then the schema check and the
whole model building, conditions and fact names included. Anything wrong (unreadable, not
JSON, wrong shape, another user's file, a folder others may write, a schema or model problem,
a position the entry does not hold) means the file is parsed afresh, so a damaged entry never
changes a result, an error message, or crashes.

One check is not repeated on a hit: structuring each example's case document (about a quarter
of a cold load). Its verdict is a property of the file's bytes under this code, and an entry
exists only if those bytes passed it. Nothing that uses a loaded rulebook reads an example's
case: `check`, `audit` and evaluation never look at examples, and `iep-rules test` and the
pytest plugin parse the rule files they run themselves, uncached, structuring every example.

Where: `$IEP_RULES_CACHE_DIR` if set, else `$XDG_CACHE_HOME/iep-rules`, else
`~/.cache/iep-rules`. `IEP_RULES_NO_CACHE=1` turns it off (nothing read, nothing written).
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import json
import math
import os
import stat
import sys
from pathlib import Path
from typing import Any

from .._errors import Problem
from ..lang._model import Layer
from ..lang._rulefile import layer_from
from ..lang._yaml import (
    MAX_DEPTH,
    MAX_INT,
    MAX_NODES,
    MAX_YAML_BYTES,
    MIN_FRACTION,
    Located,
    Path_,
)
from ..lang._yaml import _encodable as encodable  # the loader's own test of valid text
from ..lang._yaml import load_yaml as parse_yaml

FORMAT = 2  # bumped whenever what an entry holds changes (2: only checked files, read marks)
_MAX_ENTRY_BYTES = 16 * MAX_YAML_BYTES  # positions take more room than the YAML text
_PACKAGE = Path(__file__).resolve().parent.parent


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


@functools.cache
def code_fingerprint() -> str:
    """16 hex digits that change whenever the code that decides an entry does: the name, size
    and modification time of every module and schema of the package, and of the installed
    PyYAML (which parsed the entry) and cattrs (which structured its example cases). A stat of
    each file (about a millisecond) rather than package metadata, which costs tens of
    milliseconds to import and stays the same while a checkout is edited."""
    digest = hashlib.sha256()
    found = 0
    for folder, subfolders, files in os.walk(_PACKAGE):
        subfolders[:] = sorted(d for d in subfolders if d != "__pycache__")
        for name in sorted(f for f in files if f.endswith((".py", ".json"))):
            info = os.stat(os.path.join(folder, name))
            relative = os.path.relpath(os.path.join(folder, name), _PACKAGE)
            digest.update(f"{relative}:{info.st_size}:{info.st_mtime_ns}\n".encode())
            found += 1
    if not found:  # pragma: no cover - a package not installed as files (a zip)
        from .._version import package_version

        digest.update(package_version().encode())
    for dependency in ("yaml", "cattrs"):
        digest.update(f"{dependency}:{_installed(dependency)}\n".encode())
    return digest.hexdigest()[:16]


def _installed(package: str) -> str:
    """Where and when a top-level package was installed, found as the import system would
    (the first `sys.path` entry holding it) without importing it."""
    for entry in sys.path:
        init = os.path.join(entry or os.curdir, package, "__init__.py")
        try:
            info = os.stat(init)
        except OSError:
            continue
        return f"{os.path.abspath(init)}:{info.st_size}:{info.st_mtime_ns}"
    return "not found"


def parse_layer(raw: bytes, filename: str) -> tuple[Layer | None, list[Problem]]:
    """`lang._rulefile.parse_layer`, from the cache when an entry for these bytes is there and
    sound; a file that passes every check is stored for next time. Files with problems are
    never stored: a broken file is parsed again, and reported the same way."""
    folder = cache_dir()
    if folder is None:
        return _parse_and_check(raw, filename)[:2]
    key = f"{hashlib.sha256(raw).hexdigest()}-{code_fingerprint()}-{FORMAT}"
    entry = folder / f"{key}.json"
    hit = _read(entry, key, filename)
    if hit is not None:
        try:
            layer, problems = layer_from(hit, check_example_cases=False)
            if layer is not None and not problems:
                return layer, []
        except Exception:  # an entry the model builder cannot use: parse the file afresh
            pass
    layer, problems, read = _parse_and_check(raw, filename)
    if layer is not None and not problems and read is not None:
        _write(folder, entry, key, read)
    return layer, problems


class _Recording(Located):
    """A parsed file that notes each position the model builder reads, to store them."""

    def __init__(self, doc: Located) -> None:
        super().__init__(doc.filename, doc.data, doc.marks)
        self.read: dict[Path_, tuple[int, int]] = {}

    def position(self, path: Path_) -> tuple[int, int]:
        found = super().position(path)
        self.read[tuple(path)] = found
        return found


class _MissingMark(Exception):
    """A cached entry lacks a position the builder asks for: not an entry of this code."""


class _Replayed(Located):
    """A cached file: it answers exactly the positions that were read when it was stored."""

    def position(self, path: Path_) -> tuple[int, int]:
        found = self.marks.get(tuple(path))
        if found is None:
            raise _MissingMark
        return found


def _parse_and_check(raw: bytes, filename: str
                     ) -> tuple[Layer | None, list[Problem], _Recording | None]:
    doc, problems = parse_yaml(raw, filename)
    if doc is None or problems:
        return None, problems, None
    recording = _Recording(doc)
    layer, problems = layer_from(recording)
    return layer, problems, recording


def _read(entry: Path, key: str, filename: str) -> Located | None:
    try:
        with open(entry, "rb") as handle:
            info = os.fstat(handle.fileno())
            if not _trusted(info) or info.st_size > _MAX_ENTRY_BYTES:
                return None
            raw = handle.read(_MAX_ENTRY_BYTES + 1)
        payload = _signed_payload(raw, key)
        if payload is None:
            return None
        doc = json.loads(payload, parse_constant=_refuse)
        if not isinstance(doc, dict):
            return None
        data, marks = doc.get("data"), _marks(doc.get("marks"))
        if marks is None or not _plain(data):
            return None
        return _Replayed(filename, data, marks)
    except Exception:
        return None


def entry_text(key: str, payload: dict[str, Any]) -> str:
    """An entry: one JSON object whose `payload` text is preceded by its key and the SHA-256
    of that text, so that any change to a stored entry (a truncated write, a flipped byte, an
    edit) is noticed before its content is read."""
    text = json.dumps(payload, ensure_ascii=True, allow_nan=False, separators=(",", ":"))
    digest = hashlib.sha256(text.encode("ascii")).hexdigest()
    return f'{{"key":{json.dumps(key)},"digest":"{digest}","payload":{text}}}'


def _signed_payload(raw: bytes, key: str) -> bytes | None:
    """The payload bytes of an entry written by `entry_text` for `key`, if its digest holds."""
    head = f'{{"key":{json.dumps(key)},"digest":"'.encode("ascii")
    middle = b'","payload":'
    start = len(head) + 64 + len(middle)
    if not (raw.startswith(head) and raw[len(head) + 64:start] == middle
            and raw.endswith(b"}")):
        return None
    payload = raw[start:-1]
    digest = raw[len(head):len(head) + 64].decode("ascii", "replace")
    return payload if hashlib.sha256(payload).hexdigest() == digest else None


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
    mappings with text keys; at most MAX_DEPTH levels and MAX_NODES values. Walked a level at
    a time, without recursion, so a hostile entry cannot exhaust the stack; text and numbers
    are gathered and checked together (one encoding of all the text finds any lone
    surrogate)."""
    texts: list[str] = []
    numbers: list[int | float] = []
    level: list[Any] = [data]
    depth = count = 0
    while level:
        count += len(level)
        if count > MAX_NODES or depth > MAX_DEPTH:
            return False
        below: list[Any] = []
        for value in level:
            kind = type(value)  # exact types: a JSON decoder makes no subclasses
            if kind is str:
                texts.append(value)
            elif kind is dict:
                keys = list(value)
                if not all(type(key) is str for key in keys):
                    return False
                texts += keys
                below += value.values()
            elif kind is list:
                below += value
            elif kind is int or kind is float:
                numbers.append(value)
            elif value is not None and kind is not bool:
                return False
        level, depth = below, depth + 1
    for number in numbers:
        if abs(number) > MAX_INT or (type(number) is float and number and not (
                math.isfinite(number) and abs(number) >= MIN_FRACTION)):
            return False
    return encodable("".join(texts))


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


def _write(folder: Path, entry: Path, key: str, doc: _Recording) -> None:
    """Store an entry atomically (a reader never sees half a file); a cache that cannot be
    written (read-only home, full disk) is simply not used."""
    marks = [[list(path), line, col] for path, (line, col) in doc.read.items()]
    text = entry_text(key, {"data": doc.data, "marks": marks})
    import tempfile  # only when writing: a warm start never needs it

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
