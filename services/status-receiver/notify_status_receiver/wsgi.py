"""The WSGI entry point gunicorn serves: the webhooks behind the shared health middleware.

Probes are answered by HealthMiddleware before Flask sees the request. Readiness checks only the
bus, because the webhooks need nothing else; the database is used solely for `/_status`'s
db_version (Notify's shape), through a one-connection pool that request handling never touches.
"""
from __future__ import annotations

from notify_shared.bus import Bus
from notify_shared.config import Settings
from notify_shared.db import Database
from notify_shared.health import HealthChecks, HealthMiddleware, readiness_budget_seconds
from notify_shared.logging import configure_logging

from .app import create_app

settings = Settings.from_env("status-receiver")
configure_logging(settings.service_name, settings.log_format, settings.log_level)

bus = Bus(settings)
status_db = Database(settings, pool_size=1, application_name=f"{settings.service_name}-status")
checks = HealthChecks(
    build=settings.build,
    checks={"bus": bus.ping},
    db_version=status_db.alembic_version,
    budget_seconds=readiness_budget_seconds(settings.healthcheck_timeout_seconds),
)

app = create_app(settings, bus=bus)
application = HealthMiddleware(app, checks)
