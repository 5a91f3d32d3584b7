"""An HTTP service over the library, for district systems not written in Python.

Optional: needs the `service` extra (FastAPI and uvicorn). Importing this package imports
neither; `create_app` does, on first use, so the CLI works without the extra.

    >>> from iep_rules.service import Settings, create_app
    >>> app = create_app(Settings(api_key=...))   # an ASGI app for any ASGI server
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._settings import Settings, SettingsError, settings_from_env

if TYPE_CHECKING:
    from ._app import create_app

__all__ = ["Settings", "SettingsError", "create_app", "settings_from_env"]


def __getattr__(name: str) -> Any:
    if name == "create_app":
        from ._app import create_app

        return create_app
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
