"""Posting delivery receipts back to the status-receiver after a delay, from a fixed worker pool.

One timer thread keeps a heap of due times and hands due receipts to the pool, so thousands of
pending receipts cost heap entries, not threads. A failed post (the status-receiver may not be up
yet) is retried with backoff a few times, then logged and dropped, as a real provider would.
"""
from __future__ import annotations

import heapq
import itertools
import json
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import urllib3

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


def _split_credentials(url: str) -> tuple[str, dict[str, str]]:
    """Move `user:pass@` out of the URL into a Basic auth header, as requests would."""
    parts = urlsplit(url.rstrip("/"))
    if parts.username is None:
        return url.rstrip("/"), {}
    host = parts.hostname or ""
    netloc = f"{host}:{parts.port}" if parts.port else host
    auth = urllib3.util.make_headers(basic_auth=f"{parts.username}:{parts.password or ''}")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment)), auth


class ReceiptPoster:
    def __init__(self, base_url: str, *, workers: int, max_attempts: int, timeout_seconds: float):
        self.base_url, self._auth_headers = _split_credentials(base_url)
        self.max_attempts = max(1, max_attempts)
        self.timeout_seconds = timeout_seconds
        self._heap: list[tuple[float, int, Receipt, int]] = []
        self._order = itertools.count()
        self._cv = threading.Condition()
        self._stopping = False
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="receipt")
        # urllib3 directly: at hundreds of receipts a second, requests' per-call overhead doubles our CPU.
        self._http = urllib3.PoolManager(num_pools=4, maxsize=max(1, workers), retries=False,
                                         timeout=urllib3.Timeout(total=timeout_seconds))
        self._timer = threading.Thread(target=self._dispatch_due, name="receipt-timer", daemon=True)
        self._counts_lock = threading.Lock()
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

    def _post(self, receipt: Receipt, attempt: int) -> None:
        url = self.base_url + receipt.path
        headers = {**self._auth_headers, **receipt.headers}
        if receipt.json_body is not None:
            body = json.dumps(receipt.json_body).encode()
            headers.setdefault("Content-Type", "application/json")
        elif receipt.form_body is not None:
            body = urlencode(receipt.form_body).encode()
            headers.setdefault("Content-Type", "application/x-www-form-urlencoded")
        else:
            body = (receipt.raw_body or "").encode()
        try:
            response = self._http.request("POST", url, body=body, headers=headers)
            problem = None if response.status < 300 else f"HTTP {response.status}"
        except urllib3.exceptions.HTTPError as exc:
            problem = type(exc).__name__
        if problem is None:
            with self._counts_lock:
                self.posted += 1
            return
        if attempt < self.max_attempts:
            delay = 0.5 * (2 ** (attempt - 1))
            log.info("receipt_post_retrying", receipt=receipt.description, path=receipt.path, error=problem,
                     attempt=attempt, retry_in=delay)
            self.schedule(receipt, delay, attempt + 1)
            return
        with self._counts_lock:
            self.dropped += 1
        log.warning("receipt_post_failed", receipt=receipt.description, path=receipt.path, error=problem,
                    attempts=attempt)
