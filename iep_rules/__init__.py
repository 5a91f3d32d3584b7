"""iep-rules: US special-education law as declarative, cited, testable rules.

    >>> from iep_rules import load_rulebook, load_case, evaluate
    >>> report = evaluate(load_rulebook(), load_case("examples/ny-grade9.json"), as_of=...)
"""

from ._errors import (
    ArgumentTypeError,
    BackendError,
    CaseError,
    EvaluationError,
    IEPRulesError,
    JurisdictionError,
    Problem,
    RuleFileError,
)
from ._findings import Evidence, Finding, Report, report_to_json
from ._version import package_version
from .case._io import case_from_mapping, case_to_mapping, load_case
from .case._records import Case
from .engine._deadlines import Calendar, Deadline, deadlines
from .engine._evaluate import BACKENDS, evaluate
from .lang._model import Citation, Parameter, Rule
from .rulebook._rulebook import Rulebook, load_rulebook

__all__ = [
    "BACKENDS",
    "ArgumentTypeError",
    "BackendError",
    "Calendar",
    "Case",
    "CaseError",
    "Citation",
    "Deadline",
    "EvaluationError",
    "Evidence",
    "Finding",
    "IEPRulesError",
    "JurisdictionError",
    "Parameter",
    "Problem",
    "Report",
    "Rule",
    "RuleFileError",
    "Rulebook",
    "__version__",
    "case_from_mapping",
    "case_to_mapping",
    "deadlines",
    "evaluate",
    "load_case",
    "load_rulebook",
    "report_to_json",
]


def __getattr__(name: str) -> str:
    """`iep_rules.__version__`, read from the package metadata only when asked for (see
    `_version`)."""
    if name == "__version__":
        return package_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
