"""Storing received texts for the service that owns the inbound number (receipts worker side).

Holds a database session and never talks to the network; the receipts worker publishes the inbound
callback this returns once the transaction has committed. Rules from Notify
(app/notifications/receive_notifications.py): the number must be an active inbound number of exactly
one service, and that service must have both the `sms` and `inbound_sms` permissions; otherwise the
text is dropped with a log line (the provider was already answered 200).
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert

from notify_shared.callback_messages import INBOUND_SMS_CALLBACK, inbound_sms_envelope
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.envelope import Envelope
from notify_shared.models import InboundNumber, InboundSms, Service, ServiceCallbackApi

from .inbound_messages import InboundMessageError, inbound_number_candidates, read_inbound_envelope

STORED = "stored"
ALREADY_STORED = "already_stored"
UNKNOWN_NUMBER = "unknown_number"
NOT_PERMITTED = "not_permitted"
UNREADABLE = "unreadable"

REQUIRED_PERMISSIONS = {"sms", "inbound_sms"}


@dataclass(frozen=True)
class InboundOutcome:
    result: str
    inbound_sms_id: str | None = None
    service_id: str | None = None
    notify_number: str | None = None
    reason: str | None = None
    callbacks: tuple[Envelope, ...] = field(default_factory=tuple)


def store_inbound_sms(db: Database, box: SecretBox, envelope: Envelope) -> InboundOutcome:
    try:
        text = read_inbound_envelope(envelope, box)
    except InboundMessageError as exc:
        return InboundOutcome(UNREADABLE, reason=str(exc))

    with db.session() as session:
        owners = session.execute(
            select(InboundNumber.number, InboundNumber.service_id, Service.permissions)
            .join(Service, Service.id == InboundNumber.service_id)
            .where(InboundNumber.number.in_(inbound_number_candidates(text.notify_number)),
                   InboundNumber.active.is_(True))
        ).all()
        if len(owners) != 1:
            return InboundOutcome(UNKNOWN_NUMBER, str(text.inbound_sms_id), notify_number=text.notify_number,
                                  reason=f"{len(owners)} services own this number")
        owner = owners[0]
        if not REQUIRED_PERMISSIONS <= set(owner.permissions or ()):
            return InboundOutcome(NOT_PERMITTED, str(text.inbound_sms_id), str(owner.service_id), owner.number,
                                  reason="service lacks the inbound_sms permission")

        inserted = session.execute(
            insert(InboundSms).values(
                id=text.inbound_sms_id, service_id=owner.service_id, notify_number=owner.number,
                user_number=text.user_number, content=box.encrypt(text.content), provider=text.provider,
                provider_reference=text.provider_reference, provider_date=text.provider_date,
                created_at=text.received_at,
            ).on_conflict_do_nothing(index_elements=[InboundSms.id]).returning(InboundSms.id)
        ).first()
        if inserted is None:
            # Already stored by an earlier delivery of this message, which also queued the callback.
            return InboundOutcome(ALREADY_STORED, str(text.inbound_sms_id), str(owner.service_id), owner.number)

        has_callback = session.execute(
            select(ServiceCallbackApi.id).where(ServiceCallbackApi.service_id == owner.service_id,
                                                ServiceCallbackApi.callback_type == INBOUND_SMS_CALLBACK)
        ).first() is not None

    callbacks: tuple[Envelope, ...] = ()
    if has_callback:
        callbacks = (inbound_sms_envelope(
            inbound_sms_id=text.inbound_sms_id, service_id=owner.service_id, source_number=text.user_number,
            destination_number=owner.number, message=text.content,
            date_received=text.provider_date or text.received_at, box=box, request_id=envelope.request_id,
        ),)
    return InboundOutcome(STORED, str(text.inbound_sms_id), str(owner.service_id), owner.number, callbacks=callbacks)

