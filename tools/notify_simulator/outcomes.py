"""Which receipt a recipient gets: Notify's test numbers and simulator addresses.

From Notify's research-mode rules (app/celery/research_mode_tasks.py): numbers ending 7700900003 are a
temporary failure, 7700900002 a permanent failure, anything else is delivered;
temp-fail@simulator.notify soft-bounces and perm-fail@simulator.notify hard-bounces.
"""
from __future__ import annotations

from datetime import UTC, datetime
from enum import Enum
from zoneinfo import ZoneInfo

TEMPORARY_FAILURE_NUMBER = "7700900003"
PERMANENT_FAILURE_NUMBER = "7700900002"

PERMANENT_FAILURE_EMAIL = "perm-fail@simulator.notify"
TEMPORARY_FAILURE_EMAIL = "temp-fail@simulator.notify"
COMPLAINT_EMAIL = "complaint@simulator.notify"

LONDON = ZoneInfo("Europe/London")


class Outcome(Enum):
    DELIVERED = "delivered"
    TEMPORARY_FAILURE = "temporary-failure"
    PERMANENT_FAILURE = "permanent-failure"
    COMPLAINT = "complaint"  # delivered, then the recipient marks it as spam


def sms_outcome(number: str) -> Outcome:
    digits = number.strip()
    if digits.endswith(TEMPORARY_FAILURE_NUMBER):
        return Outcome.TEMPORARY_FAILURE
    if digits.endswith(PERMANENT_FAILURE_NUMBER):
        return Outcome.PERMANENT_FAILURE
    return Outcome.DELIVERED


def email_outcome(address: str) -> Outcome:
    normalised = address.strip().lower()
    if normalised == PERMANENT_FAILURE_EMAIL:
        return Outcome.PERMANENT_FAILURE
    if normalised == TEMPORARY_FAILURE_EMAIL:
        return Outcome.TEMPORARY_FAILURE
    if normalised == COMPLAINT_EMAIL:
        return Outcome.COMPLAINT
    return Outcome.DELIVERED


def provider_local_time() -> str:
    """MMG and Firetext send UK wall-clock time without an offset (Notify reads it as Europe/London)."""
    return datetime.now(LONDON).strftime("%Y-%m-%d %H:%M:%S")


def aws_timestamp(moment: datetime | None = None) -> str:
    """ISO 8601 in UTC with milliseconds and a Z, as SES and SNS write them."""
    moment = moment or datetime.now(UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
