"""The reads every receipt needs: the notification (live or past retention) and the service's callbacks."""
from __future__ import annotations

import uuid
from collections.abc import Iterable

from sqlalchemy import Table, select
from sqlalchemy.orm import Session

from notify_shared.callback_messages import NotificationSnapshot
from notify_shared.models import Notification, NotificationHistory, ServiceCallbackApi

NOTIFICATIONS: Table = Notification.__table__  # type: ignore[assignment]
HISTORY: Table = NotificationHistory.__table__  # type: ignore[assignment]
CALLBACK_APIS: Table = ServiceCallbackApi.__table__  # type: ignore[assignment]


def as_uuid(value: object) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError):
        return None


def lookup_columns(table: Table) -> list:
    columns = [table.c.id, table.c.service_id, table.c.status]
    if table is NOTIFICATIONS:
        columns += [table.c.to, table.c.client_reference, table.c.notification_type, table.c.template_id,
                    table.c.template_version, table.c.created_at, table.c.sent_at, table.c.updated_at]
    return columns


def find_notification(session: Session, table: Table, notification_id: uuid.UUID | None, reference: str | None):
    """By our id first (SMS providers echo it back), then by provider reference (SES message id)."""
    columns = lookup_columns(table)
    if notification_id is not None:
        row = session.execute(select(*columns).where(table.c.id == notification_id)).first()
        if row is not None:
            return row
    if reference:
        return session.execute(select(*columns).where(table.c.reference == reference).limit(1)).first()
    return None


def snapshot_of(row) -> NotificationSnapshot:
    return NotificationSnapshot(
        id=row.id, service_id=row.service_id, status=row.status, to=row.to, client_reference=row.client_reference,
        notification_type=row.notification_type, template_id=row.template_id,
        template_version=row.template_version, created_at=row.created_at, sent_at=row.sent_at,
        updated_at=row.updated_at,
    )


def services_with_callback(session: Session, service_ids: Iterable[uuid.UUID], callback_type: str) -> set[uuid.UUID]:
    ids = set(service_ids)
    if not ids:
        return set()
    query = select(CALLBACK_APIS.c.service_id).where(CALLBACK_APIS.c.service_id.in_(ids),
                                                     CALLBACK_APIS.c.callback_type == callback_type)
    return set(session.execute(query).scalars())


def has_callback(session: Session, service_id: uuid.UUID, callback_type: str) -> bool:
    return bool(services_with_callback(session, [service_id], callback_type))
