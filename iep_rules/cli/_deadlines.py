"""`iep-rules deadlines`: the compliance calendar of one case, or of a district's cases."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from ..case._io import load_case
from ..engine._deadlines import DEFAULT_WITHIN_DAYS, deadlines, within_days
from ..facts._schedule import shift
from ..render import CALENDAR_FORMATS, CalendarInput, render_calendar
from ..rulebook._rulebook import load_rulebook
from ._options import parse_date


def _within(_ctx: click.Context, _param: click.Parameter, value: str) -> int:
    try:
        return within_days(value)
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None


@click.command("deadlines")
@click.argument("input_path", metavar="CASE|INPUT")
@click.option("--as-of", callback=parse_date,
              help="List deadlines from this date (default: today).")
@click.option("--within", default=f"{DEFAULT_WITHIN_DAYS}d", show_default=True, callback=_within,
              help="Look-ahead: days (60d) or weeks (8w).")
@click.option("--format", "fmt", type=click.Choice(list(CALENDAR_FORMATS)), default="text",
              show_default=True)
@click.option("--jurisdiction", help="Override the case's (every case's) jurisdiction.")
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Extra rule file or folder, on top of the bundled rules (repeatable).")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path),
              help="Write to this file instead of standard output (useful for .ics).")
def deadlines_command(input_path: str, as_of: dt.date | None, within: int, fmt: str,
                      jurisdiction: str | None, extra_rules: tuple[Path, ...],
                      output: Path | None) -> None:
    """What falls due, before it is late: each obligation, its date, rule and law.

    CASE is one case file (.json); INPUT is a district's cases (.jsonl, a folder, or - for
    stdin), listed together with counts by school and by rule. Exit 2 if a record was bad.

    Example: iep-rules deadlines examples/ny-grade9.json --as-of 2026-11-23 --within 90d
    """
    book = load_rulebook(*extra_rules)
    day = as_of or dt.date.today()
    until = shift(day, days=within)  # saturates at 9999-12-31
    path = Path(input_path)
    district = input_path == "-" or path.is_dir() or path.suffix == ".jsonl"
    if input_path != "-" and not path.exists():
        click.echo(f"{input_path}: no such file or folder", err=True)
        sys.exit(2)
    summary = None
    if district:  # the batch engine only for a district's cases (`check` imports this module)
        from ..batch._audit import read_records
        from ..batch._calendar import district_deadlines

        result = district_deadlines(read_records(input_path, sys.stdin), book=book, as_of=day,
                                    within=within, jurisdiction=jurisdiction)
        calendars = list(result.calendars)
        summary = result.summary()
        for bad in result.errors:
            click.echo(f"{bad.source}:{bad.line}: bad record: {'; '.join(bad.problems)}",
                       err=True)
    else:
        calendars = [deadlines(book, load_case(path), as_of=day, within=within,
                               jurisdiction=jurisdiction)]
    data = render_calendar(fmt, CalendarInput(calendars, day, until, summary)).encode("utf-8")
    if output is not None:
        output.write_bytes(data)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
    sys.exit(2 if summary is not None and summary["errors"] else 0)
