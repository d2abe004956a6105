"""`python -m notify_status_receiver.receipts_worker`: applies delivery-receipts and stores inbound texts."""
from __future__ import annotations

from notify_shared import queues
from notify_shared.crypto import SecretBox
from notify_shared.worker import WorkerProcess

from .batch_consumer import BatchConsumer
from .config import ReceiverConfig
from .receipt_handler import ReceiptHandler


def main() -> None:
    # One consumer thread, plus the readiness check's ping: two connections are enough.
    worker = WorkerProcess("receipts-worker", pool_size=2)
    config = ReceiverConfig.from_env(worker.settings)
    handler = ReceiptHandler(worker.db, worker.bus, SecretBox(worker.settings.secret_key), config)
    consumer = BatchConsumer(worker.bus, queues.DELIVERY_RECEIPTS, handler.handle_batch,
                             batch_size=config.receipt_batch_size, wait_seconds=config.receipt_batch_wait_seconds,
                             on_idle=worker.heartbeat.beat)
    worker.on_stop(consumer.stop)
    worker.start()
    try:
        consumer.run()
    finally:
        worker.close()


if __name__ == "__main__":
    main()
