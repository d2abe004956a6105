"""Who a team key, or any live key of a trial-mode service, may send to: the service's team members and
its guest list (Notify's `service_allowed_to_send_to`).

The tables belong to the admin API (migration 0002); they are read here with plain SQL so the public API
depends only on their columns. Both sides are normalised before comparing, so `07700 900123` on the list
matches `+447700900123` in a request, and email addresses match whatever their case.
"""
from __future__ import annotations

import uuid

from sqlalchemy import text
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from notify_shared.recipients import InvalidRecipient, validate_phone_number

_ALLOWED_RECIPIENTS = text("""
    SELECT 'email' AS kind, email_address AS recipient FROM service_team_members
     WHERE service_id = :service_id
    UNION ALL
    SELECT 'mobile', mobile_number FROM service_team_members
     WHERE service_id = :service_id AND mobile_number IS NOT NULL
    UNION ALL
    SELECT recipient_type, recipient FROM service_guest_list
     WHERE service_id = :service_id
""")


def _normalised_phone(number: str) -> str | None:
    try:
        return validate_phone_number(number, international=True)[0]
    except InvalidRecipient:
        return None


def may_receive(session: Session | Connection, service_id: uuid.UUID, *, email_address: str | None = None,
                phone_number: str | None = None) -> bool:
    """True if the (already validated and normalised) recipient is a team member or on the guest list."""
    for kind, recipient in session.execute(_ALLOWED_RECIPIENTS, {"service_id": service_id}):
        if kind == "email" and email_address is not None and recipient.strip().lower() == email_address.lower():
            return True
        if kind == "mobile" and phone_number is not None and _normalised_phone(recipient) == phone_number:
            return True
    return False
