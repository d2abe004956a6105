"""HTTP plumbing shared by the HTTP SMS providers: keep-alive connections, timeouts, errors classified.

Built on http.client with a small pool of idle connections per provider origin, not on requests or
urllib3: at hundreds of sends a second one sender process is CPU-bound, and a send through
http.client costs about half the CPU of urllib3 and a fifth of requests (bench/sender.py). The pool
keeps what those libraries would: connections are reused (TLS verified with the system's default
context), one that the provider closed while idle is noticed before reuse and replaced, and no
request is ever retried here: retries are the sender's, with delays and failover.
"""
from __future__ import annotations

import http.client
import json
import select
import ssl
import threading
from dataclasses import dataclass
from urllib.parse import urlencode, urlsplit

from .base import PermanentProviderError, RetryableProviderError

# 408 and 429 are "try again later"; other 4xx mean the provider refused this request as written.
RETRYABLE_4XX = {408, 425, 429}


@dataclass(frozen=True)
class HttpAnswer:
    status: int
    body: bytes


class _Origin:
    """Idle keep-alive connections to one scheme://host:port, shared by the send threads."""

    def __init__(self, scheme: str, host: str, port: int | None, *, connect_timeout: float, read_timeout: float,
                 max_idle: int):
        self.scheme, self.host, self.port = scheme, host, port
        self.connect_timeout, self.read_timeout = connect_timeout, read_timeout
        self.max_idle = max_idle
        self._idle: list[http.client.HTTPConnection] = []
        self._lock = threading.Lock()
        self._tls = ssl.create_default_context() if scheme == "https" else None

    def checkout(self) -> http.client.HTTPConnection:
        while True:
            with self._lock:
                conn = self._idle.pop() if self._idle else None
            if conn is None:
                return self._connect()
            if not _closed_by_peer(conn):
                return conn
            conn.close()

    def checkin(self, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            if len(self._idle) < self.max_idle:
                self._idle.append(conn)
                return
        conn.close()

    def _connect(self) -> http.client.HTTPConnection:
        if self._tls is not None:
            conn: http.client.HTTPConnection = http.client.HTTPSConnection(
                self.host, self.port, timeout=self.connect_timeout, context=self._tls)
        else:
            conn = http.client.HTTPConnection(self.host, self.port, timeout=self.connect_timeout)
        conn.connect()
        conn.sock.settimeout(self.read_timeout)
        return conn


def _closed_by_peer(conn: http.client.HTTPConnection) -> bool:
    """An idle connection with something to read has been closed (or broken) by the server."""
    if conn.sock is None:
        return True
    poller = select.poll()
    poller.register(conn.sock, select.POLLIN)
    return bool(poller.poll(0))


class HttpProviderClient:
    def __init__(self, name: str, timeout_seconds: float, max_connections: int = 10):
        self.name = name
        # Connect quickly or not at all; the read timeout bounds a slow provider.
        self.connect_timeout = min(3.0, timeout_seconds)
        self.read_timeout = timeout_seconds
        self.max_connections = max(1, max_connections)
        self._origins: dict[tuple[str, str, int | None], _Origin] = {}
        self._lock = threading.Lock()

    def post(self, url: str, *, body: bytes, headers: dict[str, str]) -> HttpAnswer:
        parts = urlsplit(url)
        origin = self._origin(parts.scheme, parts.hostname or "", parts.port)
        path = parts.path or "/"
        if parts.query:
            path += f"?{parts.query}"
        conn = None
        try:
            conn = origin.checkout()
            conn.request("POST", path, body=body, headers=headers)
            response = conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException) as exc:
            if conn is not None:
                conn.close()
            raise RetryableProviderError(self.name, f"request failed: {type(exc).__name__}") from exc
        if response.will_close:
            conn.close()
        else:
            origin.checkin(conn)
        if response.status >= 500 or response.status in RETRYABLE_4XX:
            raise RetryableProviderError(self.name, f"HTTP {response.status}")
        if response.status >= 400:
            raise PermanentProviderError(self.name, f"HTTP {response.status}")
        return HttpAnswer(response.status, data)

    def post_json(self, url: str, payload: dict, headers: dict[str, str]) -> HttpAnswer:
        return self.post(url, body=json.dumps(payload).encode(),
                         headers={"Content-Type": "application/json", **headers})

    def post_form(self, url: str, form: dict[str, str]) -> HttpAnswer:
        return self.post(url, body=urlencode(form).encode(),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})

    def json(self, answer: HttpAnswer) -> dict:
        try:
            body = json.loads(answer.body)
        except ValueError as exc:
            raise RetryableProviderError(self.name, "invalid response JSON") from exc
        if not isinstance(body, dict):
            raise RetryableProviderError(self.name, "invalid response JSON")
        return body

    def _origin(self, scheme: str, host: str, port: int | None) -> _Origin:
        key = (scheme, host, port)
        origin = self._origins.get(key)
        if origin is None:
            if scheme not in {"http", "https"} or not host:
                raise RetryableProviderError(self.name, f"provider URL is not http(s): {scheme}://{host}")
            with self._lock:
                origin = self._origins.setdefault(key, _Origin(
                    scheme, host, port, connect_timeout=self.connect_timeout, read_timeout=self.read_timeout,
                    max_idle=self.max_connections))
        return origin
