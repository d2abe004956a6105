"""What a notification will say: placeholders filled, Notify's content limits and sanitising applied.

Pure functions: no database, no network. Errors carry Notify's exact messages.
"""
from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from notify_shared import templates
from notify_shared.errors import BadRequestError

EMAIL_MAX_BYTES = 2_000_000

# Notify's smoke-test recipients: validated and answered like any other send, but never stored or sent.
SIMULATED_PHONE_NUMBERS = frozenset({"447700900000", "447700900111", "447700900222"})
SIMULATED_EMAIL_ADDRESSES = frozenset({
    "simulate-delivered@notifications.service.gov.uk",
    "simulate-delivered-2@notifications.service.gov.uk",
    "simulate-delivered-3@notifications.service.gov.uk",
})

# Characters Notify backslash-escapes in personalisation named by `sanitise_content_for`.
MARKDOWN_CHARACTERS = re.compile(r"([`*_(){}\[\]<>#+\-.!|\\])")
URL_SCHEME = re.compile(r"\b[a-z][a-z0-9+.-]*://", re.IGNORECASE)


@dataclass(frozen=True)
class Content:
    body: str
    subject: str | None = None


def check_personalisation_complete(personalisation: Mapping[str, Any], *texts: str | None) -> None:
    missing = templates.missing_personalisation(personalisation, *texts)
    if missing:
        raise BadRequestError(f"Missing personalisation: {', '.join(missing)}")


def _check_not_empty(body: str) -> None:
    if not body.strip():
        raise BadRequestError("Your message is empty.")


def render_sms(content: str, personalisation: Mapping[str, Any]) -> Content:
    """The body without the service-name prefix, which is what Notify returns.

    Notify checks the length without the prefix too ("we have decided to be lenient and let the message go
    over the character limit", notifications-utils SMSMessageTemplate.is_message_too_long), so a text it
    accepts is accepted here.
    """
    body = templates.render(content, personalisation).strip()
    _check_not_empty(body)
    length = templates.sms_character_count(body)
    if length > templates.SMS_CHAR_LIMIT:
        raise BadRequestError(
            f"Your message is too long. Text messages cannot be longer than {templates.SMS_CHAR_LIMIT} characters. "
            f"Your message is {length} characters long."
        )
    return Content(body=body)


def render_email(content: str, subject: str | None, personalisation: Mapping[str, Any]) -> Content:
    body = templates.render(content, personalisation)
    _check_not_empty(body)
    size = len(body.encode("utf-8"))
    if size > EMAIL_MAX_BYTES:
        raise BadRequestError(
            f"Your message is too long. Emails cannot be longer than {EMAIL_MAX_BYTES} bytes. "
            f"Your message is {size} bytes."
        )
    return Content(body=body, subject=_one_line(templates.render(subject, personalisation)))


def render_letter(content: str, subject: str | None, personalisation: Mapping[str, Any]) -> Content:
    body = templates.render(content, personalisation)
    _check_not_empty(body)
    return Content(body=body, subject=_one_line(templates.render(subject, personalisation)))


def _one_line(text: str) -> str:
    # A subject is a header line: Notify collapses newlines and runs of whitespace.
    return " ".join(text.split())


def sanitise_personalisation(
    personalisation: Mapping[str, Any], keys: Sequence[str]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Escape markdown and break URLs in the named values; also report what changed, as Notify's
    `sanitised_content` ({key: {"unsanitised": ..., "sanitised": ...}})."""
    result = dict(personalisation)
    changed: dict[str, dict[str, Any]] = {}
    wanted = {k.strip().lower() for k in keys}
    for key, value in personalisation.items():
        if key.strip().lower() not in wanted or not isinstance(value, str):
            continue
        sanitised = MARKDOWN_CHARACTERS.sub(r"\\\1", URL_SCHEME.sub("", value))
        if sanitised != value:
            result[key] = sanitised
            changed[key] = {"unsanitised": value, "sanitised": sanitised}
    return result, changed


def is_simulated_phone_number(normalised: str) -> bool:
    return normalised in SIMULATED_PHONE_NUMBERS


def is_simulated_email_address(address: str) -> bool:
    return address.strip().lower() in SIMULATED_EMAIL_ADDRESSES


def render_for_display(notification_type: str, content: str | None, subject: str | None,
                       personalisation: Mapping[str, Any]) -> Content:
    """What GET shows for a stored notification: the template version it was sent with, filled in.

    No limits are applied here; they were checked when the notification was accepted.
    """
    body = templates.render(content, personalisation)
    if notification_type == "sms":
        return Content(body=body.strip())
    return Content(body=body, subject=_one_line(templates.render(subject, personalisation)))
