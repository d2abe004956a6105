"""`notify-admin sms-senders ...` and `notify-admin reply-to ...`"""
from __future__ import annotations

import uuid

import click

from ..admin import schemas
from ..admin import senders as ops
from .runtime import Runtime, body, changed, output, pass_runtime

SERVICE = click.option("--service", "service_id", type=click.UUID, required=True)


@click.group("sms-senders")
def sms_senders() -> None:
    """Text message senders; the default one is used when a request names none."""


@sms_senders.command("add")
@SERVICE
@click.option("--sender", "sms_sender", required=True)
@click.option("--default", "is_default", is_flag=True, default=None, help="Make it the default.")
@click.option("--inbound-number", "inbound_number_id", type=click.UUID, help="An inbound number of this service.")
@pass_runtime
def add_sms_sender(runtime: Runtime, service_id: uuid.UUID, sms_sender: str, is_default: bool | None,
                   inbound_number_id: uuid.UUID | None) -> None:
    sender = runtime.run(ops.add_sms_sender, service_id, body(
        schemas.CREATE_SMS_SENDER, sms_sender=sms_sender, is_default=is_default,
        inbound_number_id=str(inbound_number_id) if inbound_number_id else None))
    changed("sms_sender_added", service_id, sms_sender_id=sender["id"])
    output(sender)


@sms_senders.command("list")
@SERVICE
@pass_runtime
def list_sms_senders(runtime: Runtime, service_id: uuid.UUID) -> None:
    output(runtime.run(ops.list_sms_senders, service_id))


@sms_senders.command("update")
@SERVICE
@click.option("--id", "sender_id", type=click.UUID, required=True)
@click.option("--sender", "sms_sender")
@click.option("--default", "is_default", is_flag=True, default=None, help="Make it the default.")
@pass_runtime
def update_sms_sender(runtime: Runtime, service_id: uuid.UUID, sender_id: uuid.UUID, sms_sender: str | None,
                      is_default: bool | None) -> None:
    sender = runtime.run(ops.update_sms_sender, service_id, sender_id,
                         body(schemas.UPDATE_SMS_SENDER, sms_sender=sms_sender, is_default=is_default))
    changed("sms_sender_updated", service_id, sms_sender_id=sender_id)
    output(sender)


@sms_senders.command("archive")
@SERVICE
@click.option("--id", "sender_id", type=click.UUID, required=True)
@pass_runtime
def archive_sms_sender(runtime: Runtime, service_id: uuid.UUID, sender_id: uuid.UUID) -> None:
    sender = runtime.run(ops.archive_sms_sender, service_id, sender_id)
    changed("sms_sender_archived", service_id, sms_sender_id=sender_id)
    output(sender)


@click.group("reply-to")
def reply_to() -> None:
    """Email reply-to addresses; the default one is used when a request names none."""


@reply_to.command("add")
@SERVICE
@click.option("--email", "email_address", required=True)
@click.option("--default", "is_default", is_flag=True, default=None, help="Make it the default.")
@pass_runtime
def add_reply_to(runtime: Runtime, service_id: uuid.UUID, email_address: str, is_default: bool | None) -> None:
    address = runtime.run(ops.add_email_reply_to, service_id,
                          body(schemas.CREATE_EMAIL_REPLY_TO, email_address=email_address, is_default=is_default))
    changed("email_reply_to_added", service_id, email_reply_to_id=address["id"])
    output(address)


@reply_to.command("list")
@SERVICE
@pass_runtime
def list_reply_to(runtime: Runtime, service_id: uuid.UUID) -> None:
    output(runtime.run(ops.list_email_reply_to, service_id))


@reply_to.command("update")
@SERVICE
@click.option("--id", "reply_to_id", type=click.UUID, required=True)
@click.option("--email", "email_address")
@click.option("--default", "is_default", is_flag=True, default=None, help="Make it the default.")
@pass_runtime
def update_reply_to(runtime: Runtime, service_id: uuid.UUID, reply_to_id: uuid.UUID, email_address: str | None,
                    is_default: bool | None) -> None:
    address = runtime.run(ops.update_email_reply_to, service_id, reply_to_id,
                          body(schemas.UPDATE_EMAIL_REPLY_TO, email_address=email_address, is_default=is_default))
    changed("email_reply_to_updated", service_id, email_reply_to_id=reply_to_id)
    output(address)


@reply_to.command("archive")
@SERVICE
@click.option("--id", "reply_to_id", type=click.UUID, required=True)
@pass_runtime
def archive_reply_to(runtime: Runtime, service_id: uuid.UUID, reply_to_id: uuid.UUID) -> None:
    address = runtime.run(ops.archive_email_reply_to, service_id, reply_to_id)
    changed("email_reply_to_archived", service_id, email_reply_to_id=reply_to_id)
    output(address)
