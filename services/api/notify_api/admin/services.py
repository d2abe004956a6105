"""Services: create, read, update (name, permissions, trial mode, active, limits, data retention)."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from notify_shared import provisioning
from notify_shared.errors import BadRequestError
from notify_shared.models import Service, ServiceDataRetention, utcnow

from . import serialise
from .lookups import service_or_404

# Columns an update may set as they are; permissions and retention need their own handling.
PLAIN_FIELDS = (
    "name", "restricted", "active", "email_sender_local_part", "rate_limit", "sms_message_limit",
    "email_message_limit", "letter_message_limit", "international_sms_message_limit", "prefix_sms", "contact_link",
)
LIMIT_FIELDS = ("rate_limit", "sms_message_limit", "email_message_limit", "letter_message_limit",
                "international_sms_message_limit")


def create_service(session: Session, body: dict[str, Any]) -> dict[str, Any]:
    name = body["name"].strip()
    _refuse_duplicate_name(session, name)
    service = provisioning.create_service(
        session,
        name=name,
        restricted=body.get("restricted", True),
        permissions=body.get("permissions"),
        email_sender_local_part=body.get("email_sender_local_part"),
        sms_sender=body.get("sms_sender", "notify"),
        # Columns provisioning passes on to the row as they are.
        **{field: body[field] for field in (*LIMIT_FIELDS, "prefix_sms", "contact_link") if field in body},
    )
    _set_retention(session, service.id, body.get("data_retention", {}))
    session.flush()
    return serialise.service(service, _retention(session, service.id))


def list_services(session: Session) -> list[dict[str, Any]]:
    services = session.execute(select(Service).order_by(Service.created_at, Service.id)).scalars().all()
    retention = _all_retention(session)
    return [serialise.service(s, retention.get(s.id, {})) for s in services]


def get_service(session: Session, service_id: uuid.UUID) -> dict[str, Any]:
    service = service_or_404(session, service_id)
    return serialise.service(service, _retention(session, service_id))


def update_service(session: Session, service_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
    service = service_or_404(session, service_id, for_update=True)
    changes = {field: body[field] for field in PLAIN_FIELDS if field in body}
    if "name" in changes:
        changes["name"] = changes["name"].strip()
        if changes["name"] != service.name:
            _refuse_duplicate_name(session, changes["name"], except_id=service.id)
    for field, value in changes.items():
        setattr(service, field, value)
    if "permissions" in body:
        service.permissions = sorted(body["permissions"])
    _set_retention(session, service.id, body.get("data_retention", {}))
    service.updated_at = utcnow()
    session.flush()
    return serialise.service(service, _retention(session, service.id))


def _refuse_duplicate_name(session: Session, name: str, *, except_id: uuid.UUID | None = None) -> None:
    # Notify compares names case-insensitively: "Tax" and "TAX" would confuse every recipient.
    query = select(Service.id).where(func.lower(Service.name) == name.lower())
    if except_id is not None:
        query = query.where(Service.id != except_id)
    if session.execute(query.limit(1)).first() is not None:
        raise BadRequestError(f"Duplicate service name '{name}'")


def _set_retention(session: Session, service_id: uuid.UUID, retention: dict[str, int]) -> None:
    for notification_type, days in retention.items():
        row = session.execute(
            select(ServiceDataRetention).where(ServiceDataRetention.service_id == service_id,
                                               ServiceDataRetention.notification_type == notification_type)
        ).scalar_one_or_none()
        if row is None:
            session.add(ServiceDataRetention(service_id=service_id, notification_type=notification_type,
                                             days_of_retention=days))
        else:
            row.days_of_retention = days


def _retention(session: Session, service_id: uuid.UUID) -> dict[str, int]:
    session.flush()
    rows = session.execute(
        select(ServiceDataRetention.notification_type, ServiceDataRetention.days_of_retention)
        .where(ServiceDataRetention.service_id == service_id)
        .order_by(ServiceDataRetention.notification_type)
    ).all()
    return {row.notification_type: row.days_of_retention for row in rows}


def _all_retention(session: Session) -> dict[uuid.UUID, dict[str, int]]:
    out: dict[uuid.UUID, dict[str, int]] = {}
    rows = session.execute(
        select(ServiceDataRetention.service_id, ServiceDataRetention.notification_type,
               ServiceDataRetention.days_of_retention).order_by(ServiceDataRetention.notification_type)
    ).all()
    for row in rows:
        out.setdefault(row.service_id, {})[row.notification_type] = row.days_of_retention
    return out
