"""The group-commit writer: one call for everything queued, each caller gets its own result or error."""
from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest

from notify_sender.batching import BatchWriter, BatchWriterClosed
from notify_testkit.processes import wait_until


def test_requests_that_arrive_while_a_batch_runs_share_the_next_one():
    started, release = threading.Event(), threading.Event()
    batches: list[list[int]] = []

    def write(items):
        batches.append(list(items))
        if len(batches) == 1:
            started.set()
            release.wait(5)  # the first batch is slow; the others queue up behind it
        return [item * 10 for item in items]

    writer = BatchWriter("test", write)
    with ThreadPoolExecutor(8) as pool:
        first = pool.submit(writer.submit, 0)
        started.wait(5)
        rest = [pool.submit(writer.submit, n) for n in range(1, 8)]
        wait_until(lambda: writer._queue.qsize() == 7, timeout=5, interval=0.01, message="the rest to queue up")
        release.set()
        results = [first.result(5)] + [f.result(5) for f in rest]
    writer.close()

    assert results == [n * 10 for n in range(8)]
    assert batches[0] == [0]
    assert len(batches) == 2 and sorted(batches[1]) == list(range(1, 8))  # the waiting ones went together


def test_every_caller_of_a_failed_batch_gets_its_error_and_the_writer_carries_on():
    calls = 0

    def write(items):
        nonlocal calls
        calls += 1
        if calls == 1:
            raise ConnectionError("database down")
        return list(items)

    writer = BatchWriter("test", write)
    with pytest.raises(ConnectionError):
        writer.submit("a")

    assert writer.submit("b") == "b"
    writer.close()


def test_a_closed_writer_refuses_new_work():
    writer = BatchWriter("test", lambda items: list(items))
    writer.close()

    with pytest.raises(BatchWriterClosed):
        writer.submit(1)
