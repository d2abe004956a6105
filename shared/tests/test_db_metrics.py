"""The database pool reports what it is doing: connections checked out, checkout waits, timeouts."""
from __future__ import annotations

import uuid

import pytest
from prometheus_client import REGISTRY
from sqlalchemy import text

from notify_shared.config import Settings
from notify_shared.db import DB_UNAVAILABLE_ERRORS, Database


def sample(name: str, pool: str) -> float:
    return REGISTRY.get_sample_value(name, {"pool": pool}) or 0.0


@pytest.fixture
def small_db(settings):
    name = f"pool-{uuid.uuid4().hex[:8]}"
    db = Database(Settings(**{**settings.__dict__, "db_pool_size": 1, "db_max_overflow": 0,
                              "db_pool_timeout_seconds": 0.2}), application_name=name)
    yield db, name
    db.dispose()


def test_checked_out_connections_and_waits_are_counted_per_pool(small_db):
    db, name = small_db

    with db.session() as session:
        session.execute(text("SELECT 1"))
        during = sample("notify_db_pool_checked_out_connections", name)
    after = sample("notify_db_pool_checked_out_connections", name)

    assert (during, after) == (1, 0)
    assert sample("notify_db_pool_wait_seconds_count", name) == 1


def test_a_checkout_that_gives_up_is_counted_as_a_pool_timeout(small_db):
    db, name = small_db

    with db.session() as held:
        held.execute(text("SELECT 1"))
        with pytest.raises(DB_UNAVAILABLE_ERRORS):
            with db.session() as waiting:
                waiting.execute(text("SELECT 1"))

    assert sample("notify_db_pool_timeouts_total", name) == 1
    assert sample("notify_db_pool_wait_seconds_sum", name) >= 0.2


def test_readiness_pings_use_a_connection_of_their_own_so_a_busy_pool_is_not_a_down_database(small_db):
    db, name = small_db

    with db.session() as held:
        held.execute(text("SELECT 1"))
        db.ping()
        assert db.alembic_version()

    assert sample("notify_db_pool_timeouts_total", name) == 0
    assert sample("notify_db_pool_wait_seconds_count", f"{name}-health") >= 1
