"""`python -m notify_status_receiver.receipts_worker`: applies delivery-receipts to notifications."""
from __future__ import annotations

from notify_shared import queues
from notify_shared.crypto import SecretBox
from notify_shared.worker import WorkerProcess

from .config import ReceiverConfig
from .receipts import ReceiptHandler


def main() -> None:
    # One consumer thread, plus the readiness check's ping: two connections are enough.
    worker = WorkerProcess("receipts-worker", pool_size=2)
    config = ReceiverConfig.from_env(worker.settings)
    handler = ReceiptHandler(worker.db, worker.bus, SecretBox(worker.settings.secret_key), config)
    worker.run_consumer([queues.DELIVERY_RECEIPTS], handler)


if __name__ == "__main__":
    main()
