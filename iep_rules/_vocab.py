"""The library's closed vocabularies as types: each word a rule file, a finding or a fact
description may use, defined once. StrEnum members equal their text (and print and serialise
as it), so JSON output and rule files keep the words they always had.

(The ledger's period — week, month, year — lives with the ledger in facts/.)
"""

from __future__ import annotations

from enum import IntEnum, StrEnum


class Severity(StrEnum):
    """How serious a finding is; the first three are what a rule may declare."""

    VIOLATION = "violation"
    WARNING = "warning"
    NOTICE = "notice"
    NEEDS_DATA = "needs-data"  # the engine's, never a rule's: a fact the rule needs is missing

    @property
    def rank(self) -> int:
        """Sort order: most serious first."""
        return _SEVERITY_RANK[self]


_SEVERITY_RANK = {s: i for i, s in enumerate(Severity)}
RULE_SEVERITIES = (Severity.VIOLATION, Severity.WARNING, Severity.NOTICE)


class Truth(IntEnum):
    """Three-valued truth. Ordered so that `all` is `min` and `some` is `max`; plain ints in the
    generated code and both backends (an IntEnum member equals its int)."""

    FALSE = 0
    UNKNOWN = 1
    TRUE = 2


class FactKind(StrEnum):
    """The kind of a fact's value, as rule files and docs/facts.md name it."""

    DATE = "date"
    NUMBER = "number"
    STRING = "string"
    BOOL = "bool"


class Scope(StrEnum):
    """What one evaluation of a rule is about: the whole case or one of its items. A new scope
    goes here, in facts/_namespace.SCOPES and in the rule-file schema (tests/test_vocab.py)."""

    CASE = "case"
    ELIGIBILITY = "eligibility"
    EVALUATION = "evaluation"
    IEP = "iep"
    SERVICE = "service"
    PLACEMENT = "placement"
    MEETING = "meeting"
    PARENT_REQUEST = "parent_request"
    CONSENT = "consent"
    REMOVAL = "removal"
    PRIOR_WRITTEN_NOTICE = "prior_written_notice"
    PARENT_COST = "parent_cost"
    TRANSFER = "transfer"


class Expectation(StrEnum):
    """What a rule's example says the rule does on its case."""

    FIRES = "fires"
    SILENT = "silent"
    NEEDS_DATA = "needs-data"
