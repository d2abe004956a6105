"""Tables the sender writes besides notifications and provider details."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from notify_shared.models import Base


class ProviderErrorCount(Base):
    """Provider errors per provider and 10-second bucket, written by every sender process.

    The sender's error-burst re-weighting sums the last minute across all sender instances (Notify
    counts these in Redis, PR #4257). Rows are tiny and short-lived: senders delete buckets older
    than an hour.
    """

    __tablename__ = "provider_error_counts"

    provider: Mapped[str] = mapped_column(String(32), primary_key=True)  # provider_details.identifier
    bucket_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    errors: Mapped[int] = mapped_column(Integer, nullable=False)
