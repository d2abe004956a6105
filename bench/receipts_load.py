"""A light closed-loop HTTP load generator for the benchmarks when `wrk` is not installed.

`python bench/receipts_load.py URL SECONDS CONNECTIONS BODY_FILE ["Name: value" ...]` posts the body as
JSON, with any extra headers, on CONNECTIONS keep-alive connections, each sending its next request as soon
as the previous answer is read, and prints one JSON line: requests, accepted (2xx), non_2xx, errors,
seconds and the p50/p90/p99 latency of the answered requests in milliseconds.

It runs in its own process so its CPU can be measured apart from the servers', and it uses asyncio
on raw sockets with the request bytes built once, so a request costs it some tens of microseconds of
CPU rather than the millisecond a `requests` session takes: on two cores a heavier client would take
the CPU the servers need and measure itself. Responses must carry Content-Length (gunicorn's do).
bench/receipts.py and bench/intake.py use it; wrk, when installed, is lighter still.
"""
from __future__ import annotations

import asyncio
import json
import sys
import time
from urllib.parse import urlsplit


async def _connection(host: str, port: int, request: bytes, deadline: float, counts: dict[str, int],
                      latencies: list[float]) -> None:
    reader = writer = None
    while time.monotonic() < deadline:
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection(host, port)
            sent_at = time.monotonic()
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=5)
            status = int(head[9:12])
            length, close = 0, False
            for line in head.split(b"\r\n")[1:]:
                name, _, value = line.partition(b":")
                name = name.strip().lower()
                if name == b"content-length":
                    length = int(value)
                elif name == b"connection" and value.strip().lower() == b"close":
                    close = True
            if length:
                await asyncio.wait_for(reader.readexactly(length), timeout=5)
            latencies.append(time.monotonic() - sent_at)
            counts["requests"] += 1
            counts["accepted" if 200 <= status < 300 else "non_2xx"] += 1
            if close:
                writer.close()
                writer = None
        except (TimeoutError, OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError):
            counts["errors"] += 1
            if writer is not None:
                writer.close()
            writer = None
    if writer is not None:
        writer.close()


def _percentile_ms(ordered: list[float], share: float) -> float | None:
    if not ordered:
        return None
    return round(1000 * ordered[min(len(ordered) - 1, int(share * len(ordered)))], 2)


async def load(url: str, seconds: float, connections: int, body: bytes, headers: tuple[str, ...] = ()) -> dict:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    extra = "".join(f"{header}\r\n" for header in headers)
    request = (f"POST {parts.path or '/'} HTTP/1.1\r\nHost: {host}:{port}\r\nContent-Type: application/json\r\n"
               f"{extra}Content-Length: {len(body)}\r\n\r\n").encode() + body
    counts = {"requests": 0, "accepted": 0, "non_2xx": 0, "errors": 0}
    latencies: list[float] = []
    started = time.monotonic()
    deadline = started + seconds
    await asyncio.gather(*(_connection(host, port, request, deadline, counts, latencies) for _ in range(connections)))
    latencies.sort()
    return {**counts, "seconds": round(time.monotonic() - started, 3),
            **{f"p{p}_ms": _percentile_ms(latencies, p / 100) for p in (50, 90, 99)}}


def main() -> None:
    url, seconds, connections, body_file = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
    with open(body_file, "rb") as f:
        body = f.read()
    print(json.dumps(asyncio.run(load(url, seconds, connections, body, tuple(sys.argv[5:])))))


if __name__ == "__main__":
    main()
