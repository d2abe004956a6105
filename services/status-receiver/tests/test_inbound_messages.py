from datetime import UTC, datetime

import pytest

from notify_status_receiver.inbound_messages import (
    format_mmg_message,
    format_user_number,
    inbound_number_candidates,
    parse_provider_date,
    strip_leading_forty_four,
)


@pytest.mark.parametrize(("message", "expected"), [
    ("abc", "abc"),
    ("", ""),
    ("lots+of+words", "lots of words"),
    ("%F0%9F%93%A9+%F0%9F%93%A9+%F0%9F%93%A9", "📩 📩 📩"),
    ("x+%2B+y", "x + y"),
    ("line+one%5Cnline+two", "line one\nline two"),
    ("ends+with+a+backslash%5C", "ends with a backslash\\"),
])
def test_an_mmg_message_is_decoded_as_notify_decodes_it(message, expected):
    assert format_mmg_message(message) == expected


@pytest.mark.parametrize(("raw", "expected"), [
    ("2017-01-21+11%3A56%3A11", datetime(2017, 1, 21, 11, 56, 11, tzinfo=UTC)),  # GMT
    ("2017-05-21+11%3A56%3A11", datetime(2017, 5, 21, 10, 56, 11, tzinfo=UTC)),  # BST
    ("2017-05-21 11:56:11", datetime(2017, 5, 21, 10, 56, 11, tzinfo=UTC)),
    ("2017-05-21T11:56:11+00:00", datetime(2017, 5, 21, 11, 56, 11, tzinfo=UTC)),
    ("not a date", None),
    (None, None),
])
def test_a_provider_date_is_uk_local_time_stored_as_utc(raw, expected):
    assert parse_provider_date(raw) == expected


@pytest.mark.parametrize(("number", "expected"), [
    ("447123123123", "07123123123"),
    ("07123123123", "07123123123"),
    ("60604", "60604"),
])
def test_a_leading_44_becomes_a_0_as_notify_strips_it(number, expected):
    assert strip_leading_forty_four(number) == expected


def test_an_inbound_number_is_looked_up_in_its_national_and_international_spellings():
    assert set(inbound_number_candidates("447700900500")) == {"447700900500", "07700900500", "+447700900500"}
    assert set(inbound_number_candidates("07700900500")) == {"07700900500", "447700900500", "+447700900500"}
    assert inbound_number_candidates("60604") == ("60604",)


def test_the_senders_number_is_normalised_and_an_alphanumeric_sender_kept():
    assert format_user_number("07700 900123") == "447700900123"
    assert format_user_number("+33 6 12 34 56 78") == "33612345678"
    assert format_user_number("ALPHANUM3R1C") == "ALPHANUM3R1C"
