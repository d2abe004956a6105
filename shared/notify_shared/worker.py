"""The shape every worker process shares: logging, health listener, heartbeat, watchdog, signals."""
from __future__ import annotations

import signal
from collections.abc import Callable, Iterable

from .bus import Bus, Consumer, Handler
from .config import Settings
from .db import Database
from .health import HealthChecks, HealthServer, Heartbeat, Watchdog, readiness_budget_seconds
from .logging import configure_logging, get_logger

log = get_logger(__name__)


class WorkerProcess:
    """Wires one process: settings, database, bus, probes. `run_consumer` or `run_loop` blocks."""

    def __init__(self, name: str, settings: Settings | None = None, *, pool_size: int | None = None):
        self.settings = settings or Settings.from_env(name)
        configure_logging(name, self.settings.log_format, self.settings.log_level)
        self.name = name
        self.db = Database(self.settings, pool_size=pool_size, application_name=name)
        self.bus = Bus(self.settings)
        self.heartbeat = Heartbeat(self.settings.heartbeat_stale_seconds)
        self.checks = HealthChecks(
            build=self.settings.build,
            checks={"database": self.db.ping, "bus": self.bus.ping},
            db_version=self.db.alembic_version,
            heartbeat=self.heartbeat,
            budget_seconds=readiness_budget_seconds(self.settings.healthcheck_timeout_seconds),
        )
        self.health = HealthServer(self.checks, self.settings.health_host, self.settings.health_port)
        # Liveness turns 503 once the heartbeat is HEARTBEAT_STALE_SECONDS old; the watchdog ends the
        # process a few seconds later, so a `process` health check (which cannot probe) still restarts it.
        self.watchdog = Watchdog(self.heartbeat)
        self._stoppers: list[Callable[[], None]] = []

    def _install_signals(self) -> None:
        def _stop(signum, _frame):
            log.info("worker_stopping", signal=signal.Signals(signum).name)
            self.checks.drain()
            for stop in self._stoppers:
                stop()

        signal.signal(signal.SIGTERM, _stop)
        signal.signal(signal.SIGINT, _stop)

    def start(self) -> None:
        self._install_signals()
        self.health.start()
        self.watchdog.start()
        log.info("worker_started", settings=self.settings.redacted())

    def on_stop(self, stop: Callable[[], None]) -> None:
        self._stoppers.append(stop)

    def run_consumer(self, queues: Iterable[str], handler: Handler, *, prefetch: int = 1) -> None:
        consumer = Consumer(self.bus, queues, handler, prefetch=prefetch, on_idle=self.heartbeat.beat)
        self.on_stop(consumer.stop)
        self.start()
        try:
            consumer.run()
        finally:
            self.close()

    def close(self) -> None:
        self.watchdog.stop()
        self.health.stop()
        self.bus.close()
        self.db.dispose()
