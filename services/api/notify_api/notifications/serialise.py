"""Notify's v2 response bodies (reference/notify-server-contract.md §6.5), built from our rows."""
from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from notify_shared import statuses
from notify_shared.letters.collation import CollationTime

from . import letters
from .content import Content
from .store import StoredNotification

DATETIME_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"

# SMS is billed for every status except technical-failure (Notify's billing rule).
SMS_BILLABLE_STATUSES = frozenset({
    statuses.SENDING, statuses.SENT, statuses.DELIVERED, statuses.PENDING,
    statuses.TEMPORARY_FAILURE, statuses.PERMANENT_FAILURE,
})


def format_datetime(value: datetime | str | None) -> str | None:
    """Notify's timestamp text. A str is already that text: a listed page has PostgreSQL format its
    timestamps (store.ListedNotification), which costs a fraction of a datetime per cell formatted here."""
    if value is None or isinstance(value, str):
        return value
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).strftime(DATETIME_FORMAT)


def _as_datetime(value: datetime | str) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _post_response(notification_id: uuid.UUID, client_reference: str | None, template_id: uuid.UUID,
                   template_version: int, service_id: uuid.UUID, url_root: str) -> dict[str, Any]:
    return {
        "id": str(notification_id),
        "reference": client_reference,
        "uri": f"{url_root}v2/notifications/{notification_id}",
        "template": {
            "id": str(template_id),
            "version": template_version,
            "uri": f"{url_root}services/{service_id}/templates/{template_id}",
        },
        "scheduled_for": None,
    }


def post_sms_response(*, notification_id: uuid.UUID, client_reference: str | None, template_id: uuid.UUID,
                      template_version: int, service_id: uuid.UUID, url_root: str, content: Content,
                      from_number: str) -> dict[str, Any]:
    body = _post_response(notification_id, client_reference, template_id, template_version, service_id, url_root)
    body["content"] = {"body": content.body, "from_number": from_number}
    return body


def post_email_response(*, notification_id: uuid.UUID, client_reference: str | None, template_id: uuid.UUID,
                        template_version: int, service_id: uuid.UUID, url_root: str, content: Content,
                        from_email: str, one_click_unsubscribe_url: str | None,
                        sanitised_content: Mapping[str, Any]) -> dict[str, Any]:
    body = _post_response(notification_id, client_reference, template_id, template_version, service_id, url_root)
    body["content"] = {
        "body": content.body,
        "subject": content.subject,
        "from_email": from_email,
        "one_click_unsubscribe_url": one_click_unsubscribe_url,
    }
    body["sanitised_content"] = dict(sanitised_content)
    return body


def post_letter_response(*, notification_id: uuid.UUID, client_reference: str | None, template_id: uuid.UUID,
                         template_version: int, service_id: uuid.UUID, url_root: str,
                         content: Content) -> dict[str, Any]:
    body = _post_response(notification_id, client_reference, template_id, template_version, service_id, url_root)
    body["content"] = {"body": content.body, "subject": content.subject}
    return body


def _cost(n: Any, sms_rate: float) -> tuple[bool, float | None, dict[str, Any]]:
    """(is_cost_data_ready, cost_in_pounds, cost_details)."""
    if n.notification_type == statuses.EMAIL:
        return True, 0.0, {}
    if n.notification_type == statuses.SMS:
        # Not known until the sender has counted the fragments it handed to a provider.
        if n.billable_units == 0 and not statuses.is_final(n.status):
            return False, None, {}
        fragments = n.billable_units if n.status in SMS_BILLABLE_STATUSES else 0
        multiplier = n.rate_multiplier or 1
        details = {"billable_sms_fragments": fragments, "international_rate_multiplier": multiplier,
                   "sms_rate": sms_rate}
        return True, round(fragments * multiplier * sms_rate, 6), details
    return letters.letter_cost(n.status, n.billable_units or 0, n.postage)


def notification(stored: StoredNotification, personalisation: Mapping[str, Any], *, url_root: str,
                 sms_rate: float, rendered: Content, collation: CollationTime) -> dict[str, Any]:
    """The GET /v2/notifications shape: every key always present, null where it does not apply."""
    n = stored.notification
    is_cost_data_ready, cost_in_pounds, cost_details = _cost(n, sms_rate)
    completed_at = n.completed_at or (n.updated_at if statuses.is_final(n.status) else None)
    body: dict[str, Any] = {
        "id": str(n.id),
        "reference": n.client_reference,
        "email_address": n.to if n.notification_type == statuses.EMAIL else None,
        "phone_number": n.to if n.notification_type == statuses.SMS else None,
        "line_1": None,
        "line_2": None,
        "line_3": None,
        "line_4": None,
        "line_5": None,
        "line_6": None,
        "postcode": None,
        "type": n.notification_type,
        "status": letters.public_letter_status(n.status) if n.notification_type == statuses.LETTER else n.status,
        "template": {
            "id": str(n.template_id),
            "version": n.template_version,
            "uri": f"{url_root}v2/template/{n.template_id}/version/{n.template_version}",
        },
        "body": rendered.body,
        "subject": rendered.subject,
        "created_at": format_datetime(n.created_at),
        "created_by_name": n.created_by_name,
        "sent_at": format_datetime(n.sent_at),
        "completed_at": format_datetime(completed_at),
        "scheduled_for": None,
        "postage": n.postage,
        "one_click_unsubscribe_url": n.one_click_unsubscribe_url if n.notification_type == statuses.EMAIL else None,
        "is_cost_data_ready": is_cost_data_ready,
        "cost_in_pounds": cost_in_pounds,
        "cost_details": cost_details,
    }
    if n.notification_type == statuses.LETTER:
        values = {str(k).strip().lower(): v for k, v in personalisation.items()}
        for line in range(1, 7):
            body[f"line_{line}"] = values.get(f"address_line_{line}")
        body["postcode"] = values.get("postcode") or values.get("address_line_7")
        body["estimated_delivery"] = format_datetime(letters.estimated_delivery(_as_datetime(n.created_at),
                                                                                n.postage, collation))
    return body
