import time

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import text

from notify_shared.config import Settings
from notify_shared.db import DB_UNAVAILABLE_ERRORS, Database
from notify_shared.migrate import alembic_config


def test_every_connection_carries_the_statement_timeout(settings):
    db = Database(Settings(**{**settings.__dict__, "db_statement_timeout_ms": 1234}))
    try:
        with db.session() as session:
            assert session.execute(text("SHOW statement_timeout")).scalar() == "1234ms"
            assert session.execute(text("SHOW TimeZone")).scalar() == "UTC"
    finally:
        db.dispose()


def test_an_exhausted_pool_fails_within_the_pool_timeout(settings):
    db = Database(Settings(**{**settings.__dict__, "db_pool_size": 1, "db_max_overflow": 0,
                              "db_pool_timeout_seconds": 0.5}))
    try:
        with db.session() as held:
            held.execute(text("SELECT 1"))
            started = time.monotonic()
            with pytest.raises(DB_UNAVAILABLE_ERRORS):
                with db.session() as waiting:
                    waiting.execute(text("SELECT 1"))
            assert time.monotonic() - started < 2
    finally:
        db.dispose()


def test_migrations_are_at_head(db, settings):
    heads = ScriptDirectory.from_config(alembic_config(settings.database_url)).get_heads()
    assert len(heads) == 1, f"migrations have several heads, add a merge revision: {heads}"
    assert db.alembic_version() == heads[0]
