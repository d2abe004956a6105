"""Tables, with GOV.UK Notify's names so operators' SQL keeps working."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


def utcnow() -> datetime:
    return datetime.now(UTC)


class Base(DeclarativeBase):
    pass


def _id() -> Mapped[uuid.UUID]:
    return mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)


def _created() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), nullable=False, default=utcnow, server_default=text("now()"))


class Service(Base):
    __tablename__ = "services"

    id: Mapped[uuid.UUID] = _id()
    name: Mapped[str] = mapped_column(String(255), nullable=False, unique=True)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    restricted: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)  # trial mode
    email_sender_local_part: Mapped[str] = mapped_column(String(255), nullable=False)
    permissions: Mapped[list[str]] = mapped_column(JSONB, nullable=False, default=lambda: ["sms", "email"])
    rate_limit: Mapped[int] = mapped_column(Integer, nullable=False, default=3000)
    sms_message_limit: Mapped[int] = mapped_column(Integer, nullable=False, default=250_000)
    email_message_limit: Mapped[int] = mapped_column(Integer, nullable=False, default=250_000)
    letter_message_limit: Mapped[int] = mapped_column(Integer, nullable=False, default=20_000)
    international_sms_message_limit: Mapped[int] = mapped_column(Integer, nullable=False, default=100)
    prefix_sms: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    contact_link: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), onupdate=utcnow)


class ApiKey(Base):
    __tablename__ = "api_keys"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    secret: Mapped[str] = mapped_column(Text, nullable=False)  # encrypted at rest (notify_shared.crypto)
    key_type: Mapped[str] = mapped_column(String(16), nullable=False)
    expiry_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))  # set = revoked
    created_at: Mapped[datetime] = _created()


class Template(Base):
    __tablename__ = "templates"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False, index=True)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    template_type: Mapped[str] = mapped_column(String(16), nullable=False)
    subject: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    version: Mapped[int] = mapped_column(Integer, nullable=False, default=1)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    postage: Mapped[str | None] = mapped_column(String(16))
    letter_contact_block: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TemplateHistory(Base):
    """Every version of every template; a notification points at (template_id, version)."""

    __tablename__ = "templates_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    template_type: Mapped[str] = mapped_column(String(16), nullable=False)
    subject: Mapped[str | None] = mapped_column(Text)
    content: Mapped[str] = mapped_column(Text, nullable=False)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    postage: Mapped[str | None] = mapped_column(String(16))
    letter_contact_block: Mapped[str | None] = mapped_column(Text)
    created_by: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Notification(Base):
    __tablename__ = "notifications"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    template_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    template_version: Mapped[int] = mapped_column(Integer, nullable=False)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("api_keys.id"))
    key_type: Mapped[str] = mapped_column(String(16), nullable=False)
    notification_type: Mapped[str] = mapped_column(String(16), nullable=False)
    to: Mapped[str] = mapped_column(Text, nullable=False)
    normalised_to: Mapped[str | None] = mapped_column(Text)
    personalisation: Mapped[str | None] = mapped_column(Text)  # encrypted JSON
    status: Mapped[str] = mapped_column(String(32), nullable=False, default="created")
    reference: Mapped[str | None] = mapped_column(String(255))  # provider reference
    client_reference: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = _created()
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[str | None] = mapped_column(String(64))
    billable_units: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    international: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    phone_prefix: Mapped[str | None] = mapped_column(String(16))
    rate_multiplier: Mapped[float | None] = mapped_column(Float)
    postage: Mapped[str | None] = mapped_column(String(16))
    reply_to_text: Mapped[str | None] = mapped_column(String(255))
    one_click_unsubscribe_url: Mapped[str | None] = mapped_column(Text)
    job_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    created_by_name: Mapped[str | None] = mapped_column(String(255))
    # Exactly-one send: a sender claims the row (created -> sending) and records the attempt
    # before the provider call; the scheduler recovers claims left stale by a dead sender.
    claimed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    send_attempts: Mapped[int] = mapped_column(Integer, nullable=False, default=0)

    __table_args__ = (
        # Listing a service's notifications newest-first with a keyset cursor.
        Index("ix_notifications_service_created", "service_id", "key_type", text("created_at DESC"), text("id DESC")),
        # The same with a status filter: one range per requested status (migration 0007_listing_index).
        Index("ix_notifications_service_status_created", "service_id", "key_type", "status", text("created_at DESC"),
              text("id DESC")),
        # Receipts look notifications up by provider reference.
        Index("ix_notifications_reference", "reference"),
        Index("ix_notifications_service_client_reference", "service_id", "client_reference"),
        # Replay and timeout jobs scan by status and age; only non-final rows are indexed.
        Index(
            "ix_notifications_unfinished_status_created",
            "status", "created_at",
            postgresql_where=text("status IN ('created', 'sending', 'pending', 'sent')"),
        ),
    )


class NotificationHistory(Base):
    """Notifications after retention: the facts for billing and stats, with no personal data."""

    __tablename__ = "notification_history"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    template_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False)
    template_version: Mapped[int] = mapped_column(Integer, nullable=False)
    api_key_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    key_type: Mapped[str] = mapped_column(String(16), nullable=False)
    notification_type: Mapped[str] = mapped_column(String(16), nullable=False)
    status: Mapped[str] = mapped_column(String(32), nullable=False)
    reference: Mapped[str | None] = mapped_column(String(255))
    client_reference: Mapped[str | None] = mapped_column(String(1000))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    completed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    sent_by: Mapped[str | None] = mapped_column(String(64))
    billable_units: Mapped[int] = mapped_column(Integer, nullable=False, default=0)
    international: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    phone_prefix: Mapped[str | None] = mapped_column(String(16))
    rate_multiplier: Mapped[float | None] = mapped_column(Float)
    postage: Mapped[str | None] = mapped_column(String(16))
    job_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))

    __table_args__ = (
        Index("ix_notification_history_reference", "reference"),
        Index("ix_notification_history_service_created", "service_id", "created_at"),
    )


class ProviderDetails(Base):
    __tablename__ = "provider_details"

    id: Mapped[uuid.UUID] = _id()
    identifier: Mapped[str] = mapped_column(String(32), nullable=False, unique=True)
    display_name: Mapped[str] = mapped_column(String(64), nullable=False)
    notification_type: Mapped[str] = mapped_column(String(16), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    supports_international: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ProviderDetailsHistory(Base):
    """Every priority change, with its reason (error burst, slow delivery, drift back, manual)."""

    __tablename__ = "provider_details_history"

    id: Mapped[uuid.UUID] = _id()
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("provider_details.id"), nullable=False)
    priority: Mapped[int] = mapped_column(Integer, nullable=False)
    active: Mapped[bool] = mapped_column(Boolean, nullable=False)
    reason: Mapped[str] = mapped_column(Text, nullable=False)
    created_at: Mapped[datetime] = _created()


class ServiceCallbackApi(Base):
    __tablename__ = "service_callback_api"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    callback_type: Mapped[str] = mapped_column(String(32), nullable=False)  # delivery_status|complaint|inbound_sms
    url: Mapped[str] = mapped_column(Text, nullable=False)
    bearer_token: Mapped[str] = mapped_column(Text, nullable=False)  # encrypted at rest
    created_at: Mapped[datetime] = _created()
    updated_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (UniqueConstraint("service_id", "callback_type", name="uq_service_callback_type"),)


class ServiceSmsSender(Base):
    __tablename__ = "service_sms_senders"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False, index=True)
    sms_sender: Mapped[str] = mapped_column(String(16), nullable=False)
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    inbound_number_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("inbound_numbers.id"))
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = _created()


class ServiceEmailReplyTo(Base):
    __tablename__ = "service_email_reply_to"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False, index=True)
    email_address: Mapped[str] = mapped_column(Text, nullable=False)
    is_default: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    archived: Mapped[bool] = mapped_column(Boolean, nullable=False, default=False)
    created_at: Mapped[datetime] = _created()


class InboundNumber(Base):
    __tablename__ = "inbound_numbers"

    id: Mapped[uuid.UUID] = _id()
    number: Mapped[str] = mapped_column(String(16), nullable=False, unique=True)
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    service_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("services.id"))
    active: Mapped[bool] = mapped_column(Boolean, nullable=False, default=True)
    created_at: Mapped[datetime] = _created()


class InboundSms(Base):
    __tablename__ = "inbound_sms"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    notify_number: Mapped[str] = mapped_column(String(16), nullable=False)
    user_number: Mapped[str] = mapped_column(String(32), nullable=False)
    content: Mapped[str] = mapped_column(Text, nullable=False)  # encrypted at rest
    provider: Mapped[str] = mapped_column(String(32), nullable=False)
    provider_reference: Mapped[str | None] = mapped_column(String(255))
    provider_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _created()

    __table_args__ = (Index("ix_inbound_sms_service_created", "service_id", text("created_at DESC"), text("id DESC")),)


class ServiceDataRetention(Base):
    __tablename__ = "service_data_retention"

    id: Mapped[uuid.UUID] = _id()
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    notification_type: Mapped[str] = mapped_column(String(16), nullable=False)
    days_of_retention: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = _created()

    __table_args__ = (UniqueConstraint("service_id", "notification_type", name="uq_service_data_retention"),)


class JobRun(Base):
    """One run of a scheduler job: when, how many rows it touched, and what went wrong."""

    __tablename__ = "scheduler_job_runs"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=True)
    job_name: Mapped[str] = mapped_column(String(64), nullable=False)
    started_at: Mapped[datetime] = _created()
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    rows: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)

    __table_args__ = (Index("ix_scheduler_job_runs_job_started", "job_name", "started_at"),)
