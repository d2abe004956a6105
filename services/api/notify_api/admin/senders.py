"""Text message senders and email reply-to addresses. A service always has at most one default of each,
which the public API uses when a request names none; the rules and messages are Notify's
(app/dao/service_sms_sender_dao.py, app/dao/service_email_reply_to_dao.py)."""
from __future__ import annotations

import uuid
from typing import Any, TypeVar

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from notify_shared import provisioning
from notify_shared.errors import BadRequestError
from notify_shared.models import InboundNumber, ServiceEmailReplyTo, ServiceSmsSender

from . import serialise
from .lookups import owned_or_404, service_or_404, service_rows

SMS_SENDER_DEFAULT_REQUIRED = "You must have at least one SMS sender as the default"
SMS_SENDER_DEFAULT_NOT_DELETABLE = "You cannot delete a default sms sender"
INBOUND_NUMBER_NOT_DELETABLE = "You cannot delete an inbound number"
INBOUND_NUMBER_NOT_EDITABLE = "You cannot change the sender of an inbound number"
REPLY_TO_DEFAULT_REQUIRED = "You must have at least one reply to email address as the default"
REPLY_TO_DEFAULT_NOT_DELETABLE = "You cannot delete a default email reply to address if other reply to addresses exist"

# Both kinds of sender are rows with a service_id, an is_default flag and an archived flag.
Sender = TypeVar("Sender", ServiceSmsSender, ServiceEmailReplyTo)


def add_sms_sender(session: Session, service_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
    service_or_404(session, service_id, for_update=True)  # serialises default changes per service
    inbound_number_id = uuid.UUID(body["inbound_number_id"]) if body.get("inbound_number_id") else None
    if inbound_number_id is not None:
        number = session.get(InboundNumber, inbound_number_id)
        if number is None or number.service_id != service_id:
            raise BadRequestError("inbound_number_id is not an inbound number of this service")
    is_default = _new_default(session, ServiceSmsSender, service_id, body)
    sender = ServiceSmsSender(service_id=service_id, sms_sender=body["sms_sender"], is_default=is_default,
                              inbound_number_id=inbound_number_id)
    session.add(sender)
    session.flush()
    return serialise.sms_sender(sender)


def list_sms_senders(session: Session, service_id: uuid.UUID) -> list[dict[str, Any]]:
    return [serialise.sms_sender(row) for row in _live_senders(session, ServiceSmsSender, service_id)]


def update_sms_sender(session: Session, service_id: uuid.UUID, sender_id: uuid.UUID,
                      body: dict[str, Any]) -> dict[str, Any]:
    sender = _to_change(session, ServiceSmsSender, sender_id, service_id, "sms sender")
    if "sms_sender" in body and body["sms_sender"] != sender.sms_sender:
        if sender.inbound_number_id is not None:
            raise BadRequestError(INBOUND_NUMBER_NOT_EDITABLE)
        sender.sms_sender = body["sms_sender"]
    _change_default(session, sender, body, SMS_SENDER_DEFAULT_REQUIRED)
    session.flush()
    return serialise.sms_sender(sender)


def archive_sms_sender(session: Session, service_id: uuid.UUID, sender_id: uuid.UUID) -> dict[str, Any]:
    service_or_404(session, service_id, for_update=True)
    sender = owned_or_404(session, ServiceSmsSender, sender_id, service_id)
    if sender.inbound_number_id is not None:
        raise BadRequestError(INBOUND_NUMBER_NOT_DELETABLE)
    if sender.is_default:
        raise BadRequestError(SMS_SENDER_DEFAULT_NOT_DELETABLE)
    sender.archived = True
    session.flush()
    return serialise.sms_sender(sender)


def add_email_reply_to(session: Session, service_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
    service_or_404(session, service_id, for_update=True)
    is_default = _new_default(session, ServiceEmailReplyTo, service_id, body)
    reply_to = provisioning.add_email_reply_to(session, service_id=service_id,
                                               email_address=body["email_address"].strip(), is_default=is_default)
    return serialise.email_reply_to(reply_to)


def list_email_reply_to(session: Session, service_id: uuid.UUID) -> list[dict[str, Any]]:
    return [serialise.email_reply_to(row) for row in _live_senders(session, ServiceEmailReplyTo, service_id)]


def update_email_reply_to(session: Session, service_id: uuid.UUID, reply_to_id: uuid.UUID,
                          body: dict[str, Any]) -> dict[str, Any]:
    reply_to = _to_change(session, ServiceEmailReplyTo, reply_to_id, service_id, "reply-to address")
    if "email_address" in body:
        reply_to.email_address = body["email_address"].strip()
    _change_default(session, reply_to, body, REPLY_TO_DEFAULT_REQUIRED)
    session.flush()
    return serialise.email_reply_to(reply_to)


def archive_email_reply_to(session: Session, service_id: uuid.UUID, reply_to_id: uuid.UUID) -> dict[str, Any]:
    service_or_404(session, service_id, for_update=True)
    reply_to = owned_or_404(session, ServiceEmailReplyTo, reply_to_id, service_id)
    if reply_to.is_default:
        others = session.execute(
            select(ServiceEmailReplyTo.id).where(ServiceEmailReplyTo.service_id == service_id,
                                                 ServiceEmailReplyTo.id != reply_to_id,
                                                 ServiceEmailReplyTo.archived.is_(False)).limit(1)
        ).first()
        if others is not None:
            raise BadRequestError(REPLY_TO_DEFAULT_NOT_DELETABLE)
        # The last address may go; the service then sends without a reply-to, as a new service does.
        reply_to.is_default = False
    reply_to.archived = True
    session.flush()
    return serialise.email_reply_to(reply_to)


def _to_change(session: Session, model: type[Sender], sender_id: uuid.UUID, service_id: uuid.UUID,
               what: str) -> Sender:
    """The sender an update acts on, with its service locked (default changes are serialised per service)."""
    service_or_404(session, service_id, for_update=True)
    sender = owned_or_404(session, model, sender_id, service_id)
    if sender.archived:
        raise BadRequestError(f"This {what} has been archived and cannot be changed")
    return sender


def _live_senders(session: Session, model: type[Sender], service_id: uuid.UUID) -> list[Sender]:
    """The service's senders of one kind that are not archived, the default first."""
    return service_rows(session, model, service_id, where=(model.archived.is_(False),),
                        order_by=(model.is_default.desc(), model.created_at, model.id))


def _new_default(session: Session, model: type[Sender], service_id: uuid.UUID, body: dict[str, Any]) -> bool:
    """Whether a new sender is the default: when asked, or when the service has none yet. The old default
    gives way first."""
    is_default = body.get("is_default", False) or not _has_default(session, model, service_id)
    if is_default:
        _clear_default(session, model, service_id)
    return is_default


def _change_default(session: Session, sender: Sender, body: dict[str, Any], default_required: str) -> None:
    # A sender becomes the default by asking; it stops being one only when another takes over.
    if body.get("is_default") is True and not sender.is_default:
        _clear_default(session, type(sender), sender.service_id)
        sender.is_default = True
    elif body.get("is_default") is False and sender.is_default:
        raise BadRequestError(default_required)


def _has_default(session: Session, model: type[Sender], service_id: uuid.UUID) -> bool:
    return session.execute(
        select(model.id).where(model.service_id == service_id, model.is_default.is_(True),
                               model.archived.is_(False)).limit(1)
    ).first() is not None


def _clear_default(session: Session, model: type[Sender], service_id: uuid.UUID) -> None:
    session.execute(update(model).where(model.service_id == service_id).values(is_default=False))
