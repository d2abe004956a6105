"""Weighted provider order (Notify's provider_to_use) with failover candidates."""
from __future__ import annotations

import random
from collections import Counter

from notify_sender.selection import ProviderRow, provider_order

MMG = ProviderRow("mmg", 50, True)
FIRETEXT = ProviderRow("firetext", 50, False)


def test_every_active_provider_is_in_the_order_once():
    assert sorted(provider_order([MMG, FIRETEXT], rng=random.Random(1))) == ["firetext", "mmg"]


def test_the_first_choice_follows_the_priorities():
    rows = [ProviderRow("mmg", 80, True), ProviderRow("firetext", 20, False)]
    rng = random.Random(7)

    firsts = Counter(provider_order(rows, rng=rng)[0] for _ in range(5000))

    assert 0.76 < firsts["mmg"] / 5000 < 0.84


def test_international_messages_only_go_to_providers_that_support_them():
    assert provider_order([MMG, FIRETEXT], international=True) == ["mmg"]


def test_a_zero_priority_provider_is_only_a_last_resort():
    rows = [ProviderRow("mmg", 0, True), ProviderRow("firetext", 10, False)]

    assert all(provider_order(rows, rng=random.Random(seed)) == ["firetext", "mmg"] for seed in range(50))


def test_no_providers_means_no_order():
    assert provider_order([]) == []
