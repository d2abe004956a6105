"""Letter rules the API applies: the postal address, the statuses the v2 API shows, delivery estimates, cost."""
from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from notify_shared import statuses
from notify_shared.errors import ValidationError
from notify_shared.letters.collation import CollationTime
from notify_shared.letters.postage import DEFAULT_POSTAGE
from notify_shared.letters.rates import letter_rate

LONDON = ZoneInfo("Europe/London")

LETTER_STATUS_ACCEPTED = "accepted"
LETTER_STATUS_RECEIVED = "received"

MIN_ADDRESS_LINES = 3
MAX_ADDRESS_LINES = 7
ADDRESS_KEYS = tuple(f"address_line_{n}" for n in range(1, MAX_ADDRESS_LINES + 1))

# Outward code + inward code, plus BFPO and Girobank's GIR 0AA, compared without spaces.
UK_POSTCODE = re.compile(r"^(?:[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][ABD-HJLNP-UW-Z]{2}|GIR0AA|BFPO[0-9]{1,4})$")


@dataclass(frozen=True)
class PostalAddress:
    lines: tuple[str, ...]

    @property
    def postcode(self) -> str:
        return self.lines[-1]

    def as_text(self) -> str:
        return "\n".join(self.lines)


def _key(name: str) -> str:
    return name.strip().lower().replace(" ", "_")


def normalise_postcode(value: str) -> str:
    compact = re.sub(r"\s+", "", value).upper()
    return f"{compact[:-3]} {compact[-3:]}" if not compact.startswith("BFPO") and len(compact) > 3 else compact


def address_from_personalisation(personalisation: Mapping[str, Any]) -> PostalAddress:
    """Lines from `address_line_1..7` then `postcode`, blank lines dropped; Notify's rules and messages."""
    values = {_key(k): v for k, v in personalisation.items()}
    lines = [str(values[k]).strip() for k in ADDRESS_KEYS if values.get(k) not in (None, "")]
    if values.get("postcode") not in (None, ""):
        lines.append(str(values["postcode"]).strip())
    lines = [line for line in lines if line]
    if len(lines) < MIN_ADDRESS_LINES:
        raise ValidationError(f"Address must be at least {MIN_ADDRESS_LINES} lines")
    if len(lines) > MAX_ADDRESS_LINES:
        raise ValidationError(f"Address must be no more than {MAX_ADDRESS_LINES} lines")
    if not UK_POSTCODE.match(re.sub(r"\s+", "", lines[-1]).upper()):
        raise ValidationError("Must be a real UK postcode")
    lines[-1] = normalise_postcode(lines[-1])
    return PostalAddress(tuple(lines))


def public_letter_status(status: str) -> str:
    """The v2 API hides the print pipeline: created/sending are `accepted`, delivered/returned `received`."""
    if status in (statuses.CREATED, statuses.SENDING):
        return LETTER_STATUS_ACCEPTED
    if status in (statuses.DELIVERED, statuses.RETURNED_LETTER):
        return LETTER_STATUS_RECEIVED
    return status


def internal_statuses_for_letter_filter(status: str) -> tuple[str, ...]:
    if status == LETTER_STATUS_ACCEPTED:
        return (statuses.CREATED, statuses.SENDING)
    if status == LETTER_STATUS_RECEIVED:
        return (statuses.DELIVERED, statuses.RETURNED_LETTER)
    return (status,)


# Notify's letter timings: a letter goes out in the first collation after it is created (17:30 London time
# by default, LETTER_COLLATION_TIME), is printed on the next DVLA working day (Mon-Fri), then spends this
# many Royal Mail working days (Mon-Sat) in transit. Bank holidays are not modelled.
DAYS_IN_TRANSIT = {"first": 0, "second": 3, "economy": 3, "europe": 3, "rest-of-world": 5}


def _next_day(day: datetime, working_weekdays: range) -> datetime:
    day += timedelta(days=1)
    while day.weekday() not in working_weekdays:
        day += timedelta(days=1)
    return day


def estimated_delivery(created_at: datetime, postage: str | None, collation: CollationTime) -> datetime:
    """Earliest delivery at 16:00 London time, as Notify reports it, in UTC."""
    # Printed on the DVLA working day after the collation the letter goes out in.
    collated = collation.next_cutoff(created_at).astimezone(LONDON)
    print_day = _next_day(collated, range(0, 5))
    delivery = print_day
    for _ in range(1 + DAYS_IN_TRANSIT.get(postage or "second", 3)):
        delivery = _next_day(delivery, range(0, 6))
    at_four = datetime.combine(delivery.date(), time(16, 0), tzinfo=LONDON)
    return at_four.astimezone(UTC)


# Letters that never went to print are not charged for (Notify bills letters sent, delivered or returned).
UNBILLED_LETTER_STATUSES = frozenset({
    statuses.VALIDATION_FAILED, statuses.VIRUS_SCAN_FAILED, statuses.TECHNICAL_FAILURE, statuses.CANCELLED,
    statuses.PERMANENT_FAILURE,
})


def letter_cost(status: str, sheets: int, postage: str | None) -> tuple[bool, float | None, dict[str, Any]]:
    """(is_cost_data_ready, cost_in_pounds, cost_details) of a letter, as GET notification shows them.

    Ready once its sheets are counted (the sender counts a templated letter's when it renders it, the
    API a precompiled letter's when it accepts it); until then Notify shows null cost and empty details.
    """
    postage = postage or DEFAULT_POSTAGE
    if status in UNBILLED_LETTER_STATUSES:
        return True, 0.0, {"billable_sheets_of_paper": 0, "postage": postage}
    rate = letter_rate(postage, sheets) if sheets > 0 else None
    if rate is None:
        # Not counted yet, or beyond the rate table (more than 5 sheets cannot be printed).
        return False, None, {}
    return True, rate, {"billable_sheets_of_paper": sheets, "postage": postage}
