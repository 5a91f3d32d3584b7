"""Errors that carry every problem found, each with its location.

Loading never stops at the first problem: a user fixing a case or rule file wants the whole list
at once, each entry naming where (a JSON path or file:line:col) and what was expected.
"""

from __future__ import annotations

import attrs

MAX_QUOTE = 40  # characters of a bad value quoted back in a message
MAX_MESSAGE = 300  # characters of a problem's location or message, whatever produced it


def quote(value: object, limit: int = MAX_QUOTE) -> str:
    """A bad value as a short printable quote: a hostile input must not flood the terminal or
    the log, nor carry control sequences, nor fail to encode (lone surrogates)."""
    text = value if isinstance(value, str) else repr(value)
    if len(text) > limit:
        text = text[:limit] + "..."
    return ascii(text) if isinstance(value, str) else ascii(text)[1:-1]


def _cap(text: str) -> str:
    """Cap a location or message, escaping what a terminal or encoder would choke on."""
    if len(text) > MAX_MESSAGE:
        text = text[:MAX_MESSAGE] + "..."
    if text.isprintable() and text.isascii():
        return text
    return "".join(ch if ch.isprintable() and not 0xD800 <= ord(ch) <= 0xDFFF
                   else ascii(ch)[1:-1] for ch in text)


@attrs.frozen
class Problem:
    """One thing wrong with an input, and where it is (both capped: see `_cap`)."""

    location: str = attrs.field(converter=_cap)
    message: str = attrs.field(converter=_cap)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class IEPRulesError(Exception):
    """Root of every error this library raises on purpose.

    `exit_code` is what the command line exits with when this error reaches it (2: bad input
    or a bad option); the CLI maps errors to exit codes in one place by reading it.
    """

    exit_code = 2

    def format_message(self) -> str:
        return str(self)


class ArgumentTypeError(IEPRulesError, TypeError):
    """A library function was called with an argument of the wrong type (a programming error,
    e.g. `as_of="2025-01-01"` instead of a `datetime.date`)."""


class JurisdictionError(IEPRulesError, ValueError):
    """A jurisdiction code names no rule layer and no US state: applying no rules would be a
    silent pass, so it is refused with the codes that are known."""


class InputNotFoundError(IEPRulesError, FileNotFoundError):
    """An input file or folder that does not exist."""


class RuleNotFoundError(IEPRulesError, LookupError):
    """No rule of that id is in force for the jurisdiction asked about."""


class BackendError(IEPRulesError, ValueError):
    """An unknown evaluation backend, or one whose optional dependency is not installed."""


class _ProblemsError(IEPRulesError, ValueError):
    kind = "input"

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = list(problems)
        super().__init__(self.format_message())

    def format_message(self) -> str:
        count = len(self.problems)
        head = f"{self.source}: {count} problem{'s' if count != 1 else ''} in {self.kind}"
        return "\n".join([head, *(f"  {p}" for p in self.problems)])


class CaseError(_ProblemsError):
    """A case document is malformed; `problems` hold JSON paths such as `$.ieps[0].start`."""

    kind = "case"


class RuleFileError(_ProblemsError):
    """A rule file is malformed; `problems` hold `file:line:col` locations."""

    kind = "rule file"


class EvaluationError(IEPRulesError, RuntimeError):
    """A backend failed while evaluating a valid case (a bug, reported rather than hidden)."""
