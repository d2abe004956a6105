"""The sender's reads and writes of notifications: claim, record, release, fail. No network here.

Claim rule (at-least-once delivery must never mean two provider hand-overs):

* A claim is one conditional UPDATE ... RETURNING. It moves the row to `sending`, stamps
  `claimed_at = now()` and stores `send_attempts = <envelope attempt> + 1`. Zero rows back means
  someone else has it, or it was already handled: the message is a duplicate and is acked.
* A row is claimable when it is `created`, whatever the envelope's attempt (first delivery, the
  scheduler's replay, a redelivery after the sender died before claiming).
* A row is also claimable when it is `sending`, has never been sent (`sent_at IS NULL`) and was
  released (`claimed_at IS NULL`) by a failed attempt. For an envelope of attempt N that means the
  recorded attempt is N-1 (`send_attempts = N`): this is the retry we published. A redelivery of
  the recorded attempt itself (`send_attempts = N + 1`) may claim it too: that happens when the
  retry could not be published and the original message was left on the queue. Older copies match
  neither and are dropped as duplicates. `sending` never goes back to `created`, so API readers
  never see a status step backwards.
* The `claimed_at` value a claim returns is its ownership token: record, release and fail only touch
  the row while `claimed_at` still holds that value, so a claim recovered by the scheduler (or any
  other writer) is never overwritten by a sender that lost it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, or_, select, update
from sqlalchemy.orm import Session

from notify_shared.db import Database
from notify_shared.models import (
    Notification,
    Service,
    ServiceEmailReplyTo,
    ServiceSmsSender,
    Template,
    TemplateHistory,
)
from notify_shared.statuses import CREATED, EMAIL, SENDING, SMS, TECHNICAL_FAILURE

# Letters go to DVLA through their own worker; a letter on a send queue here is left alone.
SENT_BY_THIS_WORKER = (SMS, EMAIL)


@dataclass(frozen=True)
class ClaimedNotification:
    """Everything a send needs, read inside the claim transaction so no session outlives it."""

    id: uuid.UUID
    attempt: int
    claimed_at: datetime  # ownership token, see module docstring
    created_at: datetime
    notification_type: str
    key_type: str
    to: str
    normalised_to: str | None
    personalisation: str | None  # still encrypted
    international: bool
    reply_to_text: str | None
    one_click_unsubscribe_url: str | None
    service_id: uuid.UUID
    service_name: str
    service_active: bool
    email_sender_local_part: str
    prefix_sms: bool
    default_sms_sender: str | None
    default_reply_to: str | None
    template_subject: str | None
    template_content: str | None  # None: the template version is missing


@dataclass(frozen=True)
class NotClaimed:
    """Why a message was not acted on: the row is gone, or its status says it is handled."""

    status: str | None
    send_attempts: int | None
    claimed: bool
    notification_type: str | None = None

    @property
    def reason(self) -> str:
        if self.status is None:
            return "not_found"
        if self.notification_type not in SENT_BY_THIS_WORKER:
            return f"not_sent_by_this_worker_{self.notification_type}"
        if self.status == SENDING and self.claimed:
            return "claimed_by_another_attempt"
        return f"status_{self.status}"


def claim_for_sending(db: Database, notification_id: uuid.UUID, attempt: int) -> ClaimedNotification | NotClaimed:
    with db.session() as session:
        claimable = or_(
            Notification.status == CREATED,
            and_(
                Notification.status == SENDING,
                Notification.claimed_at.is_(None),
                Notification.sent_at.is_(None),
                Notification.send_attempts.in_((attempt, attempt + 1)),
            ),
        )
        row = session.execute(
            update(Notification)
            .where(Notification.id == notification_id, Notification.notification_type.in_(SENT_BY_THIS_WORKER),
                   claimable)
            .values(status=SENDING, claimed_at=func.now(), updated_at=func.now(), send_attempts=attempt + 1)
            .returning(
                Notification.claimed_at, Notification.created_at, Notification.notification_type,
                Notification.key_type, Notification.to, Notification.normalised_to, Notification.personalisation,
                Notification.international, Notification.reply_to_text, Notification.one_click_unsubscribe_url,
                Notification.service_id, Notification.template_id, Notification.template_version,
            )
            .execution_options(synchronize_session=False)
        ).one_or_none()
        if row is None:
            current = session.execute(
                select(Notification.status, Notification.send_attempts, Notification.claimed_at,
                       Notification.notification_type)
                .where(Notification.id == notification_id)
            ).one_or_none()
            if current is None:
                return NotClaimed(None, None, False)
            return NotClaimed(current.status, current.send_attempts, current.claimed_at is not None,
                              current.notification_type)
        return _load_claim(session, notification_id, attempt, row)


def _load_claim(session: Session, notification_id: uuid.UUID, attempt: int, row) -> ClaimedNotification:
    service = session.execute(
        select(Service.name, Service.active, Service.email_sender_local_part, Service.prefix_sms)
        .where(Service.id == row.service_id)
    ).one()
    template = session.execute(
        select(TemplateHistory.subject, TemplateHistory.content)
        .where(TemplateHistory.id == row.template_id, TemplateHistory.version == row.template_version)
    ).one_or_none()
    if template is None:
        # Rows written before template history existed: the live template, if it is that version.
        template = session.execute(
            select(Template.subject, Template.content)
            .where(Template.id == row.template_id, Template.version == row.template_version)
        ).one_or_none()
    default_sms_sender = default_reply_to = None
    if row.reply_to_text is None and row.notification_type == "sms":
        default_sms_sender = session.execute(
            select(ServiceSmsSender.sms_sender)
            .where(ServiceSmsSender.service_id == row.service_id, ServiceSmsSender.is_default.is_(True),
                   ServiceSmsSender.archived.is_(False))
            .limit(1)
        ).scalar()
    if row.reply_to_text is None and row.notification_type == "email":
        default_reply_to = session.execute(
            select(ServiceEmailReplyTo.email_address)
            .where(ServiceEmailReplyTo.service_id == row.service_id, ServiceEmailReplyTo.is_default.is_(True),
                   ServiceEmailReplyTo.archived.is_(False))
            .limit(1)
        ).scalar()
    return ClaimedNotification(
        id=notification_id, attempt=attempt, claimed_at=row.claimed_at, created_at=row.created_at,
        notification_type=row.notification_type, key_type=row.key_type, to=row.to, normalised_to=row.normalised_to,
        personalisation=row.personalisation, international=row.international, reply_to_text=row.reply_to_text,
        one_click_unsubscribe_url=row.one_click_unsubscribe_url, service_id=row.service_id,
        service_name=service.name, service_active=service.active,
        email_sender_local_part=service.email_sender_local_part, prefix_sms=service.prefix_sms,
        default_sms_sender=default_sms_sender, default_reply_to=default_reply_to,
        template_subject=template.subject if template else None,
        template_content=template.content if template else None,
    )


def _owned(claim: ClaimedNotification):
    return and_(Notification.id == claim.id, Notification.claimed_at == claim.claimed_at)


def record_sent(db: Database, claim: ClaimedNotification, *, reference: str, sent_by: str, billable_units: int,
                status: str = SENDING) -> bool:
    """Store the hand-over. A receipt may already have moved the status on; then only the facts are stored."""
    with db.session() as session:
        result = session.execute(
            update(Notification)
            .where(_owned(claim))
            .values(
                reference=reference, sent_by=sent_by, billable_units=billable_units,
                sent_at=func.now(), updated_at=func.now(),
                status=case((Notification.status == SENDING, status), else_=Notification.status),
            )
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def release_for_retry(db: Database, claim: ClaimedNotification) -> bool:
    """Give up this attempt's claim, keeping `sending` and the recorded attempt (see module docstring)."""
    with db.session() as session:
        result = session.execute(
            update(Notification)
            .where(_owned(claim), Notification.status == SENDING, Notification.sent_at.is_(None))
            .values(claimed_at=None, updated_at=func.now())
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1


def mark_technical_failure(db: Database, claim: ClaimedNotification) -> bool:
    with db.session() as session:
        result = session.execute(
            update(Notification)
            .where(_owned(claim), Notification.status == SENDING)
            .values(status=TECHNICAL_FAILURE, updated_at=func.now())
            .execution_options(synchronize_session=False)
        )
        return result.rowcount == 1
