"""Provider status codes → notification statuses, with the tables GOV.UK Notify uses.

Sources: alphagov/notifications-api app/clients/sms/mmg.py (mmg_response_map),
app/clients/sms/firetext.py (firetext_responses, firetext_codes), app/clients/email/aws_ses.py
(ses_response_map) and app/dao/notifications_dao.py (_decide_permanent_temporary_failure).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from notify_shared.statuses import DELIVERED, PENDING, PERMANENT_FAILURE, TECHNICAL_FAILURE, TEMPORARY_FAILURE

MMG = "mmg"
FIRETEXT = "firetext"
SES = "ses"
DVLA = "dvla"


@dataclass(frozen=True)
class MappedStatus:
    status: str
    reason: str | None = None
    # False when the provider sent a code we do not know; the status is then technical-failure.
    recognised: bool = True
    # Firetext sends "pending" then a bare failure; a failure after pending means the network gave up
    # for now, so Notify records temporary-failure instead of permanent-failure.
    temporary_if_pending: bool = False


# A complaint (SES) never changes a notification's status; it only triggers a complaint callback.
COMPLAINT = "complaint"
# SES event-publishing types that say nothing about the final outcome.
IGNORED = "ignored"


MMG_STATUSES: dict[str, tuple[str, dict[str, str]]] = {
    "2": (PERMANENT_FAILURE, {
        "1": "Number does not exist",
        "4": "Rejected by operator",
        "5": "Unidentified Subscriber",
        "9": "Undelivered",
        "11": "Service for Subscriber suspended",
        "12": "Illegal equipment",
        "2049": "Subscriber IMSI blacklisted",
        "2050": "Number blacklisted in do-not-disturb blacklist",
        "2052": "Destination number blacklisted",
        "2053": "Source address blacklisted",
    }),
    "3": (DELIVERED, {"2": "Delivered to operator", "5": "Delivered to handset"}),
    "4": (TEMPORARY_FAILURE, {
        "6": "Absent Subscriber",
        "8": "Roaming not allowed",
        "13": "SMS Not Supported",
        "15": "Expired",
        "27": "Absent Subscriber",
        "29": "Invalid delivery report",
        "32": "Delivery Failure",
    }),
    "5": (PERMANENT_FAILURE, {
        "6": "Network out of coverage",
        "8": "Incorrect number prefix",
        "10": "Number on do-not-disturb service",
        "11": "Sender id not registered",
        "13": "Sender id blacklisted",
        "14": "Destination number blacklisted",
        "19": "Routing unavailable",
        "20": "Rejected by anti-flooding mechanism",
        "21": "System error",
        "23": "Duplicate message id",
        "24": "Message formatted incorrectly",
        "25": "Message too long",
        "51": "Missing recipient value",
        "52": "Invalid destination",
    }),
}

FIRETEXT_STATUSES = {"0": DELIVERED, "1": PERMANENT_FAILURE, "2": PENDING}

FIRETEXT_CODES: dict[str, tuple[str, str]] = {
    "000": (TEMPORARY_FAILURE, "No error reported"),
    "101": (PERMANENT_FAILURE, "Unknown Subscriber"),
    "102": (TEMPORARY_FAILURE, "Absent Subscriber"),
    "103": (TEMPORARY_FAILURE, "Subscriber Busy"),
    "104": (TEMPORARY_FAILURE, "No Subscriber Memory"),
    "201": (PERMANENT_FAILURE, "Invalid Number"),
    "301": (PERMANENT_FAILURE, "SMS Not Supported"),
    "302": (TEMPORARY_FAILURE, "SMS Not Supported"),
    "401": (PERMANENT_FAILURE, "Message Rejected"),
    "900": (TEMPORARY_FAILURE, "Routing Error"),
}

SES_IGNORED_EVENTS = {"Send", "Open", "Click", "DeliveryDelay", "Subscription"}


def _unknown(description: str) -> MappedStatus:
    return MappedStatus(TECHNICAL_FAILURE, reason=f"unknown {description}", recognised=False)


def map_mmg(status: str | None, substatus: str | None = None) -> MappedStatus:
    entry = MMG_STATUSES.get(str(status))
    if entry is None:
        return _unknown(f"MMG status {status!r}")
    mapped, reasons = entry
    return MappedStatus(mapped, reasons.get(str(substatus)) if substatus is not None else None)


def map_firetext(status: str | None, code: str | None = None) -> MappedStatus:
    mapped = FIRETEXT_STATUSES.get(str(status))
    if mapped is None:
        return _unknown(f"Firetext status {status!r}")
    if mapped == PERMANENT_FAILURE:
        # For a failure, Firetext's detailed code decides between permanent and temporary.
        if code in FIRETEXT_CODES:
            by_code, reason = FIRETEXT_CODES[code]
            return MappedStatus(by_code, reason)
        return MappedStatus(PERMANENT_FAILURE, temporary_if_pending=True)
    return MappedStatus(mapped, FIRETEXT_CODES[code][1] if code in FIRETEXT_CODES else None)


def map_ses(event_type: str | None, bounce_type: str | None = None) -> MappedStatus:
    if event_type == "Delivery":
        return MappedStatus(DELIVERED, "Delivered")
    if event_type == "Bounce":
        if bounce_type == "Permanent":
            return MappedStatus(PERMANENT_FAILURE, "Hard bounced")
        return MappedStatus(TEMPORARY_FAILURE, "Soft bounced")
    if event_type == "Complaint":
        return MappedStatus(COMPLAINT, "Complaint")
    if event_type in SES_IGNORED_EVENTS:
        return MappedStatus(IGNORED, event_type)
    if event_type in {"Reject", "RenderingFailure"}:
        # SES refused the message after accepting the send call (virus found, template error).
        return MappedStatus(TECHNICAL_FAILURE, event_type)
    return _unknown(f"SES event {event_type!r}")


# The print provider's callback statuses, and DVLA's job statuses (Notify: DESPATCHED → delivered,
# REJECTED → technical-failure).
DVLA_STATUSES = {"delivered": DELIVERED, "despatched": DELIVERED, "technical-failure": TECHNICAL_FAILURE,
                 "rejected": TECHNICAL_FAILURE}


def map_dvla(status: str | None) -> MappedStatus:
    mapped = DVLA_STATUSES.get(str(status).lower())
    if mapped is None:
        return _unknown(f"DVLA status {status!r}")
    return MappedStatus(mapped, str(status))


def map_receipt(payload: dict[str, Any]) -> MappedStatus:
    """Map a delivery-receipts envelope payload (as the webhooks publish it) to a status."""
    provider = payload.get("provider")
    if provider == MMG:
        return map_mmg(payload.get("status"), payload.get("substatus"))
    if provider == FIRETEXT:
        return map_firetext(payload.get("status"), payload.get("code"))
    if provider == SES:
        return map_ses(payload.get("event_type"), payload.get("bounce_type"))
    if provider == DVLA:
        return map_dvla(payload.get("status"))
    return _unknown(f"provider {provider!r}")


def resolve_status(mapped: MappedStatus, current: str) -> str:
    """The status to record given the notification's current one (Firetext's pending quirk)."""
    if mapped.temporary_if_pending and current == PENDING:
        return TEMPORARY_FAILURE
    return mapped.status
