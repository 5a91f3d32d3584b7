"""Service settings and API-key authentication.

Settings come from the `serve` options and from environment variables, never the key itself
from the command line (a command line is visible to every user of the machine through `ps`).
Workers started by uvicorn read the same environment, so one process and many agree.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from collections.abc import Mapping
from pathlib import Path

import attrs

ENV_API_KEY = "IEP_RULES_API_KEY"
ENV_API_KEY_FILE = "IEP_RULES_API_KEY_FILE"
ENV_RULES = "IEP_RULES_EXTRA_RULES"  # extra rule files or folders, os.pathsep-separated
ENV_MAX_CASE_BYTES = "IEP_RULES_MAX_CASE_BYTES"
ENV_MAX_BATCH_BYTES = "IEP_RULES_MAX_BATCH_BYTES"
ENV_TIME_LIMIT = "IEP_RULES_TIME_LIMIT"
ENV_BATCH_TIME_LIMIT = "IEP_RULES_BATCH_TIME_LIMIT"

MIN_KEY_LENGTH = 16
DEFAULT_MAX_CASE_BYTES = 2 * 1024 * 1024  # one case file; real ones are tens of kilobytes
DEFAULT_MAX_BATCH_BYTES = 64 * 1024 * 1024  # one /audit body (JSON Lines)
DEFAULT_TIME_LIMIT = 10.0  # seconds for one /check, /ledger or other single request
DEFAULT_BATCH_TIME_LIMIT = 300.0  # seconds for one /audit request


class SettingsError(ValueError):
    """A setting is unusable; the message names the variable or file and what was expected."""


@attrs.frozen
class Settings:
    """What one service process needs; immutable once the app is built."""

    api_key: str | None = attrs.field(default=None, repr=False)  # never printed
    extra_rules: tuple[str, ...] = ()
    max_case_bytes: int = DEFAULT_MAX_CASE_BYTES
    max_batch_bytes: int = DEFAULT_MAX_BATCH_BYTES
    time_limit: float = DEFAULT_TIME_LIMIT
    batch_time_limit: float = DEFAULT_BATCH_TIME_LIMIT

    @property
    def auth_enabled(self) -> bool:
        return self.api_key is not None

    def key_matches(self, presented: str | None) -> bool:
        """Constant-time comparison, so response timing does not leak the key."""
        if self.api_key is None:
            return True
        if presented is None:
            return False
        return hmac.compare_digest(presented.encode("utf-8"), self.api_key.encode("utf-8"))


def _positive(env: Mapping[str, str], name: str, default: float, kind: type[float] | type[int],
              ) -> float:
    raw = env.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = kind(raw)
    except ValueError:
        raise SettingsError(f"{name}: expected a positive {kind.__name__}, got {raw!r}") from None
    if value <= 0:
        raise SettingsError(f"{name}: expected a positive {kind.__name__}, got {raw!r}")
    return value


def read_api_key(env: Mapping[str, str], key_file: str | Path | None = None) -> str | None:
    """The key from `key_file`, else IEP_RULES_API_KEY_FILE, else IEP_RULES_API_KEY, else None
    (authentication off). A key shorter than 16 characters is refused."""
    path = key_file or env.get(ENV_API_KEY_FILE) or None
    if path is not None:
        try:
            key = Path(path).read_text(encoding="utf-8").strip()
        except (OSError, UnicodeDecodeError) as exc:
            raise SettingsError(f"API key file {path}: cannot read it ({exc})") from None
        where = f"API key file {path}"
    else:
        raw = env.get(ENV_API_KEY)
        if raw is None:
            return None
        key, where = raw.strip(), ENV_API_KEY
    if len(key) < MIN_KEY_LENGTH:
        raise SettingsError(f"{where}: the API key must be at least {MIN_KEY_LENGTH} characters")
    return key


def settings_from_env(env: Mapping[str, str] | None = None) -> Settings:
    """Settings from environment variables (what `serve` sets for its workers)."""
    env = os.environ if env is None else env
    rules = tuple(p for p in env.get(ENV_RULES, "").split(os.pathsep) if p)
    return Settings(
        api_key=read_api_key(env),
        extra_rules=rules,
        max_case_bytes=int(_positive(env, ENV_MAX_CASE_BYTES, DEFAULT_MAX_CASE_BYTES, int)),
        max_batch_bytes=int(_positive(env, ENV_MAX_BATCH_BYTES, DEFAULT_MAX_BATCH_BYTES, int)),
        time_limit=_positive(env, ENV_TIME_LIMIT, DEFAULT_TIME_LIMIT, float),
        batch_time_limit=_positive(env, ENV_BATCH_TIME_LIMIT, DEFAULT_BATCH_TIME_LIMIT, float),
    )


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`: addresses no other machine can reach."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False
