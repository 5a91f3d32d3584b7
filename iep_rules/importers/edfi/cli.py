"""Commands: `iep-rules import edfi PATH... --out cases.jsonl` and `audit --from edfi PATH...`.

`register(cli)` adds the `import` group and gives the existing `audit` command a `--from`
option (jsonl, the default, keeps its behaviour: one INPUT). Registration is kept here so the
main CLI needs two lines for it.
"""

from __future__ import annotations

import datetime as dt
import inspect
import json
import sys
from pathlib import Path
from typing import Any

import click

_MAPPING = click.Option(["--mapping", "mappings"], multiple=True,
                        type=click.Path(exists=True, dir_okay=False, path_type=Path),
                        help="Overlay mapping file laid over the built-in Ed-Fi tables "
                             "(repeatable).")


@click.group("import")
def import_group() -> None:
    """Convert another system's records into iep-rules case documents."""


@import_group.command("edfi")
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_path", required=True, type=click.Path(path_type=Path),
              help="Write the case documents here, one per line (JSON Lines); - for stdout.")
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Also write per-case data-quality and unmapped entries plus the summary "
                   "(JSON Lines).")
@click.option("--jurisdiction", default="US", show_default=True,
              help="Jurisdiction to record in each case (Ed-Fi does not carry one).")
def import_edfi_cmd(paths: tuple[Path, ...], out_path: Path, report_path: Path | None,
                    jurisdiction: str, mappings: tuple[Path, ...]) -> None:
    """Read Ed-Fi interchange XML (5.x, 6.1 special education) or ODS/API JSON.

    API files hold one endpoint's resources (a JSON array or JSON Lines) and are named by
    it, e.g. studentSpecialEducationProgramAssociations.json.

    Files or folders, in any order. Exit 2 if a file could not be read.

    Example: iep-rules import edfi samples/ --out cases.jsonl --report import.jsonl
    """
    from ._audit import import_text  # the importer only when this command runs
    from ._mapping import load_mapping
    from ._run import import_edfi

    run = import_edfi(paths, load_mapping(*mappings), jurisdiction)
    out = sys.stdout if str(out_path) == "-" else out_path.open("w", encoding="utf-8")
    report = report_path.open("w", encoding="utf-8") if report_path else None
    try:
        for case in run.cases():
            out.write(json.dumps(case.document, sort_keys=True) + "\n")
            if report is not None:
                report.write(json.dumps({
                    "type": "import-case", "case_id": case.document["id"],
                    "where": case.where, "data_quality": list(case.quality),
                    "unmapped": [{"table": u.table, "value": u.value, "where": u.where,
                                  "reason": u.reason} for u in case.unmapped]},
                    sort_keys=True) + "\n")
        summary = run.summary()
        if report is not None:
            report.write(json.dumps(summary, sort_keys=True) + "\n")
    finally:
        if out is not sys.stdout:
            out.close()
        if report is not None:
            report.close()
    click.echo(import_text(summary), err=True, nl=False)
    sys.exit(2 if run.files_failed or run.problems else 0)


import_edfi_cmd.params.append(_MAPPING)


def _audit_with_source(original: click.Command) -> click.Command:
    """The audit command with `--from jsonl|edfi` and one or more inputs."""
    params = [p for p in original.params if p.name != "input_path"]
    inputs = click.Argument(["inputs"], nargs=-1, required=True, metavar="INPUT...")
    source = click.Option(["--from", "source"], type=click.Choice(["jsonl", "edfi"]),
                          default="jsonl", show_default=True,
                          help="Input kind: case JSON (one INPUT) or Ed-Fi files/folders.")

    def callback(inputs: tuple[str, ...], source: str, mappings: tuple[Path, ...],
                 **options: Any) -> None:
        if source == "jsonl":
            if len(inputs) != 1 or mappings:
                raise click.UsageError("plain audit takes one INPUT and no --mapping; "
                                       "use --from edfi for Ed-Fi files")
            assert original.callback is not None
            original.callback(input_path=inputs[0], **options)
            return
        from ._audit import audit_edfi  # the importer only for --from edfi
        from ._mapping import load_mapping
        from ._run import import_edfi

        run = import_edfi(inputs, load_mapping(*mappings), options["jurisdiction"] or "US")
        code = audit_edfi(run, out=sys.stdout, fmt=options["fmt"],
                          as_of=options["as_of"] or dt.date.today(),
                          jurisdiction=options["jurisdiction"], backend=options["backend"],
                          workers=options["workers"],
                          extra_rules=tuple(map(str, options["extra_rules"])))
        sys.exit(code)

    help_text = inspect.cleandoc(original.help or "") + (
        "\n\nWith --from edfi, INPUT... are Ed-Fi XML, JSON or JSON Lines files or folders; "
        "each imported case carries its data-quality entries, and findings that rest only "
        "on facts Ed-Fi cannot carry are reported as needs-data.\n\n"
        "Example: iep-rules audit --from edfi samples/ --as-of 2022-06-30 --format text")
    return click.Command(original.name, callback=callback, params=[inputs, source, _MAPPING,
                                                                   *params],
                         help=help_text, short_help=original.short_help)


def register(cli: click.Group) -> None:
    """Add `import edfi` and `audit --from edfi` to the main command group."""
    cli.add_command(import_group)
    audit = cli.commands.get("audit")
    if audit is not None:
        cli.add_command(_audit_with_source(audit), "audit")
