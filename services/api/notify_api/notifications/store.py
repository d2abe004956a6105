"""Reads and writes for the notifications API. Every function takes an open session and does no network I/O."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, bindparam, or_, select, tuple_, union_all
from sqlalchemy.orm import Session

from notify_shared.models import Notification, ServiceEmailReplyTo, ServiceSmsSender, Template, TemplateHistory


@dataclass(frozen=True)
class TemplateRecord:
    id: uuid.UUID
    template_type: str
    content: str
    subject: str | None
    version: int
    archived: bool
    postage: str | None


@dataclass(frozen=True)
class StoredNotification:
    """A notification row with the text of the template version it was sent with."""

    notification: Notification
    template_content: str | None
    template_subject: str | None


# The intake path's two statements are built once: constructing them per request costs more CPU than
# PostgreSQL spends running them (reference/intake-floor.md).
_TEMPLATE_FOR_SERVICE = (
    select(Template.id, Template.template_type, Template.content, Template.subject, Template.version,
           Template.archived, Template.postage)
    .where(Template.id == bindparam("template_id"), Template.service_id == bindparam("service_id"))
)
_INSERT_NOTIFICATION = Notification.__table__.insert()


def get_template(session: Session, service_id: uuid.UUID, template_id: uuid.UUID) -> TemplateRecord | None:
    row = session.execute(_TEMPLATE_FOR_SERVICE, {"template_id": template_id, "service_id": service_id}).first()
    return TemplateRecord(*row) if row else None


def get_sms_sender(session: Session, service_id: uuid.UUID, sms_sender_id: uuid.UUID) -> str | None:
    return session.execute(
        select(ServiceSmsSender.sms_sender)
        .where(ServiceSmsSender.id == sms_sender_id, ServiceSmsSender.service_id == service_id,
               ServiceSmsSender.archived.is_(False))
    ).scalar_one_or_none()


def get_email_reply_to(session: Session, service_id: uuid.UUID, reply_to_id: uuid.UUID) -> str | None:
    return session.execute(
        select(ServiceEmailReplyTo.email_address)
        .where(ServiceEmailReplyTo.id == reply_to_id, ServiceEmailReplyTo.service_id == service_id,
               ServiceEmailReplyTo.archived.is_(False))
    ).scalar_one_or_none()


def insert_notification(session: Session, values: dict[str, Any]) -> None:
    # Core insert: one statement, no ORM unit-of-work bookkeeping on the hottest path.
    session.execute(_INSERT_NOTIFICATION, values)


def _with_template_text():
    return (
        select(Notification, TemplateHistory.content, TemplateHistory.subject)
        .outerjoin(TemplateHistory, and_(TemplateHistory.id == Notification.template_id,
                                         TemplateHistory.version == Notification.template_version))
    )


def get_notification(session: Session, service_id: uuid.UUID, notification_id: uuid.UUID) -> StoredNotification | None:
    row = session.execute(
        _with_template_text().where(Notification.id == notification_id, Notification.service_id == service_id)
    ).first()
    return StoredNotification(*row) if row else None


def get_type_and_status(session: Session, service_id: uuid.UUID,
                        notification_id: uuid.UUID) -> tuple[str, str] | None:
    row = session.execute(
        select(Notification.notification_type, Notification.status)
        .where(Notification.id == notification_id, Notification.service_id == service_id)
    ).first()
    return (row.notification_type, row.status) if row else None


@dataclass(frozen=True)
class ListFilter:
    key_types: Sequence[str]
    statuses: Sequence[str] = ()
    template_types: Sequence[str] = ()
    client_reference: str | None = None
    include_jobs: bool = False


def list_notifications(session: Session, service_id: uuid.UUID, filters: ListFilter, *,
                       older_than: uuid.UUID | None, limit: int) -> list[StoredNotification]:
    """Newest first by (created_at, id), strictly older than the `older_than` notification.

    Each key type is read as its own range of ix_notifications_service_created and the ranges are merged,
    so a page costs the same however many notifications the service has. An `older_than` id that is not
    one of this service's notifications gives an empty page, as in Notify.
    """
    cursor: tuple[datetime, uuid.UUID] | None = None
    if older_than is not None:
        found = session.execute(
            select(Notification.created_at, Notification.id)
            .where(Notification.id == older_than, Notification.service_id == service_id)
        ).first()
        if found is None:
            return []
        cursor = (found.created_at, found.id)

    order = (Notification.created_at.desc(), Notification.id.desc())
    branches = []
    for key_type in filters.key_types:
        query = (
            select(Notification.id, Notification.created_at)
            .where(Notification.service_id == service_id, Notification.key_type == key_type,
                   *_conditions(filters))
        )
        if cursor is not None:
            query = query.where(tuple_(Notification.created_at, Notification.id) < tuple_(*cursor))
        branches.append(query.order_by(*order).limit(limit))
    if not branches:
        return []
    page = (union_all(*branches) if len(branches) > 1 else branches[0]).subquery("page")

    rows = session.execute(
        _with_template_text()
        .join(page, page.c.id == Notification.id)
        .order_by(*order)
        .limit(limit)
    ).all()
    return [StoredNotification(*row) for row in rows]


def _conditions(filters: ListFilter) -> list:
    conditions = []
    if filters.statuses:
        conditions.append(Notification.status.in_(list(filters.statuses)))
    if filters.template_types:
        conditions.append(Notification.notification_type.in_(list(filters.template_types)))
    if filters.client_reference is not None:
        conditions.append(Notification.client_reference == filters.client_reference)
    # Notify leaves out one-off sends made in the web interface always, and CSV-job sends unless asked.
    if filters.include_jobs:
        conditions.append(or_(Notification.job_id.is_not(None), Notification.created_by_name.is_(None)))
    else:
        conditions.append(and_(Notification.job_id.is_(None), Notification.created_by_name.is_(None)))
    return conditions
