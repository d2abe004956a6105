"""SQLAlchemy engine and sessions, sized and bounded from Settings.

Sessions are short: open, run the queries of one step, commit, close. Nothing that talks to the
network (bus, providers, callbacks) may run while a session is open.
"""
from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker

from .config import Settings

# Errors that mean "the database is unavailable right now", not "this request is wrong".
DB_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, PoolTimeoutError)


def build_engine(settings: Settings, *, pool_size: int | None = None, application_name: str | None = None) -> Engine:
    engine = create_engine(
        settings.database_url,
        pool_size=pool_size if pool_size is not None else settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=settings.db_pool_recycle_seconds,
        pool_pre_ping=True,
        connect_args={
            "connect_timeout": settings.db_connect_timeout_seconds,
            "application_name": application_name or settings.service_name,
            # tcp_user_timeout bounds how long a write to a dead server may block.
            "tcp_user_timeout": settings.db_connect_timeout_seconds * 1000,
        },
    )

    timeouts = (
        f"SET statement_timeout = {int(settings.db_statement_timeout_ms)};"
        f"SET lock_timeout = {int(settings.db_lock_timeout_ms)};"
        f"SET idle_in_transaction_session_timeout = {int(settings.db_idle_in_transaction_timeout_ms)};"
        "SET TIME ZONE 'UTC';"
    )

    @event.listens_for(engine, "connect")
    def _set_session_limits(dbapi_conn, _record):  # noqa: ANN001 - SQLAlchemy event signature
        with dbapi_conn.cursor() as cur:
            cur.execute(timeouts)
        dbapi_conn.commit()

    return engine


class Database:
    """An engine plus its session factory; one per process (or per pool role)."""

    def __init__(self, settings: Settings, *, pool_size: int | None = None, application_name: str | None = None):
        self.settings = settings
        self.engine = build_engine(settings, pool_size=pool_size, application_name=application_name)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A transaction: committed on success, rolled back on error, connection returned either way."""
        session = self._sessions()
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
        finally:
            session.close()

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def alembic_version(self) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(text("SELECT version_num FROM alembic_version")).scalar()

    def pool_status(self) -> dict[str, int]:
        pool = self.engine.pool
        return {
            "size": pool.size(),  # type: ignore[attr-defined]
            "checked_out": pool.checkedout(),  # type: ignore[attr-defined]
            "overflow": pool.overflow(),  # type: ignore[attr-defined]
        }

    def dispose(self) -> None:
        self.engine.dispose()
