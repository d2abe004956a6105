"""Settings read once from the environment, with defaults that work on a developer machine.

Every knob ops turn lives here so that a manifest's `env:` block is the only place to change it.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields
from functools import lru_cache

DEFAULT_DATABASE_URL = "postgresql://postgres@127.0.0.1:5432/notify"
DEFAULT_BROKER_URL = "sqs://notify:notify@127.0.0.1:4566"


def _env(name: str, default: str) -> str:
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def _int(name: str, default: int) -> int:
    raw = _env(name, str(default))
    try:
        return int(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be an integer, got {raw!r}") from exc


def _float(name: str, default: float) -> float:
    raw = _env(name, str(default))
    try:
        return float(raw)
    except ValueError as exc:
        raise ValueError(f"{name} must be a number, got {raw!r}") from exc


def _bool(name: str, default: bool) -> bool:
    raw = _env(name, "true" if default else "false").strip().lower()
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ValueError(f"{name} must be true or false, got {raw!r}")


@dataclass(frozen=True)
class Settings:
    """One typed view of the process environment. Build with `Settings.from_env()`."""

    service_name: str = "notify"
    environment: str = "development"
    build: str = "dev"

    database_url: str = DEFAULT_DATABASE_URL
    db_pool_size: int = 5
    db_max_overflow: int = 0
    db_pool_timeout_seconds: float = 3.0
    db_pool_recycle_seconds: int = 300
    # 0: test every pooled connection with a round trip before each use. N: only those idle for more than N
    # seconds (a busy pool's connections were just used; one that dies mid-use invalidates the pool).
    db_pool_ping_idle_seconds: float = 0.0
    db_connect_timeout_seconds: int = 5
    db_statement_timeout_ms: int = 20_000
    db_lock_timeout_ms: int = 5_000
    db_idle_in_transaction_timeout_ms: int = 30_000

    broker_url: str = DEFAULT_BROKER_URL
    sqs_region: str = "eu-west-2"
    sqs_endpoint_url: str = ""
    queue_prefix: str = "dev-"
    sqs_visibility_timeout_seconds: int = 310
    sqs_wait_time_seconds: int = 1
    bus_publish_timeout_seconds: float = 5.0

    secret_key: str = "dev-only-secret-key-change-me"
    redis_url: str = "redis://127.0.0.1:6379/0"

    log_format: str = "console"
    log_level: str = "INFO"

    health_host: str = "127.0.0.1"
    health_port: int = 0
    healthcheck_timeout_seconds: int = 1
    heartbeat_stale_seconds: float = 60.0

    @classmethod
    def from_env(cls, service_name: str | None = None) -> Settings:
        return cls(
            service_name=service_name or _env("NOTIFY_SERVICE_NAME", "notify"),
            environment=_env("NOTIFY_ENVIRONMENT", "development"),
            build=_env("NOTIFY_BUILD", "dev"),
            database_url=normalise_database_url(_env("DATABASE_URL", DEFAULT_DATABASE_URL)),
            db_pool_size=_int("DB_POOL_SIZE", 5),
            db_max_overflow=_int("DB_MAX_OVERFLOW", 0),
            db_pool_timeout_seconds=_float("DB_POOL_TIMEOUT_SECONDS", 3.0),
            db_pool_recycle_seconds=_int("DB_POOL_RECYCLE_SECONDS", 300),
            db_pool_ping_idle_seconds=_float("DB_POOL_PING_IDLE_SECONDS", 0.0),
            db_connect_timeout_seconds=_int("DB_CONNECT_TIMEOUT_SECONDS", 5),
            db_statement_timeout_ms=_int("DB_STATEMENT_TIMEOUT_MS", 20_000),
            db_lock_timeout_ms=_int("DB_LOCK_TIMEOUT_MS", 5_000),
            db_idle_in_transaction_timeout_ms=_int("DB_IDLE_IN_TRANSACTION_TIMEOUT_MS", 30_000),
            broker_url=_env("BROKER_URL", DEFAULT_BROKER_URL),
            sqs_region=_env("SQS_REGION", _env("AWS_REGION", "eu-west-2")),
            sqs_endpoint_url=_env("SQS_ENDPOINT_URL", ""),
            queue_prefix=_env("NOTIFICATION_QUEUE_PREFIX", "dev-"),
            sqs_visibility_timeout_seconds=_int("SQS_VISIBILITY_TIMEOUT_SECONDS", 310),
            sqs_wait_time_seconds=_int("SQS_WAIT_TIME_SECONDS", 1),
            bus_publish_timeout_seconds=_float("BUS_PUBLISH_TIMEOUT_SECONDS", 5.0),
            secret_key=_env("SECRET_KEY", "dev-only-secret-key-change-me"),
            redis_url=_env("REDIS_URL", "redis://127.0.0.1:6379/0"),
            log_format=_env("LOG_FORMAT", "console"),
            log_level=_env("LOG_LEVEL", "INFO"),
            health_host=_env("HEALTH_HOST", "127.0.0.1"),
            health_port=_int("HEALTH_PORT", 0),
            healthcheck_timeout_seconds=_int("HEALTHCHECK_TIMEOUT_SECONDS", 1),
            heartbeat_stale_seconds=_float("HEARTBEAT_STALE_SECONDS", 60.0),
        )

    def redacted(self) -> dict[str, object]:
        """Settings safe to log: credentials in URLs and keys are masked."""
        out: dict[str, object] = {}
        for f in fields(self):
            value = getattr(self, f.name)
            if f.name in {"secret_key"}:
                value = "***"
            elif isinstance(value, str) and "://" in value:
                value = redact_url(value)
            out[f.name] = value
        return out


def normalise_database_url(url: str) -> str:
    """Accept plain libpq URLs (`postgresql://user@host/db`) and pin the psycopg2 driver.

    SQLAlchemy 2.1 maps a bare `postgresql://` to psycopg 3, which we do not ship.
    """
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg2://" + url[len(prefix):]
    return url


def redact_url(url: str) -> str:
    """Hide the password (or SQS secret) in a URL before it reaches a log line."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest.split("/", 1)[0]:
        return url
    creds, _, host = rest.partition("@")
    user, has_password, _ = creds.partition(":")
    return f"{scheme}://{user}:***@{host}" if has_password else url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
