"""Tables and indexes the scheduler's periodic jobs need.

The indexes on `notifications` are declared here rather than in models.py because only the scheduler
reads through them; each one says which job it serves.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, DateTime, Index, Integer, String, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from notify_shared.models import Base, Notification, ProviderDetailsHistory, utcnow


class FactNotificationStatus(Base):
    """Daily counts per service, template, channel, key type and status (Notify's ft_notification_status).

    Listing and reporting read this instead of scanning notifications. `bst_date` is the day in the
    reporting time zone (Europe/London unless REPORTING_TIMEZONE says otherwise), as in Notify.
    """

    __tablename__ = "ft_notification_status"

    bst_date: Mapped[date] = mapped_column(Date, primary_key=True)
    template_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    service_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    notification_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    key_type: Mapped[str] = mapped_column(String(16), primary_key=True)
    notification_status: Mapped[str] = mapped_column(String(32), primary_key=True)
    notification_count: Mapped[int] = mapped_column(Integer, nullable=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow,
                                                 server_default=text("now()"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow,
                                                 server_default=text("now()"))

    __table_args__ = (
        # A service's usage over a date range (dashboards, reports).
        Index("ix_ft_notification_status_service_date", "service_id", "bst_date"),
    )


class StaleClaimRecovery(Base):
    """How often the scheduler has released a notification's stale sender claim, and whether the
    send message it re-published got onto the bus (see notify_scheduler.jobs.recover_stale_claims).

    Not a foreign key: retention may purge the notification first; the job prunes old rows itself.
    """

    __tablename__ = "stale_claim_recoveries"

    notification_id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True)
    recoveries: Mapped[int] = mapped_column(Integer, nullable=False)
    last_recovered_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False)
    # NULL while the re-published message is not known to be on the bus: the next run publishes it again.
    republished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    __table_args__ = (
        Index("ix_stale_claim_recoveries_unpublished", "last_recovered_at",
              postgresql_where=text("republished_at IS NULL")),
    )


_notifications = Notification.__table__

# Retention deletes and daily counts walk one service's rows of one channel by age.
Index("ix_notifications_service_type_created", _notifications.c.service_id, _notifications.c.notification_type,
      _notifications.c.created_at)

# Stale claims: only rows claimed and not yet handed over are in it, so it stays tiny.
Index("ix_notifications_unsent_claims", _notifications.c.claimed_at,
      postgresql_where=text("status = 'sending' AND sent_at IS NULL"))

# SMS re-weighting reads what each provider was handed in the last minutes. Rows enter this index
# only once sent, so the API's INSERT never pays for it.
Index("ix_notifications_sms_sent_by_sent_at", _notifications.c.sent_by, _notifications.c.sent_at,
      postgresql_where=text("notification_type = 'sms' AND sent_at IS NOT NULL"))

_provider_history = ProviderDetailsHistory.__table__

# Re-weighting looks up each provider's latest change and its reason for the cool-downs.
Index("ix_provider_details_history_provider_created", _provider_history.c.provider_id,
      _provider_history.c.created_at)
