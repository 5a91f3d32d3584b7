"""The `iep-rules` command: a thin layer over the library.

Exit codes: 0 no violations, 1 violations found, 2 bad input (case file, rule file or option).
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import sys
from pathlib import Path
from typing import Any

import click

from .. import __version__
from .._errors import IEPRulesError
from .._findings import finding_to_json
from ..batch._audit import Tally, read_records, run_audit
from ..case._io import load_case
from ..case._schema import case_schema
from ..engine._evaluate import BACKENDS, evaluate
from ..facts._ledger import case_ledger
from ..importers.edfi.cli import register as register_edfi
from ..lang._rulefile import parse_layer, rulefile_schema
from ..render._html import to_html, to_markdown
from ..render._sarif import sarif_log
from ..render._text import audit_text, ledger_json, ledger_text, to_json, to_text
from ..rulebook._catalog import list_rules
from ..rulebook._rulebook import laxer_deadlines, load_rulebook
from ..testing._examples import check_example


def _date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"expected YYYY-MM-DD, got {value!r}") from None


class _Group(click.Group):
    """Maps the library's own errors to exit code 2 for every command: each error formats
    itself (file and location included), so commands need no error handling of their own."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IEPRulesError as exc:
            click.echo(exc.format_message(), err=True)
            sys.exit(2)


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="iep-rules")
def cli() -> None:
    """Check special-education case files against cited federal and state rules."""


@cli.command()
@click.argument("case_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--jurisdiction", help="Override the case's jurisdiction, e.g. US or US-NY.")
@click.option("--as-of", callback=_date, help="Evaluate as of this date (default: today).")
@click.option("--format", "fmt",
              type=click.Choice(["text", "json", "sarif", "markdown", "html"]), default="text",
              show_default=True)
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Extra rule file or folder, on top of the bundled rules (repeatable).")
@click.option("--backend", type=click.Choice(list(BACKENDS)), default="python",
              show_default=True)
def check(case_file: Path, jurisdiction: str | None, as_of: dt.date | None, fmt: str,
          extra_rules: tuple[Path, ...], backend: str) -> None:
    """Evaluate one case file and print its findings.

    Example: iep-rules check examples/ny-grade9.json --as-of 2026-11-23 --format json
    """
    rulebook = load_rulebook(*extra_rules)
    case = load_case(case_file)
    report = evaluate(rulebook, case, as_of=as_of, jurisdiction=jurisdiction,
                      backend=backend)
    if fmt in ("markdown", "html"):
        render_doc = to_html if fmt == "html" else to_markdown
        click.echo(render_doc(report, case), nl=False)
    elif fmt == "sarif":
        located = [(str(case_file), None, finding_to_json(f)) for f in report.findings]
        rules_in_force = rulebook.resolve(report.jurisdiction).rules
        click.echo(json.dumps(sarif_log(rules_in_force, located), indent=2))
    else:
        click.echo(to_json(report) if fmt == "json" else to_text(report), nl=False)
    sys.exit(1 if report.has_violations else 0)


@cli.command()
@click.argument("case_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--jurisdiction", help="Override the case's jurisdiction (its policy parameters).")
@click.option("--as-of", callback=_date, help="Count sessions up to this date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Extra rule files whose parameters override the ledger policy.")
def ledger(case_file: Path, jurisdiction: str | None, as_of: dt.date | None, fmt: str,
           extra_rules: tuple[Path, ...]) -> None:
    """Print the service-delivery ledger: expected, delivered, missed, owed per mandate.

    Example: iep-rules ledger examples/ledger-speech.json --as-of 2024-11-29
    """
    case = load_case(case_file)
    day = as_of or dt.date.today()
    resolved = load_rulebook(*extra_rules).resolve(jurisdiction or case.jurisdiction)
    ledgers = case_ledger(case, day, resolved.values_on(day))
    click.echo(ledger_json(ledgers) if fmt == "json" else ledger_text(ledgers), nl=False)


CSV_FIELDS = ["source", "line", "case_id", "rule_id", "severity", "topic", "subject", "message",
              "citations"]


@cli.command()
@click.argument("input_path", metavar="INPUT")
@click.option("--jurisdiction", help="Override every case's jurisdiction.")
@click.option("--as-of", callback=_date, help="Evaluate as of this date (default: today).")
@click.option("--format", "fmt", type=click.Choice(["jsonl", "json", "csv", "text", "sarif"]),
              default="jsonl", show_default=True)
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path))
@click.option("--backend", type=click.Choice(list(BACKENDS)), default="python",
              show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Evaluate in this many processes; output stays in input order.")
@click.option("--quiet", is_flag=True, help="No progress display.")
def audit(input_path: str, jurisdiction: str | None, as_of: dt.date | None, fmt: str,
          extra_rules: tuple[Path, ...], backend: str, workers: int, quiet: bool) -> None:
    """Evaluate many cases: a JSON Lines file, a folder of case files, or - for stdin.

    Bad records are reported with their line and counted; the audit goes on. Exit 2 if any
    record was bad, else 1 if any violation, else 0.

    Example: iep-rules audit district.jsonl --as-of 2026-11-23 --format text --workers 2
    """
    book = load_rulebook(*extra_rules)
    if input_path != "-" and not Path(input_path).exists():
        click.echo(f"{input_path}: no such file or folder", err=True)
        sys.exit(2)
    records = read_records(input_path, sys.stdin)
    results = run_audit(records, book=book, extra_rules=tuple(map(str, extra_rules)),
                        as_of=as_of or dt.date.today(), jurisdiction=jurisdiction,
                        backend=backend, workers=workers)
    show = not quiet and sys.stderr.isatty()
    tally = Tally()
    out = sys.stdout
    writer = csv.DictWriter(out, CSV_FIELDS, lineterminator="\n") if fmt == "csv" else None
    if writer is not None:
        writer.writeheader()
    collected: list[dict[str, Any]] = []
    for result in results:
        tally.add(result)
        if show and tally.records_in % 100 == 0:
            click.echo(f"\r{tally.records_in} records", nl=False, err=True)
        if fmt == "jsonl":
            out.write(json.dumps(result, sort_keys=True) + "\n")
        elif fmt in ("json", "sarif"):
            collected.append(result)
        elif writer is not None:
            _csv_rows(writer, result)
        elif result["type"] == "error":
            click.echo(f"{result['source']}:{result['line']}: bad record: "
                       f"{'; '.join(result['problems'])}", err=True)
    if show:
        click.echo(f"\r{tally.records_in} records", err=True)
    summary = tally.summary()
    if fmt == "jsonl":
        out.write(json.dumps(summary, sort_keys=True) + "\n")
    elif fmt == "json":
        out.write(json.dumps({"results": collected, "summary": summary}, indent=2,
                             sort_keys=True) + "\n")
    elif fmt == "text":
        out.write(audit_text(summary))
    elif fmt == "sarif":
        located = [(r["source"], r["line"], f) for r in collected if r["type"] == "result"
                   for f in r["findings"]]
        codes = {r["jurisdiction"] for r in collected if r["type"] == "result"}
        rules_used = {rule.id: rule for code in sorted(codes) for rule in book.resolve(code).rules}
        out.write(json.dumps(sarif_log(rules_used.values(), located), indent=2) + "\n")
    sys.exit(2 if tally.errors else 1 if tally.cases_with_violations else 0)


def _csv_rows(writer: csv.DictWriter[str], result: dict[str, Any]) -> None:
    if result["type"] == "error":
        writer.writerow({"source": result["source"], "line": result["line"],
                         "severity": "bad-record", "message": "; ".join(result["problems"])})
        return
    for f in result["findings"]:
        writer.writerow({"source": result["source"], "line": result["line"],
                         "case_id": result["case_id"], "rule_id": f["rule_id"],
                         "severity": f["severity"], "topic": f["topic"],
                         "subject": f["subject"], "message": f["message"],
                         "citations": "; ".join(c["authority"] for c in f["citations"])})


@cli.group(cls=_Group)
def rules() -> None:
    """Inspect the rules in force."""


@rules.command("list")
@click.option("--jurisdiction", default="US", show_default=True)
@click.option("--topic")
@click.option("--severity", type=click.Choice(["violation", "warning", "notice"]))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path))
def rules_list(jurisdiction: str, topic: str | None, severity: str | None, fmt: str,
               extra_rules: tuple[Path, ...]) -> None:
    """List every rule in force for a jurisdiction, after overlays.

    Example: iep-rules rules list --jurisdiction US-NY --format json
    """
    rows = list_rules(load_rulebook(*extra_rules), jurisdiction, topic=topic,
                      severity=severity)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        cites = "; ".join(c["authority"] + ("" if c["verified"] else " [unverified]")
                          for c in row["citations"])
        click.echo(f"{row['id']}  [{row['severity']}, {row['topic']}, {row['layer']}]  "
                   f"{row['source']}\n    {row['title']}\n    {cites}")


@rules.command("explain")
@click.argument("rule_id")
@click.option("--jurisdiction", default="US-NY-NYC", show_default=True)
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path))
def rules_explain(rule_id: str, jurisdiction: str, extra_rules: tuple[Path, ...]) -> None:
    """Show one rule: its condition, parameters after overlays, citations and examples.

    Example: iep-rules rules explain idea.iep.transition-services --jurisdiction US-NY
    """
    book = load_rulebook(*extra_rules)
    resolved = book.resolve(jurisdiction)
    rule = next((r for r in resolved.rules if r.id == rule_id), None)
    if rule is None:
        gone = resolved.disabled.get(rule_id)
        why = f" (disabled at {gone.source}: {gone.reason})" if gone else ""
        click.echo(f"no rule {rule_id!r} in force for {jurisdiction}{why}", err=True)
        sys.exit(2)
    click.echo(f"{rule.id}  [{rule.severity}, {rule.topic}, scope {rule.scope}]")
    click.echo(f"  {rule.title}")
    click.echo(f"  defined at {rule.source} ({rule.source.layer} layer)")
    if rule.clock:
        click.echo(f"  clock: {rule.clock}")
    click.echo(f"  condition: {rule.when}")
    for name in rule.params_used:
        param = resolved.parameters[name]
        cites = "; ".join(c.authority + ("" if c.verified else " [unverified]")
                          for c in param.cite)
        click.echo(f"  parameter {name} = {param.values[-1][1]} {param.unit} "
                   f"(from {param.source}; {cites})")
    for cite in rule.cite:
        note = f" - {cite.note}" if cite.note else ""
        click.echo(f"  cites {cite.authority} ({cite.kind}, "
                   f"{'verified' if cite.verified else 'UNVERIFIED'}){note}")
    for example in rule.examples:
        click.echo(f"  example: {example.name} -> {example.expect}")


@cli.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def test_examples(paths: tuple[Path, ...]) -> None:
    """Run the examples embedded in rule files, on both backends (exit 1 on any failure).

    Example: iep-rules test my-rules/
    """
    book = load_rulebook(*paths)
    failed = passed = 0
    for path in paths:
        files = sorted(path.rglob("*.y*ml")) if path.is_dir() else [path]
        for file in files:
            layer, _ = parse_layer(file.read_bytes(), str(file))
            for rule in layer.rules if layer is not None else ():
                for example in rule.examples:
                    problem = check_example(book, rule, example)
                    if problem is None:
                        passed += 1
                        click.echo(f"PASS {rule.id}: {example.name}")
                    else:
                        failed += 1
                        click.echo(f"FAIL {rule.id}: {example.name}\n{problem}")
    click.echo(f"{passed} passed, {failed} failed")
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Check rule files: every problem with file:line:col; warn when a state or district layer
    makes a federal deadline laxer.

    Example: iep-rules lint rules/
    """
    book = load_rulebook(*paths)
    warnings = laxer_deadlines(book)
    for warning in warnings:
        click.echo(f"warning: {warning}")
    click.echo(f"{len(book.layers)} layer file(s) checked, {len(warnings)} warning(s)")


@cli.command()
@click.argument("kind", type=click.Choice(["case", "rules"]))
def schema(kind: str) -> None:
    """Print the JSON Schema for case files or rule files.

    Example: iep-rules schema case > case.schema.json
    """
    data = case_schema() if kind == "case" else rulefile_schema()
    click.echo(json.dumps(data, indent=2))


register_edfi(cli)


def main() -> None:
    cli()
