"""Error counts shared by sender processes through the database, and the re-weighting they trigger."""
from __future__ import annotations

import pytest
from sqlalchemy import select, text

from notify_sender.error_bursts import BurstRules
from notify_sender.provider_errors import ProviderErrorMonitor
from notify_shared.db import Database
from notify_shared.models import ProviderDetails, ProviderDetailsHistory

RULES = BurstRules(threshold=50, step=10, cooldown_seconds=60)


@pytest.fixture
def second_process_db(settings):
    """A second engine on the same database: what another sender instance would use."""
    other = Database(settings, application_name="sender-2")
    yield other
    other.dispose()


def priorities(db: Database) -> dict[str, int]:
    with db.session() as session:
        return dict(session.execute(select(ProviderDetails.identifier, ProviderDetails.priority)
                                    .where(ProviderDetails.notification_type == "sms")).all())


def history(db: Database) -> list[tuple[str, int, str]]:
    with db.session() as session:
        return [tuple(row) for row in session.execute(
            select(ProviderDetails.identifier, ProviderDetailsHistory.priority, ProviderDetailsHistory.reason)
            .join(ProviderDetails, ProviderDetails.id == ProviderDetailsHistory.provider_id)
            .order_by(ProviderDetailsHistory.created_at, ProviderDetails.identifier))]


def record(monitor: ProviderErrorMonitor, provider: str, count: int) -> None:
    for _ in range(count):
        monitor.record_error(provider)


def test_errors_counted_by_two_sender_processes_add_up_to_one_burst(empty_db, second_process_db):
    first = ProviderErrorMonitor(empty_db, RULES)
    second = ProviderErrorMonitor(second_process_db, RULES)
    record(first, "mmg", 25)
    record(second, "mmg", 25)

    assert first.flush() is None  # 25 in the last minute: below the threshold
    assert second.flush().changes  # 50 across both processes

    assert priorities(empty_db) == {"mmg": 40, "firetext": 60}
    reason = "error burst: 50 errors in 60s at mmg; 10 priority points moved to firetext"
    assert history(empty_db) == [("firetext", 60, reason), ("mmg", 40, reason)]


def test_a_second_burst_within_the_cool_down_moves_nothing_and_one_after_it_moves_again(empty_db,
                                                                                          second_process_db):
    monitor = ProviderErrorMonitor(empty_db, RULES)
    record(monitor, "mmg", 50)
    monitor.flush()
    record(monitor, "mmg", 70)

    assert monitor.flush() is None
    assert ProviderErrorMonitor(second_process_db, RULES).reweight().changes == []  # the database decides
    assert priorities(empty_db) == {"mmg": 40, "firetext": 60}

    with empty_db.session() as session:  # the first move was made two minutes ago
        session.execute(text("UPDATE provider_details_history SET created_at = now() - interval '2 minutes'"))
    other = ProviderErrorMonitor(second_process_db, RULES)
    record(other, "firetext", 1)
    other.flush()

    assert priorities(empty_db) == {"mmg": 30, "firetext": 70}
    assert len(history(empty_db)) == 4


def test_errors_older_than_a_minute_do_not_count(empty_db):
    with empty_db.session() as session:
        session.execute(text("INSERT INTO provider_error_counts (provider, bucket_start, errors)"
                             " VALUES ('mmg', now() - interval '90 seconds', 500)"))
    monitor = ProviderErrorMonitor(empty_db, RULES)
    record(monitor, "mmg", 49)

    assert monitor.flush() is None
    assert priorities(empty_db) == {"mmg": 50, "firetext": 50}
    assert history(empty_db) == []


def test_counts_that_could_not_be_written_are_kept_for_the_next_flush(empty_db, settings):
    broken = Database(settings.__class__(**{**settings.__dict__, "database_url":
                                            settings.database_url.rsplit("/", 1)[0] + "/no_such_database",
                                            "db_connect_timeout_seconds": 1}))
    monitor = ProviderErrorMonitor(broken, RULES)
    record(monitor, "mmg", 50)
    with pytest.raises(Exception):  # noqa: B017, PT011 - whatever the driver raises for a missing database
        monitor.flush()
    monitor.db = empty_db

    assert monitor.flush().changes
    broken.dispose()
