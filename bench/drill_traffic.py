"""The incident drill's traffic: an open-loop spike of API calls, and probes that behave like Cloud Foundry's.

Nothing here knows about the server; bench/drill.py decides what to send and reads the results.
Probes run in their own process (`run_probers`), so the load generator's event loop and GIL cannot
delay or mismeasure them.
"""
from __future__ import annotations

import asyncio
import json
import random
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import jwt

# ------------------------------------------------------------------ probes


@dataclass(frozen=True)
class ProbeResult:
    at: float  # seconds since the spike started
    ok: bool
    latency: float
    detail: str  # "200", "503", "timeout", "refused", ...


def probe_once(host: str, port: int, path: str, timeout: float) -> tuple[bool, float, str]:
    """One HTTP liveness check as CF's healthcheck makes it: a new connection, GET, 200 within `timeout`."""
    started = time.perf_counter()
    deadline = started + timeout

    def remaining() -> float:
        left = deadline - time.perf_counter()
        if left <= 0:
            raise TimeoutError
        return left

    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.settimeout(remaining())
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUser-Agent: drill-probe\r\n"
                         f"Connection: close\r\n\r\n".encode())
            data = b""
            while b"\r\n" not in data:
                sock.settimeout(remaining())
                chunk = sock.recv(4096)
                if not chunk:
                    break
                data += chunk
        status = data.split(b" ", 2)[1].decode() if data.startswith(b"HTTP/") else "garbled"
        return status == "200", time.perf_counter() - started, status
    except TimeoutError:
        return False, time.perf_counter() - started, "timeout"
    except ConnectionRefusedError:
        return False, time.perf_counter() - started, "refused"
    except OSError as exc:
        return False, time.perf_counter() - started, type(exc).__name__


def probe_every(host: str, port: int, path: str, timeout: float, interval: float, first_at: float,
                start: float, stop_at: float) -> list[ProbeResult]:
    """Probe on a fixed schedule from `start + first_at` until `stop_at` (wall clock, time.time())."""
    results = []
    due = start + first_at
    while due < stop_at:
        time.sleep(max(0.0, due - time.time()))
        sent = time.time()
        ok, latency, detail = probe_once(host, port, path, timeout)
        results.append(ProbeResult(round(sent - start, 3), ok, latency, detail))
        due = max(due + interval, time.time())
    return results


def run_probers(host: str, port: int, path: str, timeout: float, schedules: dict[str, tuple[float, float]],
                window, out) -> None:  # noqa: ANN001 - multiprocessing queues
    """Entry point of the probe process: one thread per schedule (name -> (interval, first_at)).

    Says "ready" on `out` once imported, then waits for the spike's (start, stop_at) on `window`, so a
    slow process start cannot eat into the measured window.
    """
    out.put("ready")
    start, stop_at = window.get()
    found: dict[str, list[dict]] = {}

    def one(name: str, interval: float, first_at: float) -> None:
        found[name] = [asdict(r) for r in probe_every(host, port, path, timeout, interval, first_at, start, stop_at)]

    threads = [threading.Thread(target=one, args=(name, *schedule)) for name, schedule in schedules.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    out.put(found)


# ------------------------------------------------------------------ client traffic


@dataclass(frozen=True)
class Call:
    index: int
    kind: str  # "send" or "list"
    outcome: str  # HTTP status code, or "timeout", "reset", "refused", ...
    latency: float
    retry_after: str | None
    notify_envelope: bool  # an error body in Notify's {"status_code", "errors"} shape
    notification_id: str | None


class Tokens:
    """Notify's JWT (iss = service id, iat), re-signed every few seconds as a real client would."""

    def __init__(self, api_key: str):
        self.service_id, self.secret = api_key[-73:-37], api_key[-36:]
        self._token, self._made = "", 0.0

    def bearer(self) -> str:
        now = time.time()
        if now - self._made > 5:
            self._token = jwt.encode({"iss": self.service_id, "iat": int(now)}, self.secret.encode(), "HS256")
            self._made = now
        return f"Bearer {self._token}"


def _request(method: str, path: str, host: str, port: int, bearer: str, body: dict | None) -> bytes:
    payload = json.dumps(body).encode() if body is not None else b""
    head = (f"{method} {path} HTTP/1.1\r\nHost: {host}:{port}\r\nAuthorization: {bearer}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(payload)}\r\nConnection: close\r\n\r\n")
    return head.encode() + payload


def _parse(raw: bytes) -> tuple[str, dict[str, str], bytes]:
    head, _, body = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = lines[0].split(" ", 2)[1]
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers[name.strip().lower()] = value.strip()
    return status, headers, body


async def _call(index: int, kind: str, request: bytes, host: str, port: int, timeout: float) -> Call:
    started = time.perf_counter()

    async def exchange() -> bytes:
        reader, writer = await asyncio.open_connection(host, port)
        try:
            writer.write(request)
            await writer.drain()
            return await reader.read()
        finally:
            writer.close()

    try:
        raw = await asyncio.wait_for(exchange(), timeout)
    except TimeoutError:
        return Call(index, kind, "timeout", time.perf_counter() - started, None, False, None)
    except ConnectionResetError:
        return Call(index, kind, "reset", time.perf_counter() - started, None, False, None)
    except ConnectionRefusedError:
        return Call(index, kind, "refused", time.perf_counter() - started, None, False, None)
    except OSError as exc:
        return Call(index, kind, type(exc).__name__, time.perf_counter() - started, None, False, None)
    latency = time.perf_counter() - started
    if not raw:
        return Call(index, kind, "empty", latency, None, False, None)
    status, headers, body = _parse(raw)
    try:
        parsed = json.loads(body) if body else None
    except ValueError:
        parsed = None
    envelope = isinstance(parsed, dict) and isinstance(parsed.get("errors"), list) and "status_code" in parsed
    notification_id = parsed.get("id") if status == "201" and isinstance(parsed, dict) else None
    return Call(index, kind, status, latency, headers.get("retry-after"), envelope, notification_id)


async def _spike(host: str, port: int, *, rate: float, seconds: float, listing_share: float, timeout: float,
                 tokens: Tokens, send_body: Callable[[int], dict], listing_path: str, seed: int) -> list[Call]:
    rng = random.Random(seed)
    loop = asyncio.get_running_loop()
    start = loop.time()
    tasks = []
    for index in range(int(rate * seconds)):
        # Open loop: calls leave on schedule whether or not earlier ones were answered, as a spike does.
        await asyncio.sleep(max(0.0, start + index / rate - loop.time()))
        if rng.random() < listing_share:
            request = _request("GET", listing_path, host, port, tokens.bearer(), None)
            tasks.append(asyncio.create_task(_call(index, "list", request, host, port, timeout)))
        else:
            request = _request("POST", "/v2/notifications/sms", host, port, tokens.bearer(), send_body(index))
            tasks.append(asyncio.create_task(_call(index, "send", request, host, port, timeout)))
    return list(await asyncio.gather(*tasks))


def run_spike(host: str, port: int, **kwargs) -> list[Call]:
    return asyncio.run(_spike(host, port, **kwargs))
