"""Weighted provider order (Notify's provider_to_use) with failover candidates."""
from __future__ import annotations

import random
from collections import Counter
from dataclasses import replace

from sqlalchemy import update

from notify_sender.selection import ProviderDirectory, ProviderRow, provider_order
from notify_shared.db import Database
from notify_shared.models import ProviderDetails

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


def test_the_directory_reads_priorities_again_only_when_stale_or_invalidated(empty_db):
    directory = ProviderDirectory(empty_db, cache_seconds=60)
    assert {r.identifier: r.priority for r in directory.active("sms")} == {"firetext": 50, "mmg": 50}
    with empty_db.session() as session:
        session.execute(update(ProviderDetails).where(ProviderDetails.identifier == "mmg").values(priority=70))

    assert {r.identifier: r.priority for r in directory.active("sms")}["mmg"] == 50  # cached
    directory.invalidate()
    assert {r.identifier: r.priority for r in directory.active("sms")}["mmg"] == 70


def test_cached_priorities_keep_sends_going_while_the_database_is_unavailable(empty_db, settings):
    directory = ProviderDirectory(empty_db, cache_seconds=0)
    known = directory.active("sms")
    unreachable = Database(replace(settings, database_url=settings.database_url.rsplit("/", 1)[0] + "/no_such_db",
                                   db_connect_timeout_seconds=1))
    directory.db = unreachable

    assert directory.active("sms") == known
    unreachable.dispose()
