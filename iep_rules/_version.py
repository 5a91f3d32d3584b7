"""The version, from one source: the installed package's metadata (pyproject.toml's version).
A checkout that was never installed has no metadata; it reports a version that says so.

Read on first use, not at import: `importlib.metadata` costs tens of milliseconds to import,
and every `iep-rules` command starts by importing the package.
"""

from __future__ import annotations

from functools import cache


@cache
def package_version() -> str:
    """The installed version of iep-rules."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("iep-rules")
    except PackageNotFoundError:  # pragma: no cover - only in an uninstalled checkout
        return "0+unknown"


def __getattr__(name: str) -> str:
    """`from iep_rules._version import __version__` still works, read when asked for."""
    if name == "__version__":
        return package_version()
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
