"""docs/reference/cli.md, generated from the commands' own help (a test keeps it current):

    python -m iep_rules.cli._reference > docs/reference/cli.md
"""

from __future__ import annotations

import click

from ._main import cli


def _commands(group: click.Group, prefix: str) -> list[tuple[str, click.Command]]:
    out: list[tuple[str, click.Command]] = []
    for name in sorted(group.commands):
        command = group.commands[name]
        full = f"{prefix} {name}"
        if isinstance(command, click.Group):
            out += _commands(command, full)
        else:
            out.append((full, command))
    return out


def reference() -> str:
    lines = ["# Command-line reference", "",
             "Generated from the commands' own `--help` by "
             "`python -m iep_rules.cli._reference`; do not edit by hand.", "",
             "Exit codes: 0 no violations, 1 violations found (or a failing example), "
             "2 bad input.", ""]
    for name, command in _commands(cli, "iep-rules"):
        with click.Context(command, info_name=name, terminal_width=100,
                           max_content_width=100) as ctx:
            text = command.get_help(ctx)
        lines += [f"## `{name}`", "", "```text", text.rstrip(), "```", ""]
    return "\n".join(lines)


if __name__ == "__main__":  # pragma: no cover - regeneration entry point
    print(reference(), end="")
