"""Reads and writes for the notifications API. Every function takes an open session and does no network I/O."""
from __future__ import annotations

import uuid
from collections import namedtuple
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import String, and_, bindparam, cast, func, literal_column, or_, select, text, tuple_, union_all
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from notify_shared.models import Notification, ServiceEmailReplyTo, ServiceSmsSender, Template, TemplateHistory

# The send path runs in a Core transaction (Database.transaction), the readers in an ORM session; the
# statements here work in either.
Executor = Session | Connection


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
    """A notification row with the text of the template version it was sent with.

    `notification` is a Notification, or for a listed page a ListedNotification (same attribute names).
    """

    notification: Notification | ListedNotification
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


def get_template(session: Executor, service_id: uuid.UUID, template_id: uuid.UUID) -> TemplateRecord | None:
    row = session.execute(_TEMPLATE_FOR_SERVICE, {"template_id": template_id, "service_id": service_id}).first()
    return TemplateRecord(*row) if row else None


def get_sms_sender(session: Executor, service_id: uuid.UUID, sms_sender_id: uuid.UUID) -> str | None:
    return session.execute(
        select(ServiceSmsSender.sms_sender)
        .where(ServiceSmsSender.id == sms_sender_id, ServiceSmsSender.service_id == service_id,
               ServiceSmsSender.archived.is_(False))
    ).scalar_one_or_none()


def get_email_reply_to(session: Executor, service_id: uuid.UUID, reply_to_id: uuid.UUID) -> str | None:
    return session.execute(
        select(ServiceEmailReplyTo.email_address)
        .where(ServiceEmailReplyTo.id == reply_to_id, ServiceEmailReplyTo.service_id == service_id,
               ServiceEmailReplyTo.archived.is_(False))
    ).scalar_one_or_none()


def insert_notification(db: Executor, values: dict[str, Any]) -> None:
    # A Core insert (on a session's connection: the same transaction): one statement, and none of the ORM's
    # per-statement execution machinery on the hottest path.
    connection = db.connection() if isinstance(db, Session) else db
    connection.execute(_INSERT_NOTIFICATION, values)


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




def _notify_timestamp(column: Any) -> Any:
    """The column as Notify's timestamp text (serialise.DATETIME_FORMAT), made by PostgreSQL."""
    return func.to_char(func.timezone("UTC", column), 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"').label(column.key)


# A page reads only what the v2 body and its cost need, with ids and timestamps as text: for 250 rows,
# ORM instances, a uuid.UUID per UUID cell and a datetime per timestamp parsed then formatted again cost
# several times what PostgreSQL spends on the query.
_PAGE_COLUMNS = (
    cast(Notification.id, String).label("id"),
    cast(Notification.template_id, String).label("template_id"),
    Notification.template_version, Notification.notification_type, Notification.to, Notification.status,
    Notification.client_reference, Notification.personalisation, _notify_timestamp(Notification.created_at),
    _notify_timestamp(Notification.sent_at), _notify_timestamp(Notification.updated_at),
    _notify_timestamp(Notification.completed_at), Notification.created_by_name, Notification.postage,
    Notification.one_click_unsubscribe_url, Notification.billable_units, Notification.rate_multiplier,
    Notification.international, Notification.phone_prefix,
)
# What a listed page holds per notification: a tuple with a Notification's attribute names (timestamps
# already text), read several times per field while serialising (~10x cheaper than a Row's attributes).
ListedNotification = namedtuple("ListedNotification", [column.name for column in _PAGE_COLUMNS])
_PAGE_WIDTH = len(_PAGE_COLUMNS)


def list_notifications(session: Session, service_id: uuid.UUID, filters: ListFilter, *,
                       older_than: uuid.UUID | None, limit: int) -> list[StoredNotification]:
    """Newest first by (created_at, id), strictly older than the `older_than` notification.

    Each key type (and, when the caller filters by status, each status) is read as its own range of
    ix_notifications_service_created (ix_notifications_service_status_created) and the ranges are merged,
    so a page costs the same however many notifications the service has, and a status few of them are in
    (failures, in flight) is found without filtering the service's whole history. An `older_than` id that
    is not one of this service's notifications gives an empty page, as in Notify.
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
    conditions = _conditions(filters)
    if cursor is not None:
        conditions.append(tuple_(Notification.created_at, Notification.id) < tuple_(*cursor))
    ranges = [(Notification.key_type == key_type,) if status is None
              else (Notification.key_type == key_type, Notification.status == status)
              for key_type in filters.key_types for status in (filters.statuses or (None,))]
    if not ranges:
        return []
    if len(ranges) == 1:
        rows = session.execute(
            select(*_PAGE_COLUMNS).where(Notification.service_id == service_id, *ranges[0], *conditions)
            .order_by(*order).limit(limit)
        ).all()
    else:
        # The raw sort key rides at the end of each row only to merge the ranges in the index's order
        # (ordering the union by column name: a subquery's column objects cost ~2 ms to build per page).
        rows = session.execute(
            union_all(*(
                select(*_PAGE_COLUMNS, Notification.created_at.label("sort_at"), Notification.id.label("sort_id"))
                .where(Notification.service_id == service_id, *where, *conditions).order_by(*order).limit(limit)
                for where in ranges
            )).order_by(literal_column("sort_at").desc(), literal_column("sort_id").desc()).limit(limit)
        ).all()
    listed = [ListedNotification._make(row[:_PAGE_WIDTH]) for row in rows]
    texts = _template_texts(session, {(row.template_id, row.template_version) for row in listed})
    return [StoredNotification(row, *texts.get((row.template_id, row.template_version), (None, None)))
            for row in listed]


# Built once, with the page's template versions as two arrays: an IN list of (id, version) pairs is
# compiled afresh for every page.
_TEMPLATE_TEXTS = text(
    "SELECT CAST(id AS TEXT), version, content, subject FROM templates_history "
    "WHERE (id, version) IN (SELECT * FROM unnest(CAST(:ids AS uuid[]), CAST(:versions AS integer[])))"
)


def _template_texts(session: Session, versions: set[tuple[str, int]]) -> dict[tuple[str, int], tuple[str, str | None]]:
    """(content, subject) of each template version a page uses: one query however many rows share them."""
    if not versions:
        return {}
    ids, numbers = zip(*versions, strict=True)
    found = session.execute(_TEMPLATE_TEXTS, {"ids": list(ids), "versions": list(numbers)}).all()
    return {(tid, version): (content, subject) for tid, version, content, subject in found}


def _conditions(filters: ListFilter) -> list:
    conditions = []  # statuses are not among them: list_notifications reads one range per status
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
