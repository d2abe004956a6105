"""Tables the status receiver writes besides notifications: SES complaints and dead callbacks."""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, Integer, String, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from notify_shared.models import Base, utcnow


class Complaint(Base):
    """An SES complaint (someone marked an email as spam), with GOV.UK Notify's column names.

    The id is derived from the SES feedback id, so a redelivered complaint is the same row.
    """

    __tablename__ = "complaints"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    # Not a foreign key: the notification may already be purged to notification_history (Notify does the same).
    notification_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), nullable=False, index=True)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    ses_feedback_id: Mapped[str | None] = mapped_column(Text)
    complaint_type: Mapped[str | None] = mapped_column(Text)
    complaint_date: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow,
                                                 server_default=text("now()"))

    __table_args__ = (Index("ix_complaints_service_created", "service_id", text("created_at DESC")),)


class CallbackDeadLetter(Base):
    """A service callback that used up its attempts, kept so ops can replay it once the service is back."""

    __tablename__ = "service_callback_dead_letters"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    callback_type: Mapped[str] = mapped_column(String(32), nullable=False)  # delivery_status|complaint|inbound_sms
    # The notification the callback is about; empty for inbound-SMS callbacks.
    notification_id: Mapped[uuid.UUID | None] = mapped_column(UUID(as_uuid=True))
    payload: Mapped[str] = mapped_column(Text, nullable=False)  # the queue message, encrypted (SecretBox)
    last_error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow,
                                                 server_default=text("now()"))
    replayed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        # Ops list and replay what has not been replayed yet, per service.
        Index("ix_service_callback_dead_letters_waiting", "service_id", "created_at",
              postgresql_where=text("replayed_at IS NULL")),
    )
