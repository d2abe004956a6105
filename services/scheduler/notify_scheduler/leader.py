"""One leader at a time: a PostgreSQL session-level advisory lock held on a dedicated connection.

The lock lives exactly as long as the connection. If the leader dies, its socket closes, PostgreSQL
ends the session and releases the lock, and a standby's next `try_acquire` wins it. The connection
is in autocommit mode so it never sits "idle in transaction", which the database's
idle_in_transaction_session_timeout would punish by killing the session (and the leadership).
"""
from __future__ import annotations

import os
import socket

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.pool import NullPool

from notify_shared.config import Settings
from notify_shared.logging import get_logger

log = get_logger(__name__)


APPLICATION_NAME_PREFIX = "scheduler-leader "
HELD_BY = (
    "SELECT a.application_name FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
    "WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1 "
    "AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database()) "
    "AND ((l.classid::bigint << 32) | l.objid::bigint) = :k"
)


def instance_identity() -> str:
    """host:pid, unique across containers (a CF container's hostname is its instance guid)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def lock_application_name() -> str:
    # How the lock's session shows in pg_stat_activity, so operators can see which instance leads.
    return f"{APPLICATION_NAME_PREFIX}{instance_identity()}"[:63]  # PostgreSQL truncates at 63 bytes


def current_leader(conn: Connection, key: int) -> str | None:
    """The host:pid of the instance holding the leader lock, or None while nobody leads."""
    name = conn.execute(text(HELD_BY), {"k": key}).scalar()
    return name[len(APPLICATION_NAME_PREFIX):] if name and name.startswith(APPLICATION_NAME_PREFIX) else name


class LeaderLock:
    def __init__(self, settings: Settings, key: int):
        self.key = key
        self._engine: Engine = create_engine(
            settings.database_url,
            poolclass=NullPool,
            isolation_level="AUTOCOMMIT",
            connect_args={
                "connect_timeout": settings.db_connect_timeout_seconds,
                "application_name": lock_application_name(),
                "tcp_user_timeout": settings.db_connect_timeout_seconds * 1000,
                # Keepalives let both ends notice a dead peer, so a partitioned leader's lock is freed.
                "keepalives": 1,
                "keepalives_idle": 10,
                "keepalives_interval": 5,
                "keepalives_count": 3,
                "options": f"-c statement_timeout={int(settings.db_statement_timeout_ms)}",
            },
        )
        self._conn: Connection | None = None

    @property
    def held(self) -> bool:
        return self._conn is not None

    def try_acquire(self) -> bool:
        """Take the lock if nobody holds it. Never blocks waiting for another holder."""
        if self._conn is not None:
            return True
        try:
            conn = self._engine.connect()
        except SQLAlchemyError as exc:
            log.warning("leader_lock_unavailable", error=type(exc).__name__)
            return False
        try:
            won = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar()
        except SQLAlchemyError as exc:
            log.warning("leader_lock_unavailable", error=type(exc).__name__)
            conn.close()
            return False
        if not won:
            conn.close()
            return False
        self._conn = conn
        return True

    def still_held(self) -> bool:
        """Check the lock's session is alive; a lost connection means the lock is gone too."""
        if self._conn is None:
            return False
        try:
            holds = self._conn.execute(
                text("SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() "
                     "AND granted AND objsubid = 1 AND ((classid::bigint << 32) | objid::bigint) = :k"),
                {"k": self.key},
            ).scalar()
        except SQLAlchemyError as exc:
            log.warning("leader_lock_lost", error=type(exc).__name__)
            self._drop()
            return False
        if not holds:
            log.warning("leader_lock_lost", error="lock no longer granted")
            self._drop()
            return False
        return True

    def release(self) -> None:
        if self._conn is None:
            return
        try:
            self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
        except SQLAlchemyError:
            pass  # closing the session below releases it anyway
        self._drop()

    def _drop(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            try:
                conn.close()
            except Exception:  # noqa: BLE001 - the connection is already broken; nothing to release
                pass

    def dispose(self) -> None:
        self.release()
        self._engine.dispose()
