"""Request schemas for /v2/notifications, field for field as Notify's (additionalProperties false)."""
from __future__ import annotations

from notify_shared.letters.postage import UK_POSTAGE
from notify_shared.statuses import ALL_STATUSES, NOTIFICATION_TYPES

from ...notifications.letters import LETTER_STATUS_ACCEPTED, LETTER_STATUS_RECEIVED
from ..definitions import personalisation, uuid

reference = {"type": ["string", "null"], "maxLength": 1000, "format": "client_reference"}

https_url = {"type": "string", "format": "https_url", "validationMessage": "is not a valid https url"}

# Validated but ignored: Notify stopped scheduling API sends in 2020 and always answers null.
scheduled_for = {"type": ["string", "null"], "format": "datetime_within_next_day"}

post_sms_request = {
    "type": "object",
    "title": "POST v2/notifications/sms",
    "properties": {
        "reference": reference,
        "phone_number": {"type": "string", "format": "phone_number"},
        "template_id": uuid,
        "personalisation": personalisation,
        "scheduled_for": scheduled_for,
        "sms_sender_id": uuid,
    },
    "required": ["phone_number", "template_id"],
    "additionalProperties": False,
}

post_email_request = {
    "type": "object",
    "title": "POST v2/notifications/email",
    "properties": {
        "reference": reference,
        "email_address": {"type": "string", "format": "email_address"},
        "template_id": uuid,
        "personalisation": personalisation,
        "scheduled_for": scheduled_for,
        "email_reply_to_id": uuid,
        "one_click_unsubscribe_url": https_url,
        "sanitise_content_for": {"type": "array", "items": {"type": "string"}},
    },
    "required": ["email_address", "template_id"],
    "additionalProperties": False,
}

post_letter_request = {
    "type": "object",
    "title": "POST v2/notifications/letter",
    "properties": {
        "reference": reference,
        "template_id": uuid,
        "personalisation": personalisation,
    },
    "required": ["template_id", "personalisation"],
    "additionalProperties": False,
}

# Told apart from a templated letter by `content` (Notify's post_precompiled_letter_request).
post_precompiled_letter_request = {
    "type": "object",
    "title": "POST v2/notifications/letter",
    "properties": {
        "reference": {"type": "string", "maxLength": 1000, "format": "client_reference"},
        "content": {"type": "string"},
        "postage": {"type": "string", "enum": list(UK_POSTAGE),
                    "validationMessage": "invalid. It must be either first, second or economy."},
    },
    "required": ["reference", "content"],
    "additionalProperties": False,
}

notification_by_id = {
    "type": "object",
    "properties": {"notification_id": uuid},
    "required": ["notification_id"],
}

# `failed` is Notify's deprecated alias for every failure status; `accepted`/`received` are the letter
# statuses the v2 API shows instead of the internal ones.
LIST_STATUS_VALUES = [*ALL_STATUSES, "failed", LETTER_STATUS_ACCEPTED, LETTER_STATUS_RECEIVED]

get_notifications_request = {
    "type": "object",
    "properties": {
        "reference": {"type": "string", "format": "storable_text"},
        "status": {"type": "array", "items": {"enum": LIST_STATUS_VALUES}},
        "template_type": {"type": "array", "items": {"enum": list(NOTIFICATION_TYPES)}},
        "include_jobs": {"enum": ["true", "True"]},
        "older_than": uuid,
    },
    "additionalProperties": False,
}
