"""Inbound texts as they travel from the webhooks to the receipts worker, and Notify's decoding rules.

A received text is personal data (the sender's number and what they wrote), so on the queue both are
sealed with the SECRET_KEY box, as callback messages carry recipients. The inbound SMS id is chosen
by the webhook, so a redelivered message stores the same row once.

Decoding follows alphagov/notifications-api app/notifications/receive_notifications.py: MMG sends the
text URL-encoded with `+` for spaces and some characters backslash-escaped; providers send local UK
time without a zone; a UK inbound number may arrive as `447...` where we store `07...`.
"""
from __future__ import annotations

import json
import re
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from urllib.parse import unquote
from zoneinfo import ZoneInfo

from notify_shared.crypto import SecretBox
from notify_shared.envelope import Envelope
from notify_shared.recipients import InvalidRecipient, validate_phone_number

INBOUND_SMS_KIND = "inbound-sms"

_LONDON = ZoneInfo("Europe/London")


class InboundMessageError(ValueError):
    """An inbound-sms message the worker cannot read (wrong key, missing fields); it is dropped."""


def unescape_string(text: str) -> str:
    """Notify's unescape_string: `\\n` in the provider's text becomes a newline. Malformed escapes stay as sent."""
    try:
        return text.encode("raw_unicode_escape").decode("unicode_escape")
    except UnicodeDecodeError:
        return text


def format_mmg_message(message: str) -> str:
    """MMG's Message field: `+` is a space, the rest percent-encoded, then Notify unescapes it."""
    return unescape_string(unquote(message.replace("+", " ")))


def strip_leading_forty_four(number: str) -> str:
    return "0" + number[2:] if number.startswith("44") else number


def inbound_number_candidates(number: str) -> tuple[str, ...]:
    """The spellings an inbound number may be stored under: as sent, national (`07...`) and `44...`."""
    raw = re.sub(r"[\s()\-]", "", number).lstrip("+")
    national = strip_leading_forty_four(raw)
    international = "44" + national[1:] if national.startswith("0") and not national.startswith("00") else raw
    spellings = [number.strip(), raw, national, international]
    if international.startswith("44"):
        spellings.append("+" + international)
    return tuple(dict.fromkeys(n for n in spellings if n))


def format_user_number(number: str) -> str:
    """Phone numbers normalised as Notify stores them (`447700900123`); alphanumeric senders kept as sent."""
    try:
        return validate_phone_number(number, international=True)[0]
    except InvalidRecipient:
        return number.strip()


def parse_provider_date(raw: str | None) -> datetime | None:
    """`2017-05-21+11%3A56%3A11` or `2017-05-21 11:56:11`, UK local time unless it names its zone, → UTC."""
    if not raw:
        return None
    # MMG's `+` may be a space or, in a zone offset, a plus: try the text as sent first.
    for text in (unquote(str(raw)), unquote(str(raw).replace("+", " "))):
        try:
            moment = datetime.fromisoformat(re.sub(r"\s+", " ", text).strip())
            break
        except ValueError:
            continue
    else:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=_LONDON)
    return moment.astimezone(UTC)


@dataclass(frozen=True)
class InboundText:
    inbound_sms_id: uuid.UUID
    provider: str
    notify_number: str
    user_number: str
    content: str
    provider_reference: str | None
    provider_date: datetime | None
    received_at: datetime


def inbound_envelope(text: InboundText, box: SecretBox, *, request_id: str | None = None) -> Envelope:
    return Envelope(
        kind=INBOUND_SMS_KIND,
        request_id=request_id,
        payload={
            "inbound_sms_id": str(text.inbound_sms_id),
            "provider": text.provider,
            "notify_number": text.notify_number,
            "provider_reference": text.provider_reference,
            "provider_date": text.provider_date.isoformat() if text.provider_date else None,
            "received_at": text.received_at.isoformat(),
            "sealed": box.encrypt(json.dumps({"user_number": text.user_number, "content": text.content})),
        },
    )


def read_inbound_envelope(envelope: Envelope, box: SecretBox) -> InboundText:
    payload = envelope.payload
    try:
        sealed = json.loads(box.decrypt(str(payload["sealed"])))
        return InboundText(
            inbound_sms_id=uuid.UUID(str(payload["inbound_sms_id"])),
            provider=str(payload["provider"]),
            notify_number=str(payload["notify_number"]),
            user_number=str(sealed["user_number"]),
            content=str(sealed["content"]),
            provider_reference=payload.get("provider_reference"),
            provider_date=datetime.fromisoformat(payload["provider_date"]) if payload.get("provider_date") else None,
            received_at=datetime.fromisoformat(str(payload["received_at"])),
        )
    except (KeyError, ValueError, TypeError) as exc:
        raise InboundMessageError(f"inbound message unreadable: {type(exc).__name__}") from exc
