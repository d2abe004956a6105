"""Who a service may send to while it is restricted (trial mode) or using a team key.

The public API reads both tables: a team key, or any key of a trial-mode service, may only reach the
service's team members and its guest list (Notify's "whitelist", renamed "guest list" in 2020).
Recipients are stored normalised so the API can compare them with a notification's `normalised_to`:
mobile numbers as digits with their country code (`447700900123`), email addresses lower-cased.
"""
from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, DateTime, ForeignKey, String, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import UUID
from sqlalchemy.orm import Mapped, mapped_column

from notify_shared.models import Base, utcnow

MOBILE = "mobile"
EMAIL = "email"
RECIPIENT_TYPES = (MOBILE, EMAIL)


class ServiceGuestList(Base):
    __tablename__ = "service_guest_list"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    recipient_type: Mapped[str] = mapped_column(String(16), nullable=False)  # mobile|email
    recipient: Mapped[str] = mapped_column(String(255), nullable=False)  # normalised, see module docstring
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow,
                                                 server_default=text("now()"))

    __table_args__ = (
        # Also serves "every guest of this service", the only lookup the API makes.
        UniqueConstraint("service_id", "recipient_type", "recipient", name="uq_service_guest_list_recipient"),
        CheckConstraint("recipient_type IN ('mobile', 'email')", name="ck_service_guest_list_recipient_type"),
    )


class ServiceTeamMember(Base):
    __tablename__ = "service_team_members"

    id: Mapped[uuid.UUID] = mapped_column(UUID(as_uuid=True), primary_key=True, default=uuid.uuid4)
    service_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("services.id"), nullable=False)
    name: Mapped[str] = mapped_column(String(255), nullable=False)
    email_address: Mapped[str] = mapped_column(String(255), nullable=False)  # lower-cased
    mobile_number: Mapped[str | None] = mapped_column(String(32))  # normalised digits
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), nullable=False, default=utcnow,
                                                 server_default=text("now()"))

    __table_args__ = (
        UniqueConstraint("service_id", "email_address", name="uq_service_team_members_email"),
    )
