"""What every `notify-admin` command shares: settings, the database, JSON output, errors and the audit log.

Commands write straight to the database (DATABASE_URL) and encrypt with SECRET_KEY, so they need no running
API. Output is JSON on stdout (`{"data": ...}`, as the admin API answers); errors are Notify's envelope on
stderr with exit status 1; log lines go to stderr.
"""
from __future__ import annotations

import json
import sys
import uuid
from collections.abc import Callable
from functools import cached_property
from typing import Any

import click

from notify_shared.config import Settings, redact_url
from notify_shared.crypto import SecretBox
from notify_shared.db import DB_UNAVAILABLE_ERRORS, Database
from notify_shared.errors import InternalServerError, NotifyError, ServiceUnavailableError
from notify_shared.logging import configure_logging, get_logger

from ..admin.config import AdminSettings
from ..admin.transaction import in_transaction
from ..admin.validation import validated

log = get_logger("notify_api.cli")

SERVICE_NAME = "notify-admin"


class Runtime:
    def __init__(self) -> None:
        self.settings = Settings.from_env(SERVICE_NAME)
        self.admin = AdminSettings.from_env()
        configure_logging(SERVICE_NAME, self.settings.log_format, self.settings.log_level, stream=sys.stderr)

    @cached_property
    def db(self) -> Database:
        # One command, one connection.
        return Database(self.settings, pool_size=1, application_name=SERVICE_NAME)

    @cached_property
    def box(self) -> SecretBox:
        return SecretBox(self.settings.secret_key)

    def run(self, operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
        return in_transaction(self.db, operation, *args, **kwargs)

    def close(self) -> None:
        if "db" in self.__dict__:
            self.db.dispose()


pass_runtime = click.make_pass_decorator(Runtime)

# The service a command acts on.
SERVICE = click.option("--service", "service_id", type=click.UUID, required=True)


class AdminGroup(click.Group):
    """Turns the errors every command may meet into Notify's envelope on stderr and exit status 1."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except NotifyError as error:
            fail(error)
        except DB_UNAVAILABLE_ERRORS as error:
            runtime = ctx.find_object(Runtime)
            where = redact_url(runtime.settings.database_url) if runtime else "the database"
            log.error("database_unavailable", error=type(error).__name__)
            fail(ServiceUnavailableError(f"Database unavailable: could not reach {where}"))
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise  # usage errors and --help: click reports them itself
        except Exception as error:
            # A bug or an unmigrated database: the details go to the log (stderr), the envelope stays short.
            log.exception("admin_command_failed", error=type(error).__name__)
            fail(InternalServerError(f"Unexpected {type(error).__name__}; see the log line above"))


def fail(error: NotifyError) -> None:
    click.echo(json.dumps(error.to_body()), err=True)
    raise SystemExit(1)


def body(schema: dict[str, Any], **fields: Any) -> dict[str, Any]:
    """The request body the admin API would receive: options left out are absent, then the same validation."""
    return validated({name: value for name, value in fields.items() if value is not None}, schema)


def output(data: Any) -> None:
    click.echo(json.dumps({"data": data}, indent=2))


def changed(action: str, service_id: uuid.UUID | str | None = None, **ids: object) -> None:
    """The audit line the admin API writes too, never with a secret."""
    log.info("admin_change", action=action, via="cli", service_id=str(service_id) if service_id else None,
             **{name: str(value) for name, value in ids.items()})


def comma_list(_ctx: click.Context, _param: click.Parameter, value: str | None) -> list[str] | None:
    if value is None:
        return None
    return [item.strip() for item in value.split(",") if item.strip()]


def retention_pairs(_ctx: click.Context, _param: click.Parameter, values: tuple[str, ...]) -> dict[str, int] | None:
    if not values:
        return None
    retention: dict[str, int] = {}
    for value in values:
        channel, sep, days = value.partition("=")
        if not sep or not days.strip().lstrip("-").isdigit():
            raise click.BadParameter(f"{value!r} is not CHANNEL=DAYS, e.g. sms=30")
        retention[channel.strip()] = int(days)
    return retention
