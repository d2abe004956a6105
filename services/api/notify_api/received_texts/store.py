"""Reads of a service's received texts. Takes an open session, does no network I/O."""
from __future__ import annotations

import uuid

from sqlalchemy import select, tuple_
from sqlalchemy.orm import Session

from notify_shared.models import InboundSms


def list_received_texts(session: Session, service_id: uuid.UUID, *, older_than: uuid.UUID | None,
                        limit: int) -> list[InboundSms]:
    """Newest first by (created_at, id), strictly older than the `older_than` text of this service.

    Reads one range of ix_inbound_sms_service_created, so a page costs the same however many texts the
    service has. An `older_than` that is not one of this service's texts gives an empty page (Notify).
    """
    query = select(InboundSms).where(InboundSms.service_id == service_id)
    if older_than is not None:
        cursor = session.execute(
            select(InboundSms.created_at, InboundSms.id)
            .where(InboundSms.id == older_than, InboundSms.service_id == service_id)
        ).first()
        if cursor is None:
            return []
        query = query.where(tuple_(InboundSms.created_at, InboundSms.id) < tuple_(cursor.created_at, cursor.id))
    query = query.order_by(InboundSms.created_at.desc(), InboundSms.id.desc()).limit(limit)
    return list(session.execute(query).scalars())
