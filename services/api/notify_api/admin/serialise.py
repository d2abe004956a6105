"""Rows as the admin API and the CLI show them. No secret column is ever read here: key secrets and
callback bearer tokens stay in the database, encrypted."""
from __future__ import annotations

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


def timestamp(value: datetime | None) -> str | None:
    return value.astimezone(UTC).strftime(DATETIME_FORMAT) if value is not None else None


def service(row: Service, retention: dict[str, int]) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "name": row.name,
        "active": row.active,
        "restricted": row.restricted,
        "permissions": sorted(row.permissions or []),
        "email_sender_local_part": row.email_sender_local_part,
        "rate_limit": row.rate_limit,
        "sms_message_limit": row.sms_message_limit,
        "email_message_limit": row.email_message_limit,
        "letter_message_limit": row.letter_message_limit,
        "international_sms_message_limit": row.international_sms_message_limit,
        "prefix_sms": row.prefix_sms,
        "contact_link": row.contact_link,
        "data_retention": retention,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def api_key(row: ApiKey) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        "name": row.name,
        "key_type": row.key_type,
        "created_at": timestamp(row.created_at),
        "expiry_date": timestamp(row.expiry_date),
        "revoked": row.expiry_date is not None,
    }


def template(row: Template | TemplateHistory) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        "name": row.name,
        "template_type": row.template_type,
        "version": row.version,
        "subject": row.subject,
        "content": row.content,
        "postage": row.postage,
        "letter_contact_block": row.letter_contact_block,
        "archived": row.archived,
        "created_by": row.created_by,
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def sms_sender(row: ServiceSmsSender) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        "sms_sender": row.sms_sender,
        "is_default": row.is_default,
        "inbound_number_id": str(row.inbound_number_id) if row.inbound_number_id else None,
        "archived": row.archived,
        "created_at": timestamp(row.created_at),
    }


def email_reply_to(row: ServiceEmailReplyTo) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        "email_address": row.email_address,
        "is_default": row.is_default,
        "archived": row.archived,
        "created_at": timestamp(row.created_at),
    }


def callback(row: ServiceCallbackApi) -> dict[str, Any]:
    # The bearer token is write-only: it is never decrypted outside the callbacks worker.
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        "callback_type": row.callback_type,
        "url": row.url,
        "bearer_token_set": bool(row.bearer_token),
        "created_at": timestamp(row.created_at),
        "updated_at": timestamp(row.updated_at),
    }


def guest(row: ServiceGuestList) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        "recipient_type": row.recipient_type,
        "recipient": row.recipient,
        "created_at": timestamp(row.created_at),
    }


def team_member(row: ServiceTeamMember) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "service_id": str(row.service_id),
        "name": row.name,
        "email_address": row.email_address,
        "mobile_number": row.mobile_number,
        "created_at": timestamp(row.created_at),
    }


def inbound_number(row: InboundNumber) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "number": row.number,
        "provider": row.provider,
        "service_id": str(row.service_id) if row.service_id else None,
        "active": row.active,
        "created_at": timestamp(row.created_at),
    }
