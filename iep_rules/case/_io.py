"""JSON <-> case records, with one error that lists every problem by JSON path.

cattrs does the structuring (and collects every field error with its path); this module adds
ISO dates, rejects unknown keys (a misspelt field must not silently vanish), and turns the
collected errors into `CaseError` problems such as `$.ieps[0].services[2].frequency`.

Before structuring, every value is checked against limits any consumer can rely on (see
`check_values`): no duplicate keys, no lone surrogates, integers within +/-(2**53 - 1), no
NaN or infinities, dates from 1900 to 9999. Files are size-checked before they are read.

A plain document reads faster (`_plain_case`: session logs built directly, `case_from_json`:
the C decoder's defaults), giving the same case; whatever the fast path cannot vouch for
goes the checked way above, so every error is reported exactly as that way reports it.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import operator
import os
import stat
from collections.abc import Mapping
from enum import Enum
from pathlib import Path
from types import MemberDescriptorType
from typing import Any, cast

import attrs
import cattrs
from cattrs.errors import ClassValidationError, ForbiddenExtraKeysError, IterableValidationError

from .._errors import ArgumentTypeError, CaseError, Problem, quote
from . import _records as records
from ._records import Case, FieldError

_ENUMS = [
    obj for obj in vars(records).values()
    if isinstance(obj, type) and issubclass(obj, Enum) and obj.__module__ == records.__name__
]

MAX_CASE_BYTES = 16 * 1024 * 1024
MAX_INT = 2**53 - 1  # integers every JSON consumer (and durable-rules' C core) holds exactly
MAX_INT_DIGITS = 20  # longer digit strings are refused before Python converts them
MIN_YEAR, MAX_YEAR = 1900, 9999
MAX_PROBLEMS = 50  # reported per document; the count of the rest is given


def _structure_date(value: object, _: type) -> dt.date:
    day: dt.date | None = None
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        day = value
    elif not isinstance(value, str):
        raise ValueError(f"expected a date as YYYY-MM-DD, got {type(value).__name__}")
    else:
        try:
            day = dt.date.fromisoformat(value) if len(value) == 10 else None
        except ValueError:
            day = None
    if day is None:
        raise ValueError(f"expected a date as YYYY-MM-DD, got {quote(value)}")
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise ValueError(f"year {day.year} is outside {MIN_YEAR}-{MAX_YEAR}")
    return day


def _json_kind(value: object) -> str:
    """A value's kind in JSON's words, for messages."""
    if isinstance(value, Mapping):
        return "object"
    if isinstance(value, list | tuple):
        return "list"
    if value is None:
        return "null"
    return {bool: "bool", int: "int", float: "number", str: "str"}.get(type(value), "value")


def _strict(kind: type) -> Any:
    def structure(value: object, _: type) -> object:
        if type(value) is not kind:
            raise ValueError(f"expected {kind.__name__}, got {_json_kind(value)}")
        return value

    return structure


def _make_converter() -> cattrs.Converter:
    conv = cattrs.Converter(forbid_extra_keys=True, detailed_validation=True)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    for kind in (str, int, bool):
        conv.register_structure_hook(kind, _strict(kind))
    # StrEnum subclasses str: without this, the str hook above would accept any string.
    for enum_type in _ENUMS:
        conv.register_structure_hook(enum_type, _structure_enum)
    return conv


def _structure_enum(value: object, kind: type[Enum]) -> Enum:
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(str(m.value) for m in kind)
        raise ValueError(f"expected one of {allowed}; got {quote(value)}") from None


CONVERTER = _make_converter()

_LOG_FIELDS = frozenset(f.name for f in attrs.fields(records.SessionLog))
_LOG_CHECKED = CONVERTER.gen_structure_attrs_fromdict(records.SessionLog)


_MAX_MINUTES = records.MAX_SESSION_MINUTES
_LOG_NAMES = tuple(f.name for f in attrs.fields(records.SessionLog))
# The record's fields, and which have a validator or converter, as `_plain_logs` was written
# for: if SessionLog changes, the fast path stops bypassing its __init__ (and a test fails).
_PLAIN_LOG = [(f.name, f.validator is not None, f.converter is not None)
              for f in attrs.fields(records.SessionLog)] == [
    ("date", True, False), ("service", True, False), ("status", False, False),
    ("minutes", True, False), ("reason", False, True), ("makeup_for", True, False),
    ("group_size", True, False)] and not hasattr(records.SessionLog, "__attrs_post_init__") and all(
    type(vars(records.SessionLog).get(name)) is MemberDescriptorType for name in _LOG_NAMES)
# The slots' own setters: a frozen attrs class sets its slots through them in __init__ too.
_LOG_SETTERS = tuple(vars(records.SessionLog)[name].__set__ for name in _LOG_NAMES) \
    if _PLAIN_LOG else ()
_new, _set = object.__new__, object.__setattr__
_SERVICE = operator.itemgetter("service")
# Enum values by text (a miss falls back to the checked path, which reports it)
_STATUS = {member.value: member for member in records.SessionStatus}
_REASON = {member.value: member for member in records.MissReason}


def _iso_day(text: str) -> dt.date | None:
    """`_structure_date` for text, None where it would refuse (the checked path then reports)."""
    if len(text) != 10:
        return None
    try:
        day = dt.date.fromisoformat(text)
    except ValueError:
        return None
    return day if MIN_YEAR <= day.year <= MAX_YEAR else None


def _new_day(days: dict[str, dt.date], text: str) -> dt.date | None:
    """`_iso_day`, remembered in `days` (a year of logs names each school day a few times)."""
    day = _iso_day(text)
    if day is not None:
        days[text] = day
    return day


def _plain_logs(items: list[Any]) -> tuple[records.SessionLog, ...] | None:
    """Session logs are most of a case (hundreds a year): build the plain, well-typed ones
    directly, or give None when any log is not one (the checked path then structures them
    all, so a bad log gets exactly the error and JSON path it always did).

    Checks what the record's validators check, and what `check_values` checks of a log's
    values (no duplicate keys, no lone surrogates, integers within +/-MAX_INT), so a
    document whose logs all pass needs no value walk over them. Then sets the slots without
    running the validators again: they were most of the cost of reading a case."""
    if not _PLAIN_LOG:
        return None
    fields = _LOG_FIELDS
    days: dict[str, dt.date] = {}
    out: list[records.SessionLog] = []
    statuses, reasons, add = _STATUS, _REASON, out.append
    set_date, set_service, set_status, set_minutes, set_reason, set_makeup, set_group = (
        _LOG_SETTERS)
    new, log_type = _new, records.SessionLog
    for value in items:
        # exact dict: a decoded object with a repeated key is a _Pairs, refused here
        if type(value) is not dict or not fields.issuperset(value):
            return None
        get = value.get
        text, service, status = get("date"), get("service"), get("status")
        minutes, reason, makeup_text = get("minutes"), get("reason"), get("makeup_for")
        group = get("group_size")
        if not (type(text) is str and type(service) is str and type(status) is str
                and (minutes is None or (type(minutes) is int and 0 <= minutes <= _MAX_MINUTES))
                and (group is None or (type(group) is int and 1 <= group <= MAX_INT))
                and (service.isascii() or not _bad_text(service)) and service.strip()):
            return None
        state = statuses.get(status)
        why = reasons.get(reason) if type(reason) is str else None
        day = days.get(text) or _new_day(days, text)  # refuses lone surrogates too
        makeup_for = (days.get(makeup_text) or _new_day(days, makeup_text)
                      if type(makeup_text) is str else None)
        if (state is None or day is None or (why is None and reason is not None)
                or (makeup_for is None and makeup_text is not None)):
            return None
        log = new(log_type)
        set_date(log, day)
        set_service(log, service)
        set_status(log, state)
        set_minutes(log, minutes)
        set_reason(log, why)
        set_makeup(log, makeup_for)
        set_group(log, group)
        add(log)
    return tuple(out)


def _structure_log(value: object, kind: type) -> records.SessionLog:
    """cattrs' hook for one log: the plain path when it applies, else cattrs' generated
    structurer, which reports exactly what is wrong."""
    plain = _plain_logs([value])
    if plain:
        return plain[0]
    result: records.SessionLog = _LOG_CHECKED(value, kind)  # type: ignore[arg-type]
    return result


CONVERTER.register_structure_hook(records.SessionLog, _structure_log)


def _problems(exc: BaseException, path: str) -> list[Problem]:
    """Flatten cattrs' nested exception groups into located problems."""
    if isinstance(exc, ForbiddenExtraKeysError):
        return [Problem(f"{path}.{key}", "unknown field") for key in sorted(exc.extra_fields)]
    if isinstance(exc, ClassValidationError | IterableValidationError):
        out: list[Problem] = []
        if isinstance(exc, ClassValidationError):
            pairs = exc.group_exceptions()
            for inner, note in pairs[0]:
                out += _problems(inner, f"{path}.{note.name}")
        else:
            pairs_i = exc.group_exceptions()
            for inner, inote in pairs_i[0]:
                out += _problems(inner, f"{path}[{inote.index}]")
        for inner in pairs[1] if isinstance(exc, ClassValidationError) else pairs_i[1]:
            out += _problems(inner, path)
        return out
    if isinstance(exc, KeyError):
        return [Problem(path, "required field missing")]
    if isinstance(exc, FieldError):
        return [Problem(f"{path}.{exc.field}", str(exc))]
    message = str(exc) or type(exc).__name__
    if isinstance(exc, ValueError) and "is not a valid" in message:
        message = f"unexpected value: {message}"
    elif isinstance(exc, AttributeError | TypeError) and not isinstance(exc, ValueError):
        # cattrs met a value of the wrong shape (text where an object or a list belongs)
        message = "wrong kind of value: expected " + (
            "an object" if "keys" in message or "mapping" in message else "a list or object")
    return [Problem(path, message)]


def case_from_mapping(data: object, *, source: str = "<case>") -> Case:
    """Structure decoded JSON into a `Case`, or raise `CaseError` listing every problem."""
    if not isinstance(data, Mapping):
        raise CaseError(source, [Problem("$", f"expected an object, got {type(data).__name__}")])
    if type(data) is dict:
        read = _plain_case(data)
        if read is not None:
            return read[0]
    problems = check_values(data)
    if problems:
        raise CaseError(source, problems)
    try:
        return CONVERTER.structure(dict(data), Case)
    except (ClassValidationError, IterableValidationError, ForbiddenExtraKeysError) as exc:
        raise CaseError(source, _capped(_problems(exc, "$"))) from None
    except FieldError as exc:
        raise CaseError(source, [Problem(f"$.{exc.field}", str(exc))]) from None
    except (ValueError, TypeError) as exc:
        # A cross-field validator (e.g. end before start) fails after the fields structure.
        raise CaseError(source, [Problem("$", str(exc))]) from None


# Case.sessions as `_plain_case` was written for: a list converted to a tuple, validated by
# nothing, read by no other field's validator, no __attrs_post_init__ (a test checks this).
_PLAIN_CASE = (
    [f.name for f in attrs.fields(Case) if f.validator is not None] == ["id", "jurisdiction"]
    and cast(object, attrs.fields(Case).sessions.converter) is records._tuple
    and not hasattr(Case, "__attrs_post_init__"))


def _plain_case(data: dict[str, Any]) -> tuple[Case, int] | None:
    """The case and the size of `data` (see `_clean_size`), when nothing in `data` needs
    reporting; else None, and the checked path (value check, then cattrs) runs and reports
    exactly as it always did.

    Session logs are built by `_plain_logs`, which also checks their values, so the value
    walk covers the rest of the document only and cattrs never sees the logs."""
    logs = None
    rest = data
    size = 0
    sessions = data.get("sessions")
    if type(sessions) is list and _PLAIN_CASE:
        logs = _plain_logs(sessions)
        if logs is None:
            return None
        rest = data.copy()
        del rest["sessions"]
        # the key, each log's members, and the colons of its text: only `service` is free
        # text (dates, statuses and reasons were matched against colon-free forms)
        size = 1 + sum(map(len, sessions)) + "".join(map(_SERVICE, sessions)).count(":")
    rest_size = _clean_size(rest)
    if rest_size is None:
        return None
    try:
        case: Case = CONVERTER.structure(rest, Case)
    except Exception:  # the checked path repeats this and reports it
        return None
    if logs is not None:
        _set(case, "sessions", logs)  # what Case's converter (`_tuple`) would store
    return case, size + rest_size


def case_from_json(raw: bytes | str, source: str) -> Case:
    """`case_from_mapping(parse_json(raw, source), source=source)` in one step, decoding with
    the C scanner's defaults (a Python call per object and per number was most of parsing).

    The defaults hide what `parse_json` reports, so the result is used only when nothing can
    be hidden: the case reads clean (no NaN or infinity, every integer within +/-MAX_INT, so
    none had the 21 digits `parse_json` refuses unread) and no key was given twice. A repeated
    key keeps one member of two, so the decoded values then account for fewer colons than the
    text holds: each member has one outside text, and text keeps its own (no `\\u003a`
    escape makes one). Anything else goes the checked way, with its errors."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
        data = json.loads(text) if type(text) is str and "\\u003" not in text else None
    except Exception:  # bad bytes, bad syntax, too deep: the checked way reports it
        data = None
    read = _plain_case(data) if type(data) is dict else None
    if read is not None and read[1] == text.count(":"):
        return read[0]
    return case_from_mapping(parse_json(raw, source), source=source)


def _capped(problems: list[Problem]) -> list[Problem]:
    if len(problems) <= MAX_PROBLEMS:
        return problems
    rest = len(problems) - MAX_PROBLEMS
    return [*problems[:MAX_PROBLEMS], Problem("$", f"... and {rest} more problem(s)")]


def read_limited(path: Path, limit: int) -> bytes:
    """The bytes of a regular file no larger than `limit`, checked before reading: a device,
    a pipe or a huge file is refused without reading it. Raises OSError or ValueError."""
    if not stat.S_ISREG(path.stat().st_mode):  # opening a FIFO would block; a device, stream
        raise ValueError("not a regular file")
    with path.open("rb") as fh:
        info = os.fstat(fh.fileno())
        if not stat.S_ISREG(info.st_mode):
            raise ValueError("not a regular file")
        if info.st_size > limit:
            raise ValueError(f"file larger than {limit} bytes")
        raw = fh.read(limit + 1)  # the file may have grown since fstat
    if len(raw) > limit:
        raise ValueError(f"file larger than {limit} bytes")
    return raw


def load_case(source: str | Path | Mapping[str, Any]) -> Case:
    """Load a case from a JSON file path or an already decoded mapping."""
    if isinstance(source, Mapping):
        return case_from_mapping(source)
    if not isinstance(source, str | Path):
        raise ArgumentTypeError(f"load_case(): expected a file path (str or Path) or a decoded "
                                f"mapping, got {type(source).__name__} {source!r:.60}")
    path = Path(source)
    try:
        raw = read_limited(path, MAX_CASE_BYTES)
    except OSError as exc:
        raise CaseError(str(path), [Problem("$", f"cannot read file: {exc.strerror}")]) from None
    except ValueError as exc:
        raise CaseError(str(path), [Problem("$", str(exc))]) from None
    return case_from_json(raw, str(path))


class _Refused:
    """Stands where the JSON decoder met a value it must not convert; reported by path."""

    def __init__(self, message: str) -> None:
        self.message = message


class _Pairs(dict[str, Any]):
    """A decoded object that remembers keys given more than once (1-based member numbers);
    objects without repeated keys are plain dicts."""

    duplicates: list[tuple[str, int, int]]


def _object(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    plain = dict(pairs)
    if len(plain) == len(pairs):
        return plain  # no key given twice: the common case, built in C
    out = _Pairs()
    first: dict[str, int] = {}
    out.duplicates = []
    for number, (key, value) in enumerate(pairs, start=1):
        if key in first:
            out.duplicates.append((key, first[key], number))
            continue  # the first one stays; the document is refused anyway
        first[key] = number
        out[key] = value
    return out


def _int(text: str) -> object:
    if len(text) <= MAX_INT_DIGITS:
        return int(text)
    if len(text.lstrip("-")) > MAX_INT_DIGITS:
        return _Refused(f"integer of {len(text.lstrip('-'))} digits is out of range "
                        f"(at most +/-{MAX_INT})")
    return int(text)


def _float(text: str) -> object:
    value = float(text)
    return value if math.isfinite(value) else _Refused(f"number {quote(text)} is out of range")


def _constant(text: str) -> object:
    return _Refused(f"{text} is not a JSON number")


# Every ASCII digit byte to "0", every other byte to " " (UTF-8 never uses digit bytes inside
# a longer character): a run of MAX_INT_DIGITS + 1 zeros then shows an integer `_int` must see
# (or digits inside text, which only costs the slower decode).
_DIGITS_AS_ZEROS = bytes(0x30 if 0x30 <= byte <= 0x39 else 0x20 for byte in range(256))
_TOO_MANY_DIGITS = b"0" * (MAX_INT_DIGITS + 1)


def parse_json(raw: bytes | str, source: str) -> object:
    """Decode JSON, reporting bad bytes or syntax with line and column. Values the decoder
    must not convert (huge integers, NaN) come back as markers that `check_values` reports
    by JSON path, together with duplicate keys."""
    try:
        text = raw.decode("utf-8") if isinstance(raw, bytes) else raw
    except UnicodeDecodeError as exc:
        raise CaseError(source, [Problem(f"byte {exc.start}", "not valid UTF-8")]) from None
    # integers the decoder may convert itself (a Python call per number was a seventh of
    # decoding): all but those of more than MAX_INT_DIGITS digits, which `_int` refuses unread
    some_long = type(text) is not str or _TOO_MANY_DIGITS in (
        raw if isinstance(raw, bytes) else text.encode("utf-8", "surrogatepass")).translate(
        _DIGITS_AS_ZEROS)
    try:
        return json.loads(text, object_pairs_hook=_object, parse_int=_int if some_long else None,
                          parse_float=_float, parse_constant=_constant)
    except json.JSONDecodeError as exc:
        raise CaseError(source, [Problem(f"line {exc.lineno} col {exc.colno}", exc.msg)]) from None
    except RecursionError:
        raise CaseError(source, [Problem("$", "document nested too deeply")]) from None


def _member(path: str, key: str) -> str:
    return f"{path}.{key}" if key.isidentifier() and key.isascii() else f"{path}[{quote(key)}]"


def _bad_text(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return True
    return False


def _all_clean(data: object) -> bool:
    """True when `check_values` has nothing to report (see `_clean_size`)."""
    return _clean_size(data) is not None


def _clean_size(data: object) -> int | None:
    """None when `check_values` may have something to report, else the number of object
    members plus the colons inside text (keys and values): a JSON text holding exactly these
    values has that many colons, and more when a repeated key hid a member (see
    `case_from_json`). Walks without building paths (most documents are clean, and a path per
    value cost more than the check). Lone surrogates are found by encoding all text once:
    UTF-8 refuses every surrogate code point, so the joined text fails exactly when one of its
    pieces would."""
    texts: list[str] = []
    members = 0
    stack: list[object] = [data]
    pop, push, add = stack.pop, stack.extend, texts.append
    while stack:
        value = pop()
        kind = type(value)
        if kind is str:
            add(value)  # type: ignore[arg-type]
        elif kind is int:
            if not -MAX_INT <= value <= MAX_INT:  # type: ignore[operator]
                return None
        elif kind is bool or value is None:
            continue
        elif kind is _Pairs or kind is dict:
            if getattr(value, "duplicates", None):
                return None
            for key in value:  # type: ignore[attr-defined]
                if type(key) is str:
                    add(key)
                elif isinstance(key, str):
                    return None  # a str subclass as a key: let the full check judge it
            members += len(value)  # type: ignore[arg-type]
            push(value.values())  # type: ignore[attr-defined]
        elif kind is list or kind is tuple:
            push(value)  # type: ignore[arg-type]
        elif kind is float:
            if not math.isfinite(value):  # type: ignore[arg-type]
                return None
        else:
            return None  # anything else (a marker, a subclass): the full check decides
    text = "".join(texts)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return None
    return members + text.count(":")


def check_values(data: object) -> list[Problem]:
    """Every value a case may not hold, by JSON path: duplicate keys (both members named),
    lone surrogates, integers beyond +/-(2**53 - 1), NaN and infinities. Iterative, so a deep
    document costs no recursion."""
    return [] if _all_clean(data) else located_problems(data)


def located_problems(data: object) -> list[Problem]:
    """The walk behind `check_values`, building each value's JSON path."""
    problems: list[Problem] = []
    stack: list[tuple[str, object]] = [("$", data)]
    while stack:
        path, value = stack.pop()
        if isinstance(value, _Refused):
            problems.append(Problem(path, value.message))
        elif isinstance(value, str):
            if _bad_text(value):
                problems.append(Problem(path, "text holds a lone surrogate (not valid Unicode)"))
        elif isinstance(value, bool) or value is None:
            continue
        elif isinstance(value, int):
            if abs(value) > MAX_INT:
                problems.append(Problem(path, f"integer out of range (at most +/-{MAX_INT})"))
        elif isinstance(value, float):
            if not math.isfinite(value):
                problems.append(Problem(path, "number out of range (NaN or infinite)"))
        elif isinstance(value, Mapping):
            for key, first, again in getattr(value, "duplicates", ()):
                problems.append(Problem(_member(path, key), f"duplicate key {quote(key)}: "
                                        f"members {first} and {again} of {path}"))
            for key, inner in reversed(list(value.items())):
                if isinstance(key, str) and _bad_text(key):
                    problems.append(Problem(path, "a key holds a lone surrogate"))
                    continue
                stack.append((_member(path, str(key)), inner))
        elif isinstance(value, list | tuple):
            stack.extend((f"{path}[{i}]", inner) for i, inner in reversed(list(enumerate(value))))
        if len(problems) > MAX_PROBLEMS:
            return [*problems[:MAX_PROBLEMS], Problem("$", "... and more problems not listed")]
    return problems


def case_to_mapping(case: Case) -> dict[str, Any]:
    """Unstructure a case to JSON-ready data (round-trips through `case_from_mapping`)."""
    data: dict[str, Any] = CONVERTER.unstructure(case)
    # An unrecorded list stays absent (unknown), as distinct from [] (none): docs/timeline.md.
    return {key: value for key, value in data.items() if value is not None}
