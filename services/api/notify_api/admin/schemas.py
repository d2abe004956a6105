"""JSON Schemas for every admin request body. The API and the CLI validate with the same ones, so both
refuse the same input with the same messages (notify_api.schema_validation's Notify format)."""
from __future__ import annotations

from typing import Any

from notify_shared.admin_models import RECIPIENT_TYPES
from notify_shared.callback_messages import COMPLAINT_CALLBACK, DELIVERY_STATUS_CALLBACK, INBOUND_SMS_CALLBACK
from notify_shared.statuses import KEY_TYPES, NOTIFICATION_TYPES

# The permissions the platform acts on: one per channel, texting abroad, posting abroad, receiving texts.
PERMISSIONS = ("email", "sms", "letter", "international_sms", "international_letters", "inbound_sms",
               "upload_document")
CALLBACK_TYPES = (DELIVERY_STATUS_CALLBACK, COMPLAINT_CALLBACK, INBOUND_SMS_CALLBACK)
TEMPLATE_POSTAGE = ("first", "second", "economy")
INBOUND_PROVIDERS = ("mmg", "firetext")
# Notify lets a service keep notifications for 3 to 90 days.
MIN_RETENTION_DAYS = 3
MAX_RETENTION_DAYS = 90
# Notify's minimum for callback bearer tokens.
MIN_BEARER_TOKEN_LENGTH = 10


def _object(properties: dict[str, Any], *, required: tuple[str, ...] = (), min_properties: int = 0) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "object", "properties": properties, "additionalProperties": False}
    if required:
        schema["required"] = list(required)
    if min_properties:
        schema["minProperties"] = min_properties
    return schema


def _text(max_length: int = 255, message: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = {"type": "string", "minLength": 1, "maxLength": max_length, "pattern": r"\S"}
    schema["validationMessage"] = message or f"must be text of 1 to {max_length} characters, not only spaces"
    return schema


_LIMIT = {"type": "integer", "minimum": 0}
_UUID = {"type": "string", "format": "validate_uuid", "validationMessage": "is not a valid UUID"}
_RETENTION = _object({
    channel: {"type": "integer", "minimum": MIN_RETENTION_DAYS, "maximum": MAX_RETENTION_DAYS,
              "validationMessage": f"{channel} must be a whole number of days from {MIN_RETENTION_DAYS} "
                                   f"to {MAX_RETENTION_DAYS}"}
    for channel in NOTIFICATION_TYPES
})

_SERVICE_FIELDS: dict[str, Any] = {
    "name": _text(),
    "restricted": {"type": "boolean"},
    "permissions": {"type": "array", "items": {"enum": list(PERMISSIONS)}, "uniqueItems": True},
    "email_sender_local_part": {
        "type": "string", "pattern": r"^[a-z0-9](?:[a-z0-9._-]{0,62}[a-z0-9])?$",
        "validationMessage": "must be 1 to 64 lower-case letters, digits, dots, dashes or underscores",
    },
    "rate_limit": {"type": "integer", "minimum": 1},
    "sms_message_limit": _LIMIT,
    "email_message_limit": _LIMIT,
    "letter_message_limit": _LIMIT,
    "international_sms_message_limit": _LIMIT,
    "prefix_sms": {"type": "boolean"},
    "contact_link": {"type": ["string", "null"], "maxLength": 255},
    "data_retention": _RETENTION,
}

SMS_SENDER_FIELD = {
    # An alphanumeric sender id (3 to 11 characters, as UK networks allow) or a number of up to 15 digits.
    "type": "string", "pattern": r"^(?:[A-Za-z0-9 &'._-]{3,11}|\+?[0-9]{3,15})$",
    "validationMessage": "must be 3 to 11 letters or digits, or a phone number of up to 15 digits",
}

CREATE_SERVICE = _object({**_SERVICE_FIELDS, "sms_sender": SMS_SENDER_FIELD}, required=("name",))
UPDATE_SERVICE = _object({**_SERVICE_FIELDS, "active": {"type": "boolean"}}, min_properties=1)

CREATE_API_KEY = _object({"name": _text(), "key_type": {"enum": list(KEY_TYPES)}}, required=("name", "key_type"))

_TEMPLATE_FIELDS: dict[str, Any] = {
    "name": _text(),
    "subject": {"type": "string", "minLength": 1, "maxLength": 1000},
    "content": {"type": "string", "minLength": 1, "maxLength": 100_000, "pattern": r"\S",
                "validationMessage": "must not be empty"},
    "postage": {"enum": list(TEMPLATE_POSTAGE)},
    "letter_contact_block": {"type": ["string", "null"], "maxLength": 1000},
    "created_by": {"type": "string", "maxLength": 255},
}
CREATE_TEMPLATE = _object({**_TEMPLATE_FIELDS, "template_type": {"enum": list(NOTIFICATION_TYPES)}},
                          required=("name", "template_type", "content"))
UPDATE_TEMPLATE = _object(_TEMPLATE_FIELDS, min_properties=1)

CREATE_SMS_SENDER = _object({"sms_sender": SMS_SENDER_FIELD, "is_default": {"type": "boolean"},
                             "inbound_number_id": _UUID}, required=("sms_sender",))
UPDATE_SMS_SENDER = _object({"sms_sender": SMS_SENDER_FIELD, "is_default": {"type": "boolean"}}, min_properties=1)

_EMAIL = {"type": "string", "format": "email_address", "maxLength": 255}
CREATE_EMAIL_REPLY_TO = _object({"email_address": _EMAIL, "is_default": {"type": "boolean"}},
                                required=("email_address",))
UPDATE_EMAIL_REPLY_TO = _object({"email_address": _EMAIL, "is_default": {"type": "boolean"}}, min_properties=1)

# The token is a secret: its own message, so no validation error ever echoes the value back.
_BEARER_TOKEN = {"type": "string", "minLength": MIN_BEARER_TOKEN_LENGTH, "maxLength": 1000,
                 "validationMessage": f"must be text of {MIN_BEARER_TOKEN_LENGTH} to 1000 characters"}
SET_CALLBACK = _object({"url": {"type": "string", "minLength": 1, "maxLength": 2000},
                        "bearer_token": _BEARER_TOKEN}, required=("url",))

ADD_GUEST = _object({"recipient_type": {"enum": list(RECIPIENT_TYPES)},
                     "recipient": {"type": "string", "maxLength": 255}},
                    required=("recipient_type", "recipient"))

_MOBILE = {"type": ["string", "null"], "maxLength": 32}
ADD_TEAM_MEMBER = _object({"name": _text(), "email_address": _EMAIL, "mobile_number": _MOBILE},
                          required=("name", "email_address"))
UPDATE_TEAM_MEMBER = _object({"name": _text(), "mobile_number": _MOBILE}, min_properties=1)

CREATE_INBOUND_NUMBER = _object({
    "number": {"type": "string", "pattern": r"^\+?[0-9]{5,15}$", "validationMessage": "must be 5 to 15 digits"},
    "provider": {"enum": list(INBOUND_PROVIDERS)},
    "active": {"type": "boolean"},
}, required=("number", "provider"))
ASSIGN_INBOUND_NUMBER = _object({"service_id": _UUID}, required=("service_id",))
