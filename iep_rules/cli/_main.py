"""The `iep-rules` command: a thin layer over the library.

Exit codes: 0 no violations, 1 violations found, 2 bad input (case file, rule file or option)
or a failed run (an internal error, a closed output pipe, a full disk). A crash never exits 1.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

import attrs
import click

# Imported here: what `check` needs, and what option definitions read. Everything else is
# imported inside the command that uses it, so that `iep-rules check` starts fast
# (docs/performance.md, "check wall time").
from .._errors import IEPRulesError, RuleNotFoundError
from .._vocab import RULE_SEVERITIES
from ..batch._audit import DEFAULT_TIME_LIMIT
from ..batch._dask import ENGINES
from ..case._io import load_case
from ..engine._deadlines import deadlines, with_due_soon
from ..engine._evaluate import BACKENDS, evaluate
from ..importers.edfi.cli import register as register_edfi
from ..render import AUDIT_FORMATS, REPORT_FORMATS, SHOWS_DUE_NEXT, ReportInput, render_report
from ..render._plain import DUE_NEXT_WITHIN_DAYS
from ..rulebook._rulebook import load_rulebook
from ..service._command import serve
from ._deadlines import deadlines_command
from ._options import parse_date

F = TypeVar("F", bound=Any)




class _Registered(click.Choice[str]):
    """The names in a format registry, read when the option is used: a format registered
    after this module was imported is offered too."""

    def __init__(self, registry: Mapping[str, object]) -> None:
        self.registry = registry
        super().__init__(list(registry))

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> Any:
        self.choices = tuple(self.registry)
        return super().convert(value, param, ctx)


class _Group(click.Group):
    """The one place errors become exit codes: the library's own errors carry theirs
    (`exit_code`, 2 for bad input) and format themselves (file and location included), so
    commands need no error handling of their own.
    Anything else that goes wrong is a failed run, exit 2 with a one-line message: never a
    traceback, and never exit 1, which means "violations found"."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except IEPRulesError as exc:
            _fail(exc.format_message(), exc.exit_code)
        except (click.exceptions.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except BrokenPipeError:
            _fail("iep-rules: the output was closed before the run finished",
                  quiet_stdout=True)
        except KeyboardInterrupt:
            _fail("iep-rules: interrupted")
        except OSError as exc:
            _fail(f"iep-rules: failed: {exc.strerror or type(exc).__name__}"
                  f"{f' ({exc.filename})' if exc.filename else ''}")
        except Exception as exc:
            _fail(f"iep-rules: internal error ({type(exc).__name__}: {str(exc)[:200]}); "
                  "please report it with the input that caused it")


def _fail(message: str, code: int = 2, quiet_stdout: bool = False) -> None:
    if quiet_stdout:  # stop the interpreter's own flush at exit from failing again
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
    with contextlib.suppress(OSError, UnicodeError):
        click.echo(message, err=True)
    sys.exit(code)


def _review_options(command: F) -> F:
    """--reviews and --baseline, shared by check and audit."""
    command = click.option(
        "--baseline", "baseline_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Earlier JSON or JSONL report: report only findings that are new since it.",
    )(command)
    return click.option(
        "--reviews", "reviews_file",
        type=click.Path(exists=True, dir_okay=False, path_type=Path),
        help="Review file (YAML): mark each reviewed finding with its decision.",
    )(command)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}{'' if n == 1 else 's'}"


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """`--version`, as `click.version_option` prints it, reading the version only when asked
    (importing `importlib.metadata` on every start costs tens of milliseconds)."""
    if not value or ctx.resilient_parsing:
        return
    from .._version import package_version

    click.echo(f"iep-rules, version {package_version()}")
    ctx.exit()


@click.group(cls=_Group, context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version, help="Show the version and exit.")
def cli() -> None:
    """Check special-education case files against cited federal and state rules."""


@cli.command()
@click.argument("case_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--jurisdiction", help="Override the case's jurisdiction, e.g. US or US-NY.")
@click.option("--as-of", callback=parse_date, help="Evaluate as of this date (default: today).")
@click.option("--format", "fmt",
              type=_Registered(REPORT_FORMATS), default="text", show_default=True)
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Extra rule file or folder, on top of the bundled rules (repeatable).")
@click.option("--backend", type=click.Choice(list(BACKENDS)), default="python",
              show_default=True)
@_review_options
@click.option("--explain", "explain_rule", metavar="RULE_ID",
              help="Instead of the findings, show why this rule fired, stayed silent or needs "
                   "data on each item: every condition, its truth and the facts it read.")
@click.option("--due-soon", is_flag=True,
              help="Add a notice for each deadline due within the due_soon_window_days policy.")
def check(case_file: Path, jurisdiction: str | None, as_of: dt.date | None, fmt: str,
          extra_rules: tuple[Path, ...], backend: str, reviews_file: Path | None,
          baseline_file: Path | None, explain_rule: str | None, due_soon: bool) -> None:
    """Evaluate one case file and print its findings.

    Example: iep-rules check examples/ny-grade9.json --as-of 2026-11-23 --format json
    """
    rulebook = load_rulebook(*extra_rules)
    case = load_case(case_file)
    if explain_rule is not None:
        from ..engine._explain import explain, explanation_to_json
        from ..render._explain import explanation_text

        ex = explain(rulebook, case, explain_rule, as_of=as_of, jurisdiction=jurisdiction)
        if fmt == "json":
            click.echo(json.dumps(explanation_to_json(ex), indent=2, ensure_ascii=False))
        else:
            click.echo(explanation_text(ex), nl=False)
        return
    report = evaluate(rulebook, case, as_of=as_of, jurisdiction=jurisdiction,
                      backend=backend)
    if due_soon:
        report = with_due_soon(rulebook, report, case)
    if reviews_file is not None:
        from .._reviews import Reviews, apply_reviews, load_reviews

        report = apply_reviews(report, Reviews(load_reviews(reviews_file)))
    if baseline_file is not None:
        from .._reviews import load_baseline, new_since

        kept = new_since(report.findings, load_baseline(baseline_file))
        note = (f"Baseline {baseline_file}: "
                f"{_count(len(report.findings) - len(kept), 'finding')} already in it left out.")
        report = attrs.evolve(report, findings=kept, notes=(*report.notes, note))
    rules_in_force = rulebook.resolve(report.jurisdiction).rules
    calendar = None
    if fmt in SHOWS_DUE_NEXT:
        calendar = deadlines(rulebook, case, as_of=report.as_of,
                             within=DUE_NEXT_WITHIN_DAYS, jurisdiction=report.jurisdiction)
    click.echo(render_report(fmt, ReportInput(report, case, str(case_file), rules_in_force,
                                              calendar)), nl=False)
    sys.exit(1 if report.has_violations else 0)


@cli.command()
@click.argument("case_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--jurisdiction", help="Override the case's jurisdiction (its policy parameters).")
@click.option("--as-of", callback=parse_date,
              help="Count sessions up to this date (default: today).")
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
    from ..facts._ledger import case_ledger
    from ..render._text import ledger_json, ledger_text

    case = load_case(case_file)
    day = as_of or dt.date.today()
    resolved = load_rulebook(*extra_rules).resolve(jurisdiction or case.jurisdiction)
    ledgers = case_ledger(case, day, resolved.values_on(day))
    click.echo(ledger_json(ledgers) if fmt == "json" else ledger_text(ledgers), nl=False)


@cli.command()
@click.argument("input_path", metavar="INPUT")
@click.option("--jurisdiction", help="Override every case's jurisdiction.")
@click.option("--as-of", callback=parse_date, help="Evaluate as of this date (default: today).")
@click.option("--format", "fmt", type=_Registered(AUDIT_FORMATS), default="jsonl",
              show_default=True)
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path))
@click.option("--backend", type=click.Choice(list(BACKENDS)), default="python",
              show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="Evaluate in this many processes; output stays in input order.")
@click.option("--time-limit", type=click.FloatRange(0.1, 3600), default=DEFAULT_TIME_LIMIT,
              show_default=True, help="Seconds one record may take; past it, an error result.")
@click.option("--quiet", is_flag=True, help="No progress display.")
@click.option("--engine", type=click.Choice(list(ENGINES)), default="local", show_default=True,
              help="local: this machine's processes; dask: the Dask cluster at --scheduler "
                   "(needs iep-rules[dask]; INPUT is then a JSON Lines file, glob or URL).")
@click.option("--scheduler", metavar="ADDRESS",
              help="The Dask scheduler for --engine dask, e.g. tcp://10.0.0.5:8786.")
@_review_options
def audit(input_path: str, jurisdiction: str | None, as_of: dt.date | None, fmt: str,
          extra_rules: tuple[Path, ...], backend: str, workers: int, time_limit: float,
          quiet: bool, engine: str, scheduler: str | None, reviews_file: Path | None,
          baseline_file: Path | None) -> None:
    """Evaluate many cases: a JSON Lines file, a folder of case files, or - for stdin.

    Bad records are reported with their line and counted; the audit goes on. Exit 2 if any
    record was bad, else 1 if any violation, else 0.

    Example: iep-rules audit district.jsonl --as-of 2026-11-23 --format text --workers 2
    """
    from .._reviews import AuditReview
    from ..batch._run import audit as run_audit_to

    book = load_rulebook(*extra_rules)
    show = not quiet and sys.stderr.isatty()

    def progress(count: int, done: bool) -> None:
        if show:
            click.echo(f"\r{count} records", nl=done, err=True)

    sys.exit(run_audit_to(input_path, book=book, extra_rules=extra_rules,
                          as_of=as_of or dt.date.today(), jurisdiction=jurisdiction,
                          backend=backend, workers=workers, time_limit=time_limit, fmt=fmt,
                          out=sys.stdout, err=sys.stderr, stdin=sys.stdin, progress=progress,
                          review=AuditReview.from_files(reviews_file, baseline_file),
                          engine=engine, scheduler=scheduler))


@cli.group(cls=_Group)
def rules() -> None:
    """Inspect the rules in force."""


@rules.command("list")
@click.option("--jurisdiction", default="US", show_default=True)
@click.option("--topic")
@click.option("--severity", type=click.Choice([str(s) for s in RULE_SEVERITIES]))
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True)
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path))
def rules_list(jurisdiction: str, topic: str | None, severity: str | None, fmt: str,
               extra_rules: tuple[Path, ...]) -> None:
    """List every rule in force for a jurisdiction, after overlays.

    Example: iep-rules rules list --jurisdiction US-NY --format json
    """
    from ..render._text import rules_list_text
    from ..rulebook._catalog import list_rules

    rows = list_rules(load_rulebook(*extra_rules), jurisdiction, topic=topic,
                      severity=severity)
    if fmt == "json":
        click.echo(json.dumps(rows, indent=2))
        return
    click.echo(rules_list_text(rows), nl=False)


@rules.command("explain")
@click.argument("rule_id")
@click.option("--jurisdiction", default="US-NY-NYC", show_default=True)
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path))
def rules_explain(rule_id: str, jurisdiction: str, extra_rules: tuple[Path, ...]) -> None:
    """Show one rule: its condition, parameters after overlays, citations and examples.

    Example: iep-rules rules explain idea.iep.transition-services --jurisdiction US-NY
    """
    from ..render._text import rule_explanation_text

    book = load_rulebook(*extra_rules)
    resolved = book.resolve(jurisdiction)
    rule = next((r for r in resolved.rules if r.id == rule_id), None)
    if rule is None:
        gone = resolved.disabled.get(rule_id)
        why = f" (disabled at {gone.source}: {gone.reason})" if gone else ""
        raise RuleNotFoundError(f"no rule {rule_id!r} in force for {jurisdiction}{why}")
    click.echo(rule_explanation_text(rule, resolved), nl=False)


@cli.command("test")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--rule", "patterns", multiple=True, metavar="PATTERN",
              help="Only rules whose id matches this pattern, e.g. 'idea.iep.*' (repeatable).")
@click.option("--coverage", "show_coverage", is_flag=True,
              help="List, per rule, the conditions the examples never saw both true and false.")
def test_examples(paths: tuple[Path, ...], patterns: tuple[str, ...],
                  show_coverage: bool) -> None:
    """Run the examples in rule files and standalone test files, on every installed backend
    (exit 1 on any failure), then say which conditions they exercised.

    Example: iep-rules test my-rules/ tests/district/*.yaml --rule 'idea.iep.*'
    """
    from ..testing._runner import collect, coverage, run

    book, cases = collect(paths)
    outcomes = run(book, cases, patterns)
    failed = 0
    for outcome in outcomes:
        label = f"{outcome.case.rule_id}: {outcome.case.example.name}"
        if outcome.problem is None:
            click.echo(f"PASS {label}")
        else:
            failed += 1
            click.echo(f"FAIL {label}\n{outcome.problem}")
    figures = coverage(book, outcomes)
    both = sum(f.both_ways for f in figures)
    total = sum(f.total for f in figures)
    share = f" ({100 * both // total}%)" if total else ""
    click.echo(f"{len(outcomes) - failed} passed, {failed} failed")
    click.echo(f"Coverage: {both} of {total} conditions in {len(figures)} rule(s) were seen both "
               f"true and false by the examples{share}")
    if show_coverage:
        for figure in figures:
            if figure.missing:
                click.echo(f"  {figure.rule.id}: {figure.both_ways} of {figure.total}; "
                           "not both ways: " + " | ".join(figure.missing))
    if not outcomes:
        click.echo("no examples matched", err=True)
    sys.exit(1 if failed else 0)


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
def lint(paths: tuple[Path, ...]) -> None:
    """Check rule files: every problem with file:line:col; warn when a state or district layer
    makes a federal deadline laxer.

    Example: iep-rules lint rules/
    """
    from ..rulebook._rulebook import laxer_deadlines

    book = load_rulebook(*paths)
    warnings = laxer_deadlines(book)
    for warning in warnings:
        click.echo(f"warning: {warning}")
    mine = sum(len(list(p.rglob("*.y*ml"))) if p.is_dir() else 1 for p in paths)
    bundled = len(book.layers) - mine
    under = f", on top of {bundled} bundled layer files" if bundled > 0 else ""
    click.echo(f"{_count(mine, 'file')} checked{under}: {_count(len(warnings), 'warning')}")


@cli.command()
@click.argument("kind", type=click.Choice(["case", "rules"]))
def schema(kind: str) -> None:
    """Print the JSON Schema for case files or rule files.

    Example: iep-rules schema case > case.schema.json
    """
    from ..case._schema import case_schema
    from ..lang._rulefile import rulefile_schema

    data = case_schema() if kind == "case" else rulefile_schema()
    click.echo(json.dumps(data, indent=2))


register_edfi(cli)
cli.add_command(serve)
cli.add_command(deadlines_command)


def main() -> None:
    try:
        cli()
    except Exception as exc:  # outside any command (e.g. while starting): still not exit 1
        print(f"iep-rules: internal error ({type(exc).__name__})", file=sys.stderr)
        sys.exit(2)
