"""SQLAlchemy engine and sessions, sized and bounded from Settings.

Sessions are short: open, run the queries of one step, commit, close. Nothing that talks to the
network (bus, providers, callbacks) may run while a session is open.
"""
from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import DisconnectionError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeoutError
from sqlalchemy.orm import Session, sessionmaker
from sqlalchemy.pool import ConnectionPoolEntry, QueuePool

from .config import Settings
from .metrics import DB_POOL_CHECKED_OUT, DB_POOL_TIMEOUTS, DB_POOL_WAIT

# Errors that mean "the database is unavailable right now", not "this request is wrong".
DB_UNAVAILABLE_ERRORS: tuple[type[BaseException], ...] = (OperationalError, PoolTimeoutError)


class MeteredQueuePool(QueuePool):
    """QueuePool that reports checked-out connections and how long each checkout waited.

    SQLAlchemy's pool events fire only once a connection is in hand, so the wait (queueing for a free
    connection, or opening a new one) is timed around the pool's own get. `label` is set per engine by
    `metered_pool_class`, because an engine's dispose() rebuilds its pool from the class alone.
    """

    label = "default"

    def _do_get(self) -> ConnectionPoolEntry:
        started = time.perf_counter()
        try:
            record = super()._do_get()
        except PoolTimeoutError:
            DB_POOL_TIMEOUTS.labels(self.label).inc()
            raise
        finally:
            DB_POOL_WAIT.labels(self.label).observe(time.perf_counter() - started)
        DB_POOL_CHECKED_OUT.labels(self.label).set(self.checkedout())
        return record

    def _do_return_conn(self, record: ConnectionPoolEntry) -> None:
        super()._do_return_conn(record)
        DB_POOL_CHECKED_OUT.labels(self.label).set(self.checkedout())


@cache
def metered_pool_class(label: str) -> type[MeteredQueuePool]:
    return type(f"MeteredQueuePool[{label}]", (MeteredQueuePool,), {"label": label})


def build_engine(settings: Settings, *, pool_size: int | None = None, application_name: str | None = None,
                 max_overflow: int | None = None) -> Engine:
    name = application_name or settings.service_name
    engine = create_engine(
        settings.database_url,
        poolclass=metered_pool_class(name),
        pool_size=pool_size if pool_size is not None else settings.db_pool_size,
        max_overflow=max_overflow if max_overflow is not None else settings.db_max_overflow,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_recycle=settings.db_pool_recycle_seconds,
        pool_pre_ping=settings.db_pool_ping_idle_seconds <= 0,
        connect_args={
            "connect_timeout": settings.db_connect_timeout_seconds,
            "application_name": name,
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

    if settings.db_pool_ping_idle_seconds > 0:
        _ping_when_idle(engine, settings.db_pool_ping_idle_seconds)
    return engine


def _ping_when_idle(engine: Engine, idle_seconds: float) -> None:
    """Pre-ping only connections that sat in the pool for more than `idle_seconds`.

    A ping is a round trip on every checkout, a sixth of intake's; under load a connection was used a moment
    ago and the ping learns nothing. A connection that turns out dead in use raises a disconnect error, which
    makes SQLAlchemy drop every connection opened before it, so a database restart still costs each process
    at most the requests in flight and one more.
    """

    @event.listens_for(engine, "checkin")
    def _checked_in(_dbapi_conn, record):  # noqa: ANN001 - SQLAlchemy event signature
        record.info["checked_in_at"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _checked_out(dbapi_conn, record, _proxy):  # noqa: ANN001 - SQLAlchemy event signature
        checked_in_at = record.info.get("checked_in_at")
        if checked_in_at is None or time.monotonic() - checked_in_at <= idle_seconds:
            return  # just opened, or just used
        try:
            engine.dialect.do_ping(dbapi_conn)
        except Exception as exc:
            # The pool discards this connection and checks out a fresh one instead.
            raise DisconnectionError("pooled connection failed its ping") from exc


class Database:
    """An engine plus its session factory; one per process (or per pool role)."""

    def __init__(self, settings: Settings, *, pool_size: int | None = None, application_name: str | None = None):
        self.settings = settings
        self.application_name = application_name or settings.service_name
        self.engine = build_engine(settings, pool_size=pool_size, application_name=self.application_name)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False, autoflush=False)
        self._health_engine: Engine | None = None
        self._health_lock = threading.Lock()

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

    @contextmanager
    def transaction(self) -> Iterator[Connection]:
        """A Core transaction for hot paths that only run statements: committed on success, rolled back on
        error. It skips the ORM session's unit-of-work bookkeeping, which cost intake more CPU per request
        than its INSERT and COMMIT (docs/performance.md, intake)."""
        with self.engine.begin() as connection:
            yield connection

    def health_engine(self) -> Engine:
        """One connection of its own for readiness and /_status.

        Through the request pool, a pool busy with slow requests would read as a database that is down,
        and readiness would take a busy but healthy instance out of the route. Created on first use.
        """
        with self._health_lock:
            if self._health_engine is None:
                self._health_engine = build_engine(self.settings, pool_size=1, max_overflow=0,
                                                   application_name=f"{self.application_name}-health")
            return self._health_engine

    def ping(self) -> None:
        with self.health_engine().connect() as conn:
            conn.execute(text("SELECT 1"))

    def alembic_version(self) -> str | None:
        with self.health_engine().connect() as conn:
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
        if self._health_engine is not None:
            self._health_engine.dispose()
