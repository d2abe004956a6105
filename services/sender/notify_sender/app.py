"""The sender process: a WorkerProcess (logging, health listener, heartbeat, watchdog, signals)
running the concurrent consumer over the send queues with the send handler."""
from __future__ import annotations

from notify_shared.crypto import SecretBox
from notify_shared.logging import bind, get_logger
from notify_shared.worker import WorkerProcess

from .concurrent_consumer import ConcurrentConsumer
from .config import SenderConfig
from .consumers import SendHandler
from .error_bursts import BurstRules
from .letters import build_letter_sender, with_letters
from .provider_errors import ProviderErrorMonitor
from .providers.registry import build_providers
from .retry import RetryPolicy
from .selection import ProviderDirectory

log = get_logger(__name__)


def build_handler(worker: WorkerProcess, config: SenderConfig) -> SendHandler:
    directory = ProviderDirectory(worker.db, config.provider_cache_seconds)
    errors = ProviderErrorMonitor(
        worker.db,
        BurstRules(threshold=config.sms_provider_error_threshold, step=config.sms_provider_error_step,
                   cooldown_seconds=config.sms_provider_error_cooldown_seconds),
        on_change=directory.invalidate,
    )
    return SendHandler(
        db=worker.db,
        bus=worker.bus,
        box=SecretBox(worker.settings.secret_key),
        providers=build_providers(config),
        directory=directory,
        retry=RetryPolicy(config.send_retry_delay_seconds, config.send_retry_max_delay_seconds,
                          config.send_retry_budget_seconds),
        config=config,
        errors=errors,
    )


def main() -> None:
    config = SenderConfig.from_env()
    worker = WorkerProcess("sender")
    handler = build_handler(worker, config)
    service_name = worker.settings.service_name
    consumer = ConcurrentConsumer(
        worker.bus, config.queues, with_letters(handler, build_letter_sender(handler)),
        concurrency=config.concurrency,
        consumers_per_queue=config.consume_loops_per_queue,
        on_idle=worker.heartbeat.beat,
        # A send in flight finishes within the provider timeout plus its two short transactions.
        drain_seconds=config.provider_timeout_seconds + 10,
        # structlog context is per thread: pool threads need the service name bound too.
        thread_initializer=lambda: bind(service=service_name),
    )
    worker.on_stop(consumer.stop)
    worker.start()
    handler.errors.start()
    log.info("sender_started", config=config.redacted())
    try:
        consumer.run()
    finally:
        handler.close()
        handler.errors.stop()
        worker.close()
