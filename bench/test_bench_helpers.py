"""The benchmark helpers: reading wrk's output, percentiles, the report's headline rows, the Python load generator."""
from __future__ import annotations

import asyncio
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import receipts_load  # noqa: E402
from _common import parse_wrk, percentile  # noqa: E402
from run_all import rows_for  # noqa: E402

WRK_OUTPUT = """Running 20s test @ http://127.0.0.1:40000/v2/notifications/sms
  2 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency    93.12ms   50.01ms   1.20s    80.00%
    Req/Sec   172.50     40.00   250.00     70.00%
  Latency Distribution
     50%   86.79ms
     75%  110.00ms
     90%  150.00ms
     99%    1.10s
  6830 requests in 20.00s, 2.00MB read
  Socket errors: connect 0, read 2, write 0, timeout 1
  Non-2xx or 3xx responses: 30
Requests/sec:    341.50
"""


def test_wrk_output_gives_accepted_rate_percentiles_and_errors():
    parsed = parse_wrk(WRK_OUTPUT, seconds=20)
    assert parsed["requests"] == 6830
    assert parsed["non_2xx"] == 30
    assert parsed["socket_errors"] == 3
    assert parsed["ok_per_second"] == 340.0
    assert parsed["p50_ms"] == 86.79
    assert parsed["p99_ms"] == 1100.0


def test_percentile_is_nearest_rank():
    values = list(range(1, 101))
    assert percentile(values, 0.5) == 50
    assert percentile(values, 0.99) == 99
    assert percentile([7.0], 0.99) == 7.0


def test_intake_headline_compares_the_api_with_the_floor_of_the_same_run():
    data = {"figures": {"api": {"accepted_per_second": 600.0, "p50_ms": 40.0, "p99_ms": 90.0},
                        "floor": {"accepted_per_second": 700.0, "p50_ms": 35.0, "p99_ms": 80.0}},
            "ratio_to_floor": 600 / 700}
    throughput, _, p99 = rows_for("intake", data)
    assert round(throughput.ratio, 3) == 0.857
    assert throughput.met is True
    assert p99.met is True


def test_the_python_load_generator_sends_the_headers_and_reports_latency():
    seen: list[str | None] = []

    class Created(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_POST(self):  # noqa: N802 - http.server's naming
            self.rfile.read(int(self.headers["Content-Length"]))
            seen.append(self.headers.get("Authorization"))
            self.send_response(201 if len(seen) % 2 else 503)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"{}")

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Created)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/v2/notifications/sms"
        result = asyncio.run(receipts_load.load(url, 0.5, 2, b'{"a": 1}', ("Authorization: Bearer abc",)))
    finally:
        server.shutdown()

    assert result["requests"] == len(seen) > 0 and set(seen) == {"Bearer abc"}
    assert result["accepted"] + result["non_2xx"] == result["requests"] and result["non_2xx"] > 0
    assert 0 < result["p50_ms"] <= result["p90_ms"] <= result["p99_ms"]
