"""Posting delivery receipts back to the status-receiver after a delay, from a fixed worker pool.

One timer thread keeps a heap of due times and hands due receipts to the pool, so thousands of
pending receipts cost heap entries, not threads. A failed post (the status-receiver may not be up
yet) is retried with backoff a few times, then logged and dropped, as a real provider would.
"""
from __future__ import annotations

import heapq
import itertools
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import requests

from notify_shared.logging import get_logger

log = get_logger(__name__)


@dataclass(frozen=True)
class Receipt:
    path: str  # e.g. /notifications/sms/mmg
    description: str  # for logs: provider and reference, never the recipient
    json_body: dict[str, Any] | None = None
    form_body: dict[str, str] | None = None
    raw_body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


class ReceiptPoster:
    def __init__(self, base_url: str, *, workers: int, max_attempts: int, timeout_seconds: float):
        self.base_url = base_url.rstrip("/")
        self.max_attempts = max(1, max_attempts)
        self.timeout_seconds = timeout_seconds
        self._heap: list[tuple[float, int, Receipt, int]] = []
        self._order = itertools.count()
        self._cv = threading.Condition()
        self._stopping = False
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="receipt")
        self._local = threading.local()
        self._timer = threading.Thread(target=self._dispatch_due, name="receipt-timer", daemon=True)
        self.posted = 0
        self.dropped = 0

    def start(self) -> ReceiptPoster:
        self._timer.start()
        return self

    def stop(self) -> None:
        with self._cv:
            self._stopping = True
            self._cv.notify_all()
        self._pool.shutdown(wait=False, cancel_futures=True)

    def schedule(self, receipt: Receipt, delay_seconds: float, attempt: int = 1) -> None:
        due = time.monotonic() + max(0.0, delay_seconds)
        with self._cv:
            heapq.heappush(self._heap, (due, next(self._order), receipt, attempt))
            self._cv.notify()

    def pending(self) -> int:
        with self._cv:
            return len(self._heap)

    def _dispatch_due(self) -> None:
        while True:
            with self._cv:
                while not self._stopping and (not self._heap or self._heap[0][0] > time.monotonic()):
                    timeout = self._heap[0][0] - time.monotonic() if self._heap else None
                    self._cv.wait(timeout)
                if self._stopping:
                    return
                _, _, receipt, attempt = heapq.heappop(self._heap)
            try:
                self._pool.submit(self._post, receipt, attempt)
            except RuntimeError:  # pool shut down while stopping
                return

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _post(self, receipt: Receipt, attempt: int) -> None:
        url = self.base_url + receipt.path
        try:
            if receipt.json_body is not None:
                response = self._session().post(url, json=receipt.json_body, headers=receipt.headers,
                                                timeout=self.timeout_seconds)
            elif receipt.form_body is not None:
                response = self._session().post(url, data=receipt.form_body, headers=receipt.headers,
                                                timeout=self.timeout_seconds)
            else:
                response = self._session().post(url, data=(receipt.raw_body or "").encode(), headers=receipt.headers,
                                                timeout=self.timeout_seconds)
            problem = None if response.status_code < 300 else f"HTTP {response.status_code}"
        except requests.RequestException as exc:
            problem = type(exc).__name__
        if problem is None:
            self.posted += 1
            return
        if attempt < self.max_attempts:
            delay = 0.5 * (2 ** (attempt - 1))
            log.info("receipt_post_retrying", receipt=receipt.description, path=receipt.path, error=problem,
                     attempt=attempt, retry_in=delay)
            self.schedule(receipt, delay, attempt + 1)
            return
        self.dropped += 1
        log.warning("receipt_post_failed", receipt=receipt.description, path=receipt.path, error=problem,
                    attempts=attempt)
