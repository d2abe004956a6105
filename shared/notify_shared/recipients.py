"""Recipient rules: phone numbers and email addresses, with GOV.UK Notify's error messages."""
from __future__ import annotations

import re

UK_PREFIX = "44"


class InvalidRecipient(ValueError):
    """The message is Notify's text, shown to the API user after the field name."""


def normalise_phone_number(number: str) -> str:
    cleaned = re.sub(r"[\s()\-.]", "", str(number))
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    if not cleaned.isdigit():
        raise InvalidRecipient("Must not contain letters or symbols")
    return cleaned


def is_uk_phone_number(number: str) -> bool:
    cleaned = re.sub(r"[\s()\-.+]", "", str(number))
    if cleaned.startswith("0") and not cleaned.startswith("00"):
        return True
    if cleaned.startswith("00"):
        cleaned = cleaned[2:]
    return cleaned.startswith(UK_PREFIX) or cleaned.startswith("7")


def validate_uk_mobile(number: str) -> str:
    """Returns the number as `447xxxxxxxxx` or raises InvalidRecipient with Notify's message."""
    digits = normalise_phone_number(number)
    if digits.startswith("0044"):
        digits = digits[4:]
    elif digits.startswith("44"):
        digits = digits[2:]
    elif digits.startswith("0"):
        digits = digits[1:]
    if not digits.startswith("7"):
        raise InvalidRecipient("Not a UK mobile number")
    if len(digits) > 10:
        raise InvalidRecipient("Too many digits")
    if len(digits) < 10:
        raise InvalidRecipient("Not enough digits")
    return UK_PREFIX + digits


def validate_international_number(number: str) -> str:
    digits = normalise_phone_number(number)
    if digits.startswith("00"):
        digits = digits[2:]
    if len(digits) < 8:
        raise InvalidRecipient("Not enough digits")
    if len(digits) > 15:
        raise InvalidRecipient("Too many digits")
    if digits[0] == "0":
        raise InvalidRecipient("Not a valid country prefix")
    return digits


def validate_phone_number(number: str, *, international: bool) -> tuple[str, bool]:
    """Normalised number and whether it is international."""
    if is_uk_phone_number(number):
        return validate_uk_mobile(number), False
    if not international:
        # Validate shape first so the user gets the most specific message.
        validate_international_number(number)
        raise InvalidRecipient("Not a UK mobile number")
    return validate_international_number(number), True


EMAIL_LOCAL = re.compile(r"^[a-zA-Z0-9.!#$%&'*+/=?^_`{|}~\-]+$")
HOSTNAME_PART = re.compile(r"^(xn|[a-z0-9]+)(-?-[a-z0-9]+)*$", re.IGNORECASE)
TLD_PART = re.compile(r"^([a-z]{2,63}|xn--([a-z0-9]+-)*[a-z0-9]+)$", re.IGNORECASE)


def validate_email_address(address: str) -> str:
    """Notify's rule set: one @, a sane local part, a dotted domain with a real-looking TLD."""
    address = str(address).strip()
    message = "Not a valid email address"
    if len(address) > 320 or address.count("@") != 1:
        raise InvalidRecipient(message)
    local, domain = address.split("@")
    if not local or len(local) > 64 or not EMAIL_LOCAL.match(local) or ".." in local:
        raise InvalidRecipient(message)
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError as exc:
        raise InvalidRecipient(message) from exc
    parts = ascii_domain.split(".")
    if len(parts) < 2 or len(ascii_domain) > 253:
        raise InvalidRecipient(message)
    for part in parts:
        if not part or len(part) > 63 or not HOSTNAME_PART.match(part):
            raise InvalidRecipient(message)
    if not TLD_PART.match(parts[-1]):
        raise InvalidRecipient(message)
    return address


def format_email_domain_for_sending(address: str) -> str:
    """Punycode the domain so providers that only take ASCII can deliver to IDN domains."""
    local, domain = address.rsplit("@", 1)
    return f"{local}@{domain.encode('idna').decode('ascii')}"
