"""`notify-admin services ...`"""
from __future__ import annotations

import uuid

import click

from ..admin import schemas
from ..admin import services as ops
from .runtime import SERVICE, Runtime, body, changed, comma_list, output, pass_runtime, retention_pairs


def _limit_options(command):  # noqa: ANN001, ANN202 - click decorator stack
    for name in ("international-sms-message-limit", "letter-message-limit", "email-message-limit",
                 "sms-message-limit", "rate-limit"):
        command = click.option(f"--{name}", type=int)(command)
    command = click.option("--retention", multiple=True, callback=retention_pairs, metavar="CHANNEL=DAYS",
                           help="Days to keep sms, email or letter notifications (repeatable).")(command)
    command = click.option("--permissions", callback=comma_list, help="Comma-separated, e.g. sms,email,letter")(command)
    command = click.option("--prefix-sms/--no-prefix-sms", default=None)(command)
    command = click.option("--contact-link")(command)
    command = click.option("--email-sender-local-part")(command)
    return command


def _limits(options: dict) -> dict:
    return {name: options[name] for name in ops.LIMIT_FIELDS}


@click.group("services")
def services() -> None:
    """Create, show and change services."""


@services.command("create")
@click.option("--name", required=True)
@click.option("--live/--trial", "live", default=False, help="Trial (restricted) unless --live.")
@click.option("--sms-sender", help="Default text message sender (default: notify).")
@_limit_options
@pass_runtime
def create(runtime: Runtime, name: str, live: bool, sms_sender: str | None, permissions: list[str] | None,
           retention: dict | None, prefix_sms: bool | None, contact_link: str | None,
           email_sender_local_part: str | None, **limits: int | None) -> None:
    service = runtime.run(ops.create_service, body(
        schemas.CREATE_SERVICE, name=name, restricted=not live, sms_sender=sms_sender, permissions=permissions,
        data_retention=retention, prefix_sms=prefix_sms, contact_link=contact_link,
        email_sender_local_part=email_sender_local_part, **_limits(limits),
    ))
    changed("service_created", service["id"])
    output(service)


@services.command("list")
@pass_runtime
def list_(runtime: Runtime) -> None:
    output(runtime.run(ops.list_services))


@services.command("get")
@SERVICE
@pass_runtime
def get(runtime: Runtime, service_id: uuid.UUID) -> None:
    output(runtime.run(ops.get_service, service_id))


@services.command("update")
@SERVICE
@click.option("--name")
@click.option("--live/--trial", "live", default=None)
@click.option("--active/--inactive", "active", default=None, help="--inactive suspends every key of the service.")
@_limit_options
@pass_runtime
def update(runtime: Runtime, service_id: uuid.UUID, name: str | None, live: bool | None, active: bool | None,
           permissions: list[str] | None, retention: dict | None, prefix_sms: bool | None,
           contact_link: str | None, email_sender_local_part: str | None, **limits: int | None) -> None:
    fields = body(
        schemas.UPDATE_SERVICE, name=name, restricted=None if live is None else not live, active=active,
        permissions=permissions, data_retention=retention, prefix_sms=prefix_sms, contact_link=contact_link,
        email_sender_local_part=email_sender_local_part, **_limits(limits),
    )
    service = runtime.run(ops.update_service, service_id, fields)
    changed("service_updated", service_id, fields=",".join(sorted(fields)))
    output(service)
