"""Explanations as text: a rule's outcome per item, then the trace of every condition."""

from __future__ import annotations

from ..engine._explain import Explanation, ItemExplanation
from ..lang._explain import literal_text, step_lines

_OUTCOME = {"fires": "FIRES", "silent": "silent", "needs-data": "NEEDS DATA"}


def item_lines(item: ItemExplanation, indent: str = "  ") -> list[str]:
    lines = [f"{indent}{item.subject}: {_OUTCOME[item.outcome]}"]
    return lines + step_lines(item.step, indent + "  ")


def explanation_text(ex: Explanation, subjects: tuple[str, ...] | None = None,
                     header: bool = True) -> str:
    """The whole explanation; `subjects` limits it to those items; `header=False` leaves out
    the rule's title and source (a failing example has already named them)."""
    rule = ex.rule
    lines = [f"Why {rule.id} ({rule.severity}, scope {rule.scope}) on case {ex.case_id}, "
             f"{ex.jurisdiction}, as of {ex.as_of.isoformat()}",
             f"  {rule.title}", f"  rule: {rule.source} ({rule.source.layer} layer)"]
    if not header:
        lines = []
    if not ex.in_force:
        lines.append(f"  not in force on {ex.as_of.isoformat()}: it reports nothing on that date")
    for name, value in ex.params.items():
        lines.append(f"  parameter {name} = {literal_text(value)}")
    lines.append("  [yes] / [no] / [unknown] is each condition's truth; 'read' lines are the "
                 "facts it read.")
    shown = [i for i in ex.items if subjects is None or i.subject in subjects]
    if not shown:
        lines.append(f"  no {rule.scope} items in this case: the rule has nothing to check")
    counts = {k: sum(1 for i in ex.items if i.outcome == k) for k in _OUTCOME}
    for item in shown:
        lines.append("")
        lines += item_lines(item)
    lines += ["", "Outcome: " + ", ".join(f"{n} {k}" for k, n in counts.items())
              + f" (of {len(ex.items)} {rule.scope} item{'s' if len(ex.items) != 1 else ''})"]
    return "\n".join(lines) + "\n"
