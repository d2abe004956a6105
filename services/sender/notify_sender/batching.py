"""Group commit: many send threads, one short transaction for all of their claims (or results).

Every commit on PostgreSQL waits for its WAL flush (about 3 ms here), and every transaction costs a
pool checkout and round trips. With dozens of sends in flight, a transaction per claim and per
result would hold the pool's connections for most of each send and cap a sender far below what
its provider calls allow. A BatchWriter runs its function on one thread over every request that
queued up while the previous batch was running: nothing waits for a batch to fill, so a lone send
is not delayed, and under load each transaction carries many sends. It uses one connection at a
time, whatever the concurrency.
"""
from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from typing import Generic, TypeVar

from notify_shared.logging import get_logger

log = get_logger(__name__)

T = TypeVar("T")
R = TypeVar("R")


class BatchWriterClosed(RuntimeError):
    """The writer is shut down; the caller's work was not done."""


class BatchWriter(Generic[T, R]):
    def __init__(self, name: str, write: Callable[[Sequence[T]], Sequence[R]], *, max_batch: int = 200):
        self.name = name
        self._write = write
        self._max_batch = max_batch
        self._queue: queue.SimpleQueue[tuple[T, Future] | None] = queue.SimpleQueue()
        self._closed = False
        self._closing = threading.Lock()  # no item can be queued behind the stop marker
        self._thread = threading.Thread(target=self._run, name=f"batch-{name}", daemon=True)
        self._thread.start()
        self.batches = 0
        self.items = 0

    def submit(self, item: T) -> R:
        """Queue `item`, wait for its batch, and return its result (or raise the batch's error)."""
        future: Future = Future()
        with self._closing:
            if self._closed:
                raise BatchWriterClosed(f"{self.name} writer is closed")
            self._queue.put((item, future))
        return future.result()

    def close(self, timeout: float = 10.0) -> None:
        """Finish what is queued, then stop the thread."""
        with self._closing:
            if self._closed:
                return
            self._closed = True
            self._queue.put(None)
        self._thread.join(timeout)
        log.info("batch_writer_closed", writer=self.name, batches=self.batches, items=self.items,
                 mean_batch=round(self.items / self.batches, 1) if self.batches else 0)

    def _run(self) -> None:
        while True:
            first = self._queue.get()
            if first is None:
                return
            batch = [first]
            stopping = False
            while len(batch) < self._max_batch:
                try:
                    more = self._queue.get_nowait()
                except queue.Empty:
                    break
                if more is None:
                    stopping = True
                    break
                batch.append(more)
            self._write_batch(batch)
            if stopping:
                return

    def _write_batch(self, batch: list[tuple[T, Future]]) -> None:
        try:
            results = self._write([item for item, _ in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{self.name}: {len(results)} results for {len(batch)} items")
        except BaseException as exc:  # noqa: BLE001 - every caller gets the batch's error; the thread lives on
            for _, future in batch:
                future.set_exception(exc)
            return
        self.batches += 1
        self.items += len(batch)
        for (_, future), result in zip(batch, results, strict=True):
            future.set_result(result)
