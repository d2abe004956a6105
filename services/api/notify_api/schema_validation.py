"""JSON Schema validation that reports errors the way Notify does.

Notify's messages are "<field> <jsonschema message without quotes>" (e.g. "template_id is a required
property" has no field prefix, "reference xxx is too long" has one), unless the failing schema carries a
`validationMessage`, which then replaces the message ("template_id is not a valid UUID"). Format checks
raise with Notify's recipient text ("phone_number Not a UK mobile number").
"""
from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from jsonschema import Draft7Validator, FormatChecker
from jsonschema.exceptions import ValidationError as SchemaError

from notify_shared.errors import ValidationError
from notify_shared.recipients import InvalidRecipient, validate_email_address, validate_phone_number

format_checker = FormatChecker(formats=())


class FormatProblem(ValueError):
    """A format check failed; the message is shown after the field name."""


@format_checker.checks("validate_uuid", raises=(ValueError, TypeError, AttributeError))
def _is_uuid(instance: object) -> bool:
    if isinstance(instance, str):
        uuid.UUID(instance)
    return True


@format_checker.checks("phone_number", raises=InvalidRecipient)
def _is_phone_number(instance: object) -> bool:
    # International numbers pass here; whether this service may text them is decided later, with
    # Notify's BadRequestError "Cannot send to international mobile numbers".
    if isinstance(instance, str):
        validate_phone_number(instance, international=True)
    return True


@format_checker.checks("email_address", raises=InvalidRecipient)
def _is_email_address(instance: object) -> bool:
    if isinstance(instance, str):
        validate_email_address(instance)
    return True


@format_checker.checks("https_url", raises=FormatProblem)
def _is_https_url(instance: object) -> bool:
    if isinstance(instance, str):
        try:
            parts = urlsplit(instance)
        except ValueError as exc:  # e.g. an unbalanced "[" in the host: "Invalid IPv6 URL"
            raise FormatProblem("is not a valid https url") from exc
        if parts.scheme != "https" or not parts.netloc or any(c.isspace() for c in instance):
            raise FormatProblem("is not a valid https url")
    return True


# A client reference is indexed, and a PostgreSQL btree entry must fit in a third of a page (2704 bytes):
# 1000 characters of emoji would not. Cap the bytes well below that, with Notify's "too long" message.
CLIENT_REFERENCE_MAX_BYTES = 2000


@format_checker.checks("client_reference", raises=FormatProblem)
def _is_indexable_reference(instance: object) -> bool:
    if isinstance(instance, str) and len(instance.encode("utf-8", "surrogatepass")) > CLIENT_REFERENCE_MAX_BYTES:
        raise FormatProblem(f"{instance} is too long")
    return True


@format_checker.checks("storable_text", raises=FormatProblem)
def _is_storable_text(instance: object) -> bool:
    # PostgreSQL text cannot hold NUL; a query value is compared with stored text, so it cannot either.
    if isinstance(instance, str) and "\x00" in instance:
        raise FormatProblem("must not contain NUL characters")
    return True


@format_checker.checks("datetime_within_next_day", raises=FormatProblem)
def _is_datetime_within_next_day(instance: object) -> bool:
    if not isinstance(instance, str):
        return True
    try:
        when = datetime.fromisoformat(instance)
    except ValueError as exc:
        raise FormatProblem(
            "datetime format is invalid. It must be a valid ISO8601 date time format, "
            "https://en.wikipedia.org/wiki/ISO_8601"
        ) from exc
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    now = datetime.now(UTC)
    if when < now:
        raise FormatProblem("datetime can not be in the past")
    if when > now + timedelta(hours=24):
        raise FormatProblem("datetime can only be 24 hours in the future")
    return True


def _message(error: SchemaError) -> str:
    field = error.path[0] if error.path else None
    if "validationMessage" in error.schema:
        return f"{field or ''} {error.schema['validationMessage']}".strip()
    text = str(error.cause) if error.cause else error.message
    text = text.replace("'", "")
    return f"{field} {text}" if field is not None else text


def validate(data: Any, schema: dict[str, Any]) -> dict[str, Any]:
    """Return `data` if it matches `schema`, else raise ValidationError listing every problem once."""
    cached = _validators.get(id(schema))
    if cached is None or cached[0] is not schema:
        cached = (schema, Draft7Validator(schema, format_checker=format_checker))
        _validators[id(schema)] = cached
    validator = cached[1]
    messages: list[str] = []
    for error in validator.iter_errors(data):
        message = _message(error)
        if message not in messages:
            messages.append(message)
    if messages:
        raise ValidationError(messages)
    return data


# Schemas are module-level constants: build each validator once rather than on every request. The schema
# itself is kept beside its validator so a recycled id() can never return the wrong one.
_validators: dict[int, tuple[dict[str, Any], Draft7Validator]] = {}
