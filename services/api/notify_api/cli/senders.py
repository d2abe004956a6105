"""`notify-admin sms-senders ...` and `notify-admin reply-to ...`"""
from __future__ import annotations

import uuid

import click

from ..admin import schemas
from ..admin import senders as ops
from .row_commands import register_add, register_change, register_list, register_update, row_option
from .runtime import SERVICE, Runtime, body, changed, output, pass_runtime

DEFAULT = click.option("--default", "is_default", is_flag=True, default=None, help="Make it the default.")


@click.group("sms-senders")
def sms_senders() -> None:
    """Text message senders; the default one is used when a request names none."""


@sms_senders.command("add")
@SERVICE
@click.option("--sender", "sms_sender", required=True)
@DEFAULT
@click.option("--inbound-number", "inbound_number_id", type=click.UUID, help="An inbound number of this service.")
@pass_runtime
def add_sms_sender(runtime: Runtime, service_id: uuid.UUID, sms_sender: str, is_default: bool | None,
                   inbound_number_id: uuid.UUID | None) -> None:
    # Not register_add: the body takes the inbound number's id as text.
    sender = runtime.run(ops.add_sms_sender, service_id, body(
        schemas.CREATE_SMS_SENDER, sms_sender=sms_sender, is_default=is_default,
        inbound_number_id=str(inbound_number_id) if inbound_number_id else None))
    changed("sms_sender_added", service_id, sms_sender_id=sender["id"])
    output(sender)


register_list(sms_senders, ops.list_sms_senders)
register_update(sms_senders, ops.update_sms_sender, row_option("--id"), schema=schemas.UPDATE_SMS_SENDER,
                options=(click.option("--sender", "sms_sender"), DEFAULT),
                action="sms_sender_updated", logged_id="sms_sender_id")
register_change(sms_senders, "archive", ops.archive_sms_sender, row_option("--id"),
                action="sms_sender_archived", logged_id="sms_sender_id")


@click.group("reply-to")
def reply_to() -> None:
    """Email reply-to addresses; the default one is used when a request names none."""


register_add(reply_to, ops.add_email_reply_to, schema=schemas.CREATE_EMAIL_REPLY_TO,
             options=(click.option("--email", "email_address", required=True), DEFAULT),
             action="email_reply_to_added", logged_id="email_reply_to_id")
register_list(reply_to, ops.list_email_reply_to)
register_update(reply_to, ops.update_email_reply_to, row_option("--id"), schema=schemas.UPDATE_EMAIL_REPLY_TO,
                options=(click.option("--email", "email_address"), DEFAULT),
                action="email_reply_to_updated", logged_id="email_reply_to_id")
register_change(reply_to, "archive", ops.archive_email_reply_to, row_option("--id"),
                action="email_reply_to_archived", logged_id="email_reply_to_id")
