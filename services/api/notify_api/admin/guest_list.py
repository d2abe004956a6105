"""The guest list: the mobile numbers and email addresses, besides the team, that a trial-mode service or
a team key may send to (Notify's `service_whitelist`)."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notify_shared.admin_models import ServiceGuestList

from . import serialise
from .lookups import owned_or_404, service_or_404, service_rows
from .recipients import normalised


def add_guest(session: Session, service_id: uuid.UUID, body: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Adding a recipient already on the list is not an error: (entry, whether it was added now)."""
    recipient = normalised(body["recipient_type"], body["recipient"])
    service_or_404(session, service_id)
    existing = session.execute(
        select(ServiceGuestList).where(ServiceGuestList.service_id == service_id,
                                       ServiceGuestList.recipient_type == body["recipient_type"],
                                       ServiceGuestList.recipient == recipient)
    ).scalar_one_or_none()
    if existing is not None:
        return serialise.guest(existing), False
    entry = ServiceGuestList(service_id=service_id, recipient_type=body["recipient_type"], recipient=recipient)
    session.add(entry)
    session.flush()
    return serialise.guest(entry), True


def list_guests(session: Session, service_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = service_rows(session, ServiceGuestList, service_id,
                        order_by=(ServiceGuestList.recipient_type, ServiceGuestList.recipient))
    return [serialise.guest(row) for row in rows]


def remove_guest(session: Session, service_id: uuid.UUID, entry_id: uuid.UUID) -> None:
    service_or_404(session, service_id)
    session.delete(owned_or_404(session, ServiceGuestList, entry_id, service_id))
