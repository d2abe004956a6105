"""The sender process: a WorkerProcess (logging, health listener, heartbeat, watchdog, signals)
running the concurrent consumer over the send queues with the send handler."""
from __future__ import annotations

from notify_shared.crypto import SecretBox
from notify_shared.logging import bind, get_logger
from notify_shared.worker import WorkerProcess

from .concurrent_consumer import ConcurrentConsumer
from .config import SenderConfig
from .consumers import SendHandler
from .providers.registry import build_providers
from .retry import RetryPolicy
from .selection import ProviderDirectory

log = get_logger(__name__)


def build_handler(worker: WorkerProcess, config: SenderConfig) -> SendHandler:
    return SendHandler(
        db=worker.db,
        bus=worker.bus,
        box=SecretBox(worker.settings.secret_key),
        providers=build_providers(config),
        directory=ProviderDirectory(worker.db, config.provider_cache_seconds),
        retry=RetryPolicy(config.send_retry_delay_seconds, config.send_retry_max_delay_seconds,
                          config.send_retry_budget_seconds),
        config=config,
    )


def main() -> None:
    config = SenderConfig.from_env()
    worker = WorkerProcess("sender")
    handler = build_handler(worker, config)
    service_name = worker.settings.service_name
    consumer = ConcurrentConsumer(
        worker.bus, config.queues, handler,
        concurrency=config.concurrency,
        on_idle=worker.heartbeat.beat,
        # A send in flight finishes within the provider timeout plus its two short transactions.
        drain_seconds=config.provider_timeout_seconds + 10,
        # structlog context is per thread: pool threads need the service name bound too.
        thread_initializer=lambda: bind(service=service_name),
    )
    worker.on_stop(consumer.stop)
    worker.start()
    log.info("sender_started", config=config.redacted())
    try:
        consumer.run()
    finally:
        worker.close()
