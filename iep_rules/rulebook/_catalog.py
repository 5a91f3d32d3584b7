"""The rule catalogue: what `rules list` prints and what docs/rules.md is generated from."""

from __future__ import annotations

from typing import Any

from ..lang._model import Rule, format_citations
from ._rulebook import Rulebook, chain


def rule_row(rule: Rule) -> dict[str, Any]:
    return {
        "id": rule.id,
        "title": rule.title,
        "topic": rule.topic,
        "severity": rule.severity,
        "scope": rule.scope,
        "citations": [{"authority": c.authority, "verified": c.verified, "kind": c.kind,
                       "conditional": c.when is not None}
                      for c in rule.cite],
        "parameters": list(rule.params_used),
        "unchecked": list(rule.unchecked),
        "source": str(rule.source),
        "layer": rule.source.layer,
    }


def list_rules(rulebook: Rulebook, jurisdiction: str, *, topic: str | None = None,
               severity: str | None = None) -> list[dict[str, Any]]:
    """Rules in force for a jurisdiction (after overlays), optionally filtered."""
    return [rule_row(r) for r in rulebook.resolve(jurisdiction).rules
            if (topic is None or r.topic == topic) and (severity is None or r.severity == severity)]


def _cites(row: dict[str, Any]) -> str:
    return format_citations(row["citations"], unverified=" (unverified)", guidance=" [guidance]")


def coverage_markdown(rulebook: Rulebook) -> str:
    """docs/rules.md: every rule by layer and topic, with its citations. Generated; a test
    checks the checked-in copy is current."""
    codes = rulebook.jurisdictions()
    deepest = max(codes, key=lambda code: len(chain(code)))
    lines = ["# Rule coverage", "",
             "Generated from the rule files by `python -m iep_rules.catalog > docs/rules.md`;",
             "the test suite fails when this file is out of date.", ""]
    for code in codes:
        rows = [r for r in list_rules(rulebook, deepest if code in chain(deepest) else code)
                if r["layer"] == code]
        if not rows:
            continue
        lines += [f"## Layer {code}", ""]
        for topic in sorted({r["topic"] for r in rows}):
            lines += [f"### {topic}", "", "| rule | severity | requirement | citations | source |",
                      "|---|---|---|---|---|"]
            for r in (x for x in rows if x["topic"] == topic):
                lines.append(f"| `{r['id']}` | {r['severity']} | {r['title']} | {_cites(r)} | "
                             f"{r['source']} |")
            lines.append("")
    limits = [r for code in codes for r in list_rules(rulebook, code)
              if r["layer"] == code and r["unchecked"]]
    if limits:
        lines += ["## What the rules cannot check", "",
                  "Parts of a requirement that a case record cannot show. A rule that is silent",
                  "says nothing about these; `iep-rules rules explain RULE_ID` prints them too.",
                  ""]
        seen: set[tuple[str, str]] = set()
        for r in limits:
            if (r["id"], r["layer"]) in seen:
                continue
            seen.add((r["id"], r["layer"]))
            lines += [f"- `{r['id']}` ({r['layer']}): " + "; ".join(r["unchecked"])]
        lines.append("")
    params = rulebook.resolve(deepest).parameters
    lines += ["## Parameters in force for " + deepest, "",
              "| name | value (latest) | layer | citations |", "|---|---|---|---|"]
    for name, p in sorted(params.items()):
        cites = format_citations(p.cite, unverified=" (unverified)")
        lines.append(f"| `{name}` | {p.values[-1][1]} {p.unit} | {p.source.layer} | {cites} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    from ._rulebook import load_rulebook

    print(coverage_markdown(load_rulebook()), end="")
