"""Rows as the admin API and the CLI show them. No secret column is ever read here: key secrets and
callback bearer tokens stay in the database, encrypted."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from notify_shared.admin_models import ServiceGuestList, ServiceTeamMember
from notify_shared.models import (
    ApiKey,
    InboundNumber,
    Service,
    ServiceCallbackApi,
    ServiceEmailReplyTo,
    ServiceSmsSender,
    Template,
    TemplateHistory,
)

# The v2 API's timestamp format, so admin and public answers read the same.
DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

# Each answer's fields, in the order they are printed. A field that is not a plain column is given by value
# where it is used, so a secret column can only ever be shown by naming it here.
SERVICE_FIELDS = (
    "id", "name", "active", "restricted", "permissions", "email_sender_local_part", "rate_limit",
    "sms_message_limit", "email_message_limit", "letter_message_limit", "international_sms_message_limit",
    "prefix_sms", "contact_link", "data_retention", "created_at", "updated_at",
)
API_KEY_FIELDS = ("id", "service_id", "name", "key_type", "created_at", "expiry_date", "revoked")
TEMPLATE_FIELDS = (
    "id", "service_id", "name", "template_type", "version", "subject", "content", "postage",
    "letter_contact_block", "archived", "created_by", "created_at", "updated_at",
)
SMS_SENDER_FIELDS = ("id", "service_id", "sms_sender", "is_default", "inbound_number_id", "archived", "created_at")
EMAIL_REPLY_TO_FIELDS = ("id", "service_id", "email_address", "is_default", "archived", "created_at")
CALLBACK_FIELDS = ("id", "service_id", "callback_type", "url", "bearer_token_set", "created_at", "updated_at")
GUEST_FIELDS = ("id", "service_id", "recipient_type", "recipient", "created_at")
TEAM_MEMBER_FIELDS = ("id", "service_id", "name", "email_address", "mobile_number", "created_at")
INBOUND_NUMBER_FIELDS = ("id", "number", "provider", "service_id", "active", "created_at")


def timestamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime(DATETIME_FORMAT) if value is not None else None


def service(row: Service, retention: dict[str, int]) -> dict[str, Any]:
    return _fields(row, SERVICE_FIELDS, permissions=sorted(row.permissions or []), data_retention=retention)


def api_key(row: ApiKey) -> dict[str, Any]:
    return _fields(row, API_KEY_FIELDS, revoked=row.expiry_date is not None)


def template(row: Template | TemplateHistory) -> dict[str, Any]:
    return _fields(row, TEMPLATE_FIELDS)


def sms_sender(row: ServiceSmsSender) -> dict[str, Any]:
    return _fields(row, SMS_SENDER_FIELDS)


def email_reply_to(row: ServiceEmailReplyTo) -> dict[str, Any]:
    return _fields(row, EMAIL_REPLY_TO_FIELDS)


def callback(row: ServiceCallbackApi) -> dict[str, Any]:
    # The bearer token is write-only: it is never decrypted outside the callbacks worker.
    return _fields(row, CALLBACK_FIELDS, bearer_token_set=bool(row.bearer_token))


def guest(row: ServiceGuestList) -> dict[str, Any]:
    return _fields(row, GUEST_FIELDS)


def team_member(row: ServiceTeamMember) -> dict[str, Any]:
    return _fields(row, TEAM_MEMBER_FIELDS)


def inbound_number(row: InboundNumber) -> dict[str, Any]:
    return _fields(row, INBOUND_NUMBER_FIELDS)


def _fields(row: object, names: Sequence[str], **given: Any) -> dict[str, Any]:
    """The named fields in that order: those given by value as they are, the rest read from the row's columns."""
    return {name: given[name] if name in given else _json(getattr(row, name)) for name in names}


def _json(value: Any) -> Any:
    # Ids as text and times in the v2 format; an unset id or time stays null.
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, datetime):
        return timestamp(value)
    return value
