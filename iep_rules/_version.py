"""The version, from one source: the installed package's metadata (pyproject.toml's version).
A checkout that was never installed has no metadata; it reports a version that says so."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("iep-rules")
except PackageNotFoundError:  # pragma: no cover - only in an uninstalled checkout
    __version__ = "0+unknown"
