import pytest

from notify_shared.recipients import InvalidRecipient, validate_email_address, validate_phone_number


@pytest.mark.parametrize(("number", "normalised"), [
    ("07700900123", "447700900123"), ("+44 7700 900123", "447700900123"), ("0044(7700)900-123", "447700900123"),
])
def test_uk_mobiles_are_normalised(number, normalised):
    assert validate_phone_number(number, international=False) == (normalised, False)


@pytest.mark.parametrize(("number", "message"), [
    ("0117 496 0860", "Not a UK mobile number"),
    ("0770090012", "Not enough digits"),
    ("077009001234", "Too many digits"),
    ("0770090012a", "Must not contain letters or symbols"),
    ("+1 202 555 0104", "Not a UK mobile number"),
])
def test_bad_uk_numbers_get_notifys_messages(number, message):
    with pytest.raises(InvalidRecipient, match=message):
        validate_phone_number(number, international=False)


def test_international_numbers_need_permission():
    assert validate_phone_number("+1 202 555 0104", international=True) == ("12025550104", True)


@pytest.mark.parametrize("address", ["someone@example.com", "first.last+tag@sub.example.co.uk", "a@bücher.de"])
def test_valid_email_addresses(address):
    assert validate_email_address(address) == address


@pytest.mark.parametrize("address", ["no-at-sign", "a@b", "a@@b.com", "a..b@example.com", "a@-x.com", "a@x.c0m"])
def test_invalid_email_addresses(address):
    with pytest.raises(InvalidRecipient, match="Not a valid email address"):
        validate_email_address(address)
