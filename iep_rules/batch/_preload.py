"""Imported once by the audit's fork server (never by other code): the bundled rulebook loaded
and compiled there (generated-Python backend only: plain functions, safe to share by fork) is
inherited by every worker forked from it, so a replacement for a killed worker is ready in a
fraction of a second instead of re-reading and re-compiling every rule file."""

from __future__ import annotations

from ..engine._evaluate import prepare
from ..rulebook._rulebook import Rulebook, load_rulebook

BUNDLED: Rulebook = load_rulebook()
for _code in BUNDLED.jurisdictions():
    prepare(BUNDLED, _code, "python")
