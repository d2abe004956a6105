"""Billing facts the sender stores: SMS fragments and the international rate multiplier."""
from __future__ import annotations

import pytest

from notify_sender.billing import sms_rate
from notify_sender.rendering import render_sms


def fragments(text: str) -> int:
    return render_sms(text, {}, service_name="s", prefix=False).fragments


@pytest.mark.parametrize(("length", "expected"), [(160, 1), (161, 2), (306, 2), (307, 3), (459, 3), (460, 4)])
def test_gsm_texts_are_one_fragment_up_to_160_characters_then_153_each(length, expected):
    assert fragments("a" * length) == expected


@pytest.mark.parametrize(("length", "expected"), [(70, 1), (71, 2), (134, 2), (135, 3)])
def test_texts_needing_unicode_are_one_fragment_up_to_70_characters_then_67_each(length, expected):
    assert fragments("ŵ" * length) == expected


def test_uk_numbers_are_billed_at_the_uk_rate():
    rate = sms_rate("447700900123", international=False)
    assert (rate.phone_prefix, rate.rate_multiplier) == ("44", 1.0)


@pytest.mark.parametrize(("number", "prefix", "multiplier"), [
    ("33612345678", "33", 2.0),  # France
    ("4915123456789", "49", 4.0),  # Germany
    ("12025550123", "1", 1.0),  # United States
    ("18765550123", "1876", 3.0),  # Jamaica: the longest matching prefix wins over 1
    ("35312345678", "353", 3.0),  # Ireland
])
def test_international_numbers_take_the_multiplier_of_their_country_prefix(number, prefix, multiplier):
    rate = sms_rate(number, international=True)

    assert (rate.phone_prefix, rate.rate_multiplier) == (prefix, multiplier)


def test_a_number_with_no_known_prefix_gets_no_rate():
    rate = sms_rate("8881234567", international=True)

    assert (rate.phone_prefix, rate.rate_multiplier) == (None, None)
