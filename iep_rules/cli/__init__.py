"""The command line: thin commands over the library; errors mapped to exit codes in one place."""

from ._main import cli, main

__all__ = ["cli", "main"]
