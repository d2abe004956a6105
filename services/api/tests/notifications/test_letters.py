from datetime import UTC, datetime

import pytest

from notify_api.notifications import letters
from notify_shared.errors import ValidationError
from notify_shared.letters.collation import CollationTime


def test_an_address_is_its_lines_then_the_postcode_normalised():
    address = letters.address_from_personalisation(
        {"Address Line 1": "Ada Lovelace", "address_line_2": " 1 Test Street ", "address_line_3": "",
         "postcode": "sw1a1aa"})

    assert address.lines == ("Ada Lovelace", "1 Test Street", "SW1A 1AA")


def test_the_last_address_line_may_carry_the_postcode():
    address = letters.address_from_personalisation(
        {"address_line_1": "A", "address_line_2": "B", "address_line_3": "BFPO 1234"})

    assert address.postcode == "BFPO1234"


@pytest.mark.parametrize("personalisation, message", [
    ({"address_line_1": "A", "postcode": "SW1A 1AA"}, "Address must be at least 3 lines"),
    ({**{f"address_line_{n}": "x" for n in range(1, 8)}, "postcode": "SW1A 1AA"},
     "Address must be no more than 7 lines"),
    ({"address_line_1": "A", "address_line_2": "B", "postcode": "NOT A CODE"}, "Must be a real UK postcode"),
])
def test_addresses_breaking_notify_rules_are_refused(personalisation, message):
    with pytest.raises(ValidationError) as excinfo:
        letters.address_from_personalisation(personalisation)

    assert excinfo.value.messages == [message]


@pytest.mark.parametrize("status, shown", [
    ("created", "accepted"), ("sending", "accepted"), ("delivered", "received"), ("returned-letter", "received"),
    ("technical-failure", "technical-failure"),
])
def test_letters_show_notify_public_statuses(status, shown):
    assert letters.public_letter_status(status) == shown


@pytest.mark.parametrize("created_at, postage, expected", [
    # Monday morning: printed Tuesday, first class lands Wednesday, second class four working days later.
    (datetime(2026, 11, 23, 10, 0, tzinfo=UTC), "first", datetime(2026, 11, 25, 16, 0, tzinfo=UTC)),
    (datetime(2026, 11, 23, 10, 0, tzinfo=UTC), "second", datetime(2026, 11, 28, 16, 0, tzinfo=UTC)),
    # After 17:30 London time counts as the next day: a Friday evening letter is printed on Monday.
    (datetime(2026, 11, 27, 18, 0, tzinfo=UTC), "first", datetime(2026, 12, 1, 16, 0, tzinfo=UTC)),
    # Summer time: 16:00 London is 15:00 UTC.
    (datetime(2026, 6, 1, 9, 0, tzinfo=UTC), "first", datetime(2026, 6, 3, 15, 0, tzinfo=UTC)),
])
def test_estimated_delivery_follows_notify_letter_timings(created_at, postage, expected):
    assert letters.estimated_delivery(created_at, postage, CollationTime.parse("17:30 Europe/London")) == expected


def test_an_earlier_collation_time_moves_estimated_delivery_for_letters_created_after_it():
    monday_noon = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
    # With a 11:00 cut-off, Monday noon misses Monday's collation: printed Wednesday, first class Thursday.
    assert letters.estimated_delivery(monday_noon, "first", CollationTime.parse("11:00 Europe/London")) == \
        datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
