"""Normalising the recipients a service may reach in trial mode or with a team key, the way the public API
normalises a notification's recipient, so that the two compare equal."""
from __future__ import annotations

from notify_shared.admin_models import EMAIL, MOBILE
from notify_shared.errors import ValidationError
from notify_shared.recipients import InvalidRecipient, validate_email_address, validate_phone_number


def normalised_mobile(number: str, field: str) -> str:
    try:
        return validate_phone_number(number, international=True)[0]
    except InvalidRecipient as exc:
        raise ValidationError(f"{field} {exc}") from exc


def normalised_email(address: str, field: str) -> str:
    try:
        return validate_email_address(address).lower()
    except InvalidRecipient as exc:
        raise ValidationError(f"{field} {exc}") from exc


def normalised(recipient_type: str, recipient: str, field: str = "recipient") -> str:
    if recipient_type == MOBILE:
        return normalised_mobile(recipient, field)
    if recipient_type == EMAIL:
        return normalised_email(recipient, field)
    raise ValidationError(f"recipient_type must be {MOBILE} or {EMAIL}")
