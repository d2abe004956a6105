"""The ProbeFirstWorker under real gunicorn: probes skip the thread pool's queue, everything else does not.

Each test starts gunicorn with probe_app.py (requests that hold a thread for seconds, as requests
waiting on a slow query do) behind the real HealthMiddleware and LoadShedder.
"""
from __future__ import annotations

import http.client
import re
import sys
import time
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import pytest
import requests

from notify_devstack.infra import free_port
from notify_devstack.processes import ProcessSpec
from notify_shared.gunicorn_worker import ProbeRequest, RequestProgress, parse_probe
from notify_shared.health import LIVE, READY
from notify_testkit.processes import ProcessGroup, wait_until

HERE = Path(__file__).resolve().parent


def gunicorn_starter(group: ProcessGroup) -> Callable[..., str]:
    def start(**env: str) -> str:
        port = free_port()
        spec = ProcessSpec(
            f"gunicorn-{port}",
            [sys.executable, "-m", "gunicorn", "-c", str(HERE / "gunicorn_test_config.py"),
             "--pythonpath", str(HERE), "probe_app:application"],
            {"TEST_PORT": str(port), **env},
            f"http://127.0.0.1:{port}/_status/live",
        )
        group.start(spec)
        return f"http://127.0.0.1:{port}"

    return start


@pytest.fixture
def start_gunicorn(tmp_path) -> Callable[..., str]:
    group = ProcessGroup(tmp_path, {})
    yield gunicorn_starter(group)
    group.stop_all()


@pytest.fixture(scope="module")
def shedding_origin(tmp_path_factory) -> str:
    """One server for the shedding tests: 6 threads, at most 3 requests in the app, 1 of them a slow read."""
    group = ProcessGroup(tmp_path_factory.mktemp("shedding"), {})
    yield gunicorn_starter(group)(TEST_THREADS="6", TEST_MAX_IN_FLIGHT="3")
    group.stop_all()


@pytest.fixture
def pool():
    executor = ThreadPoolExecutor(max_workers=16)
    yield executor
    executor.shutdown(wait=True)


def hold_every_thread(pool: ThreadPoolExecutor, origin: str, count: int, seconds: float) -> list[Future]:
    holds = [pool.submit(requests.get, f"{origin}/hold?seconds={seconds}", timeout=30) for _ in range(count)]
    time.sleep(0.5)  # let gunicorn hand them to its threads
    return holds


def test_liveness_and_a_recent_readiness_answer_are_given_while_every_request_thread_is_busy(start_gunicorn, pool):
    origin = start_gunicorn(TEST_THREADS="2")
    assert requests.get(f"{origin}/_status/ready", timeout=5).status_code == 200  # the first answer needs a thread
    holds = hold_every_thread(pool, origin, count=4, seconds=2.5)

    live = requests.get(f"{origin}/_status/live", timeout=5)
    simple = requests.get(f"{origin}/_status?simple=true", timeout=5)
    ready = requests.get(f"{origin}/_status/ready", timeout=5)

    assert not any(hold.done() for hold in holds), "no probe should have waited for a thread"
    assert (live.status_code, live.json()) == (200, {"status": "ok"})
    assert (live.headers["Content-Type"], live.headers["Cache-Control"]) == ("application/json", "no-store")
    assert (simple.status_code, simple.json()) == (200, {"status": "ok"})
    assert (ready.status_code, ready.json()) == (200, {"status": "ok", "checks": {"dependency": "ok"}})
    assert [hold.result().status_code for hold in holds] == [200] * 4


def test_plain_gthread_makes_the_probe_wait_behind_busy_threads(start_gunicorn, pool):
    """The incident, in miniature: the reason this worker exists."""
    origin = start_gunicorn(TEST_THREADS="2", TEST_WORKER_CLASS="gthread")
    holds = hold_every_thread(pool, origin, count=2, seconds=2.5)

    started = time.monotonic()
    probe = requests.get(f"{origin}/_status/live", timeout=10)
    waited = time.monotonic() - started

    assert probe.status_code == 200
    # A lower bound, so a slow machine cannot make it flaky: the probe waited for a hold to finish.
    assert waited > 1.5, "under gthread the probe queues until a thread is free"
    [hold.result() for hold in holds]


def test_a_kept_alive_connection_carries_probes_and_ordinary_requests_alike(start_gunicorn):
    origin = start_gunicorn()
    conn = http.client.HTTPConnection(origin.removeprefix("http://"), timeout=5)
    try:
        answers = []
        for method, path, body in [("GET", "/_status/live", None), ("POST", "/echo", b"hello"),
                                   ("GET", "/_status?simple=1", None), ("HEAD", "/_status/live", None),
                                   ("GET", "/hold?seconds=0", None)]:
            conn.request(method, path, body=body)
            if conn.sock is not None and not answers:
                first_socket = conn.sock
            response = conn.getresponse()
            answers.append((response.status, response.read(), response.getheader("Connection", "keep-alive")))
            assert conn.sock is first_socket, f"{method} {path} did not keep the connection open"
    finally:
        conn.close()

    assert answers == [
        (200, b'{"status": "ok"}', "keep-alive"),
        (200, b"done hello", "keep-alive"),
        (200, b'{"status": "ok"}', "keep-alive"),
        (200, b"", "keep-alive"),
        (200, b"done ", "keep-alive"),
    ]


def test_liveness_fails_when_the_request_threads_stop_finishing_requests(start_gunicorn, pool):
    origin = start_gunicorn(TEST_THREADS="2", HEARTBEAT_STALE_SECONDS="1")
    holds = hold_every_thread(pool, origin, count=3, seconds=2.5)

    def stalled() -> dict | None:
        response = requests.get(f"{origin}/_status/live", timeout=5)
        return response.json() if response.status_code == 503 else None

    body = wait_until(stalled, timeout=10, message="liveness to report the stalled threads")
    assert "request_threads: no request finished" in body["reason"]
    assert requests.get(f"{origin}/_status/ready", timeout=5).status_code == 503
    [hold.result() for hold in holds]
    wait_until(lambda: requests.get(f"{origin}/_status/live", timeout=5).status_code == 200, timeout=10,
               message="liveness to recover once requests finish")


SHED_BODY = {"status_code": 503, "errors": [
    {"error": "ServiceUnavailableError", "message": "Service temporarily unavailable, try again later"}]}


def test_requests_beyond_the_bulkhead_are_shed_at_once_in_notifys_error_shape(shedding_origin, pool):
    origin = shedding_origin
    holds = hold_every_thread(pool, origin, count=3, seconds=2.5)

    shed = requests.post(f"{origin}/echo", data=b"x", timeout=5)

    assert shed.status_code == 503
    assert shed.json() == SHED_BODY
    assert shed.headers["Retry-After"] == "1"
    assert not any(hold.done() for hold in holds)
    assert [hold.result().status_code for hold in holds] == [200] * 3
    assert requests.post(f"{origin}/echo", data=b"x", timeout=5).status_code == 200


def test_slow_reads_are_shed_on_their_own_while_other_requests_still_get_in(shedding_origin, pool):
    origin = shedding_origin
    listing = pool.submit(requests.get, f"{origin}/v2/notifications?seconds=2.5", timeout=30)
    time.sleep(0.5)

    second_listing = requests.get(f"{origin}/v2/notifications?seconds=0", timeout=5)
    other = requests.post(f"{origin}/echo", data=b"intake", timeout=5)

    assert (second_listing.status_code, second_listing.json()) == (503, SHED_BODY)
    assert (other.status_code, other.text) == (200, "done intake")
    assert listing.result().status_code == 200


def metric(text: str, name: str, **labels: str) -> float:
    wanted = ",".join(f'{key}="{value}"' for key, value in sorted(labels.items()))
    for line in text.splitlines():
        match = re.match(r"^(\w+)(?:\{(.*)\})? (\S+)$", line)
        if match and match.group(1) == name and ",".join(sorted((match.group(2) or "").split(","))) == wanted:
            return float(match.group(3))
    return 0.0


def test_metrics_add_up_every_worker_process_of_the_instance(start_gunicorn, pool):
    origin = start_gunicorn(TEST_WORKERS="2", TEST_THREADS="4", TEST_MAX_IN_FLIGHT="1")
    before = requests.get(f"{origin}/metrics", timeout=5).text
    for _ in range(20):
        assert requests.get(f"{origin}/_status/live", timeout=5).status_code == 200
    holds = [pool.submit(requests.get, f"{origin}/hold?seconds=2", timeout=30) for _ in range(6)]
    statuses = sorted(hold.result().status_code for hold in holds)

    text = requests.get(f"{origin}/metrics", timeout=5).text

    # Whichever of the two workers answered each probe or scrape, the counts are the instance's.
    probes = [metric(t, "notify_probe_seconds_count", probe="live", via="event-loop") for t in (before, text)]
    assert probes[1] - probes[0] == 20
    assert metric(text, "notify_http_shed_requests_total", bulkhead="all") == statuses.count(503) > 0
    assert metric(text, "notify_http_in_flight_requests", bulkhead="all") == 0


# ---------------------------------------------------------------- pure logic


@pytest.mark.parametrize("raw, kind, method, keep_alive", [
    (b"GET /_status/live HTTP/1.1\r\nHost: x\r\n\r\n", LIVE, "GET", True),
    (b"GET /_status?simple=true HTTP/1.1\r\nHost: x\r\n\r\n", LIVE, "GET", True),
    (b"HEAD /_status/ready HTTP/1.1\r\nConnection: close\r\n\r\n", READY, "HEAD", False),
    (b"GET /_status/live HTTP/1.0\r\n\r\n", LIVE, "GET", False),
    (b"GET /_status/live HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", LIVE, "GET", True),
])
def test_a_complete_probe_request_is_recognised(raw, kind, method, keep_alive):
    assert parse_probe(raw) == ProbeRequest(kind, method, len(raw), keep_alive)
    assert parse_probe(raw + b"GET /next HTTP/1.1\r\n") == ProbeRequest(kind, method, len(raw), keep_alive)


@pytest.mark.parametrize("raw", [
    b"GET /_status/live HTTP/1.1\r\nHost: x\r\n",  # headers not complete yet: the threads wait for the rest
    b"GET /_status HTTP/1.1\r\n\r\n",  # Notify's full status reads the database
    b"GET /_status?simple= HTTP/1.1\r\n\r\n",  # an empty `simple` is not Notify's simple status
    b"GET /metrics HTTP/1.1\r\n\r\n",
    b"POST /_status/live HTTP/1.1\r\nContent-Length: 2\r\n\r\nhi",
    b"GET /_status/live HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n",
    b"GET /_status/live HTTP/2.0\r\n\r\n",
    b"GET /v2/notifications HTTP/1.1\r\n\r\n",
    b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n",
    b"\x16\x03\x01\x02\x00",  # a TLS hello
])
def test_anything_else_is_left_to_the_request_threads(raw):
    assert parse_probe(raw) is None


def test_request_threads_count_as_stalled_only_while_work_waits_and_nothing_finishes():
    now = [100.0]
    progress = RequestProgress(stale_after=10, clock=lambda: now[0])

    now[0] += 60
    assert progress.stalled_reason() is None  # idle for a minute is not stalled
    progress.submitted()
    now[0] += 9
    assert progress.stalled_reason() is None
    now[0] += 2
    assert progress.stalled_reason() == "no request finished for 11s while 1 were in the thread pool"
    progress.finished()
    assert progress.stalled_reason() is None
