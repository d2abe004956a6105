"""`python -m notify_status_receiver.callbacks_worker`: POSTs service-callbacks to services' URLs."""
from __future__ import annotations

from notify_shared.config import Settings
from notify_shared.crypto import SecretBox
from notify_shared.worker import WorkerProcess

from .callbacks import CallbackSender
from .callbacks_consumer import BoundedCallbackConsumer
from .config import ReceiverConfig


def main() -> None:
    settings = Settings.from_env("callbacks-worker")
    config = ReceiverConfig.from_env(settings)
    # Every sending thread reads the callback URL and may write a dead letter; plus the readiness ping.
    worker = WorkerProcess("callbacks-worker", settings, pool_size=config.callback_concurrency + 1)
    sender = CallbackSender(worker.db, worker.bus, SecretBox(settings.secret_key), config)
    consumer = BoundedCallbackConsumer(
        worker.bus, sender, concurrency=config.callback_concurrency,
        per_service=config.callback_concurrency_per_service, busy_delay_seconds=config.callback_busy_delay_seconds,
        on_idle=worker.heartbeat.beat,
    )
    worker.on_stop(consumer.stop)
    worker.start()
    try:
        consumer.run()
    finally:
        worker.close()


if __name__ == "__main__":
    main()
