"""`iep-rules serve`: run the HTTP service under uvicorn.

Click options set the same environment variables the workers read, so one worker and many
behave alike. FastAPI and uvicorn are imported only when the command runs: the CLI works
without the `service` extra installed.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from . import _settings as s


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to bind. The default is reachable from this machine only.")
@click.option("--port", type=click.IntRange(1, 65535), default=8000, show_default=True)
@click.option("--workers", type=click.IntRange(1, 64), default=1, show_default=True,
              help="uvicorn worker processes; each loads the rulebook once.")
@click.option("--rules", "extra_rules", multiple=True,
              type=click.Path(exists=True, path_type=Path),
              help="Extra rule file or folder, on top of the bundled rules (repeatable).")
@click.option("--api-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help=f"File holding the API key (or set {s.ENV_API_KEY_FILE} or {s.ENV_API_KEY}). "
                   "Never pass the key itself on a command line.")
@click.option("--time-limit", type=click.FloatRange(min=0.001),
              help=f"Seconds per request [default: {s.DEFAULT_TIME_LIMIT:g}].")
@click.option("--batch-time-limit", type=click.FloatRange(min=0.001),
              help=f"Seconds per /audit request [default: {s.DEFAULT_BATCH_TIME_LIMIT:g}].")
@click.option("--max-case-bytes", type=click.IntRange(min=1),
              help=f"Largest case body [default: {s.DEFAULT_MAX_CASE_BYTES}].")
@click.option("--max-batch-bytes", type=click.IntRange(min=1),
              help=f"Largest /audit body [default: {s.DEFAULT_MAX_BATCH_BYTES}].")
@click.option("--keep-alive", type=click.IntRange(min=1), default=5, show_default=True,
              help="Seconds an idle keep-alive connection stays open (uvicorn's default).")
@click.option("--log-level", type=click.Choice(["critical", "error", "warning", "info", "debug"]),
              default="info", show_default=True)
@click.option("--no-access-log", is_flag=True, help="No per-request log lines.")
def serve(host: str, port: int, workers: int, extra_rules: tuple[Path, ...],
          api_key_file: Path | None, time_limit: float | None, batch_time_limit: float | None,
          max_case_bytes: int | None, max_batch_bytes: int | None, keep_alive: int,
          log_level: str, no_access_log: bool) -> None:
    """Serve the checks over HTTP (POST /check, /audit, /ledger; GET /rules, /openapi.json).

    Needs the `service` extra: pip install 'iep-rules[service]'.

    Example: IEP_RULES_API_KEY_FILE=key.txt iep-rules serve --port 8000
    """
    try:
        import uvicorn

        from ._app import create_app
        from ._uvicorn import NoDelayH11Protocol
    except ImportError as exc:
        raise click.ClickException(f"the service needs the 'service' extra ({exc.name} is "
                                   "missing): pip install 'iep-rules[service]'") from None
    env = os.environ
    for name, value in ((s.ENV_TIME_LIMIT, time_limit), (s.ENV_BATCH_TIME_LIMIT, batch_time_limit),
                        (s.ENV_MAX_CASE_BYTES, max_case_bytes),
                        (s.ENV_MAX_BATCH_BYTES, max_batch_bytes)):
        if value is not None:
            env[name] = str(value)
    if api_key_file is not None:
        env[s.ENV_API_KEY_FILE] = str(api_key_file.resolve())
    if extra_rules:
        env[s.ENV_RULES] = os.pathsep.join(str(p.resolve()) for p in extra_rules)
    try:
        settings = s.settings_from_env(env)
    except s.SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if not s.is_loopback(host):
        warn = "without an API key: anyone who can reach it" if not settings.auth_enabled \
            else "with an API key but no TLS: put a TLS proxy in front"
        click.echo(f"warning: serving on {host}, beyond this machine, {warn}.", err=True)
    app = create_app(settings)  # loads the rulebook: a bad rule file stops here, exit 2
    options = {"host": host, "port": port, "log_level": log_level,
               "access_log": not no_access_log, "server_header": False,
               "http": NoDelayH11Protocol, "timeout_keep_alive": keep_alive}
    if workers == 1:
        uvicorn.run(app, **options)  # type: ignore[arg-type]
    else:
        del app  # each worker builds its own from the same environment
        uvicorn.run("iep_rules.service._app:app_from_env", factory=True, workers=workers,
                    **options)  # type: ignore[arg-type]
    sys.exit(0)

