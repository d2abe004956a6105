"""`python -m notify_status_receiver.callbacks_worker`: POSTs service-callbacks to services' URLs."""
from __future__ import annotations

from notify_shared import queues
from notify_shared.crypto import SecretBox
from notify_shared.worker import WorkerProcess

from .callbacks import CallbackSender
from .config import ReceiverConfig


def main() -> None:
    # One consumer thread, plus the readiness check's ping: two connections are enough.
    worker = WorkerProcess("callbacks-worker", pool_size=2)
    config = ReceiverConfig.from_env(worker.settings)
    sender = CallbackSender(worker.db, worker.bus, SecretBox(worker.settings.secret_key), config)
    worker.run_consumer([queues.SERVICE_CALLBACKS], sender)


if __name__ == "__main__":
    main()
