"""Fault drills: what every drill needs to break the platform on purpose and prove nothing was lost.

A drill sends real notifications through the official client, breaks one part (a process, the bus, the
database, a provider, a service's callback endpoint) while they flow, restores it, and then proves the
same three things every time (see docs/drills.md):

1. every accepted notification reached its expected final status (`wait_for_statuses`);
2. the provider simulator was handed each notification id at most once (`assert_handed_over_at_most_once`);
3. no process needed a manual restart: every process still runs with the pid it started with and
   answers its liveness probe (`ProcessCensus`).

Fixtures here are registered in the root conftest.py. A drill that needs its own bus or database
overrides `stack_env` or `database_url` in its module with `drill_sqs` / `drill_postgres`, so the
session-wide moto server and PostgreSQL other tests share are never stopped.
"""
from __future__ import annotations

import json
import threading
import time
import urllib.request
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import requests
from notifications_python_client.errors import APIError
from notifications_python_client.notifications import NotificationsAPIClient

from notify_devstack.infra import EmbeddedPostgres, SqsEmulator, free_port
from notify_shared.callback_messages import DELIVERY_STATUS_CALLBACK
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.models import ServiceCallbackApi

from .fixtures import SampleService, make_service
from .processes import ProcessGroup, wait_until

# Ofcom's drama range. 07700900000/111/222 are Notify's simulated numbers (accepted but never stored or
# sent) and numbers ending 7700900002/3 fail on purpose, so drill traffic uses 07700900300 upwards.
DELIVERED_NUMBER_PREFIX = "07700900"
FIRST_DELIVERED_NUMBER = 300


# -- traffic ------------------------------------------------------------------------------------


def api_client(api_key: str, api_url: str, *, timeout: float = 10.0) -> NotificationsAPIClient:
    """The official client with a short timeout: a drill must see a hang as a failure, not wait 30 s."""
    return NotificationsAPIClient(api_key, base_url=api_url, timeout=timeout)


def send_sms(client: NotificationsAPIClient, template_id: uuid.UUID, count: int, *, reference: str,
             first_number: int = FIRST_DELIVERED_NUMBER) -> list[str]:
    """Send `count` texts that the simulator will deliver; returns the accepted notification ids."""
    assert FIRST_DELIVERED_NUMBER <= first_number and first_number + count <= 1000
    ids = []
    for index in range(count):
        number = f"{DELIVERED_NUMBER_PREFIX}{first_number + index:03d}"
        response = client.send_sms_notification(number, str(template_id), reference=f"{reference}-{index}",
                                                 personalisation={"name": "Drill", "code": "yes"})
        ids.append(response["id"])
    return ids


def service_statuses(client: NotificationsAPIClient) -> dict[str, str]:
    """Every notification of the client's service and its status, as GET /v2/notifications shows them."""
    return {n["id"]: n["status"] for n in client.get_all_notifications_iterator()}


def wait_for_statuses(client: NotificationsAPIClient, ids: Iterable[str], expected: str = "delivered", *,
                      timeout: float = 90.0) -> dict[str, str]:
    """Poll the API until every id has `expected`; on timeout say which ids are where."""
    wanted = set(ids)
    deadline = time.monotonic() + timeout
    last: dict[str, str] = {}
    while True:
        try:
            last = service_statuses(client)
        except APIError:
            pass  # the API is still recovering (503 or no answer): keep the last answer and poll again
        if all(last.get(i) == expected for i in wanted):
            return {i: last[i] for i in wanted}
        if time.monotonic() > deadline:
            behind: dict[str, list[str]] = {}
            for notification_id in sorted(wanted):
                status = last.get(notification_id, "missing")
                if status != expected:
                    behind.setdefault(status, []).append(notification_id)
            raise AssertionError(f"after {timeout}s, {sum(map(len, behind.values()))} of {len(wanted)} "
                                 f"notifications are not {expected}: {behind}")
        time.sleep(0.5)


@pytest.fixture
def drill_service(empty_db: Database, secret_box: SecretBox) -> SampleService:
    """A fresh service in an emptied database (provider priorities back at 50/50, no job history)."""
    return make_service(empty_db, secret_box)


# -- the provider simulator ---------------------------------------------------------------------


@dataclass(frozen=True)
class SimulatorControl:
    """The simulator's test endpoints: /_config (behaviour), /_stats (hand-overs), /_reset."""

    url: str

    def configure(self, **changes: object) -> dict:
        response = requests.post(f"{self.url}/_config", json=changes, timeout=5)
        response.raise_for_status()
        return response.json()

    def reset(self) -> None:
        requests.post(f"{self.url}/_reset", json={"config": True}, timeout=5).raise_for_status()

    def stats(self) -> dict:
        response = requests.get(f"{self.url}/_stats", timeout=5)
        response.raise_for_status()
        return response.json()

    def handed_over(self, ids: Iterable[str]) -> int:
        sends = self.stats()["sends"]
        return sum(1 for i in ids if sends.get(i))


@pytest.fixture
def simulator(stack) -> SimulatorControl:
    return SimulatorControl(stack.simulator_url)


def assert_handed_over_at_most_once(simulator: SimulatorControl, ids: Iterable[str]) -> dict[str, int]:
    sends = simulator.stats()["sends"]
    counts = {i: sends.get(i, 0) for i in ids}
    repeated = {i: n for i, n in counts.items() if n > 1}
    assert not repeated, f"the simulator was handed these notifications more than once: {repeated}"
    return counts


# -- processes ----------------------------------------------------------------------------------


@dataclass
class ProcessCensus:
    """The pid of every process when the drill began, to prove afterwards that none was restarted."""

    pids: dict[str, int]

    @classmethod
    def take(cls, group: ProcessGroup) -> ProcessCensus:
        return cls({name: running.proc.pid for name, running in group.running.items()})

    def assert_nothing_restarted(self, group: ProcessGroup, *, restarted_by_drill: Iterable[str] = ()) -> None:
        """Every process still runs (same pid unless the drill itself restarted it) and answers liveness."""
        deliberate = set(restarted_by_drill)
        problems = []
        for name, pid in self.pids.items():
            running = group.running.get(name)
            if running is None or running.proc.poll() is not None:
                code = None if running is None else running.proc.returncode
                problems.append(f"{name} is not running (exit code {code})")
                continue
            if name not in deliberate and running.proc.pid != pid:
                problems.append(f"{name} was restarted (pid {pid} -> {running.proc.pid})")
            if running.spec.health_url and not _answers(running.spec.health_url):
                problems.append(f"{name} does not answer {running.spec.health_url}")
        assert not problems, "processes needed attention: " + "; ".join(problems) + "\n" + group.all_logs()


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


# -- infrastructure a drill may stop and start --------------------------------------------------


@pytest.fixture
def drill_sqs(tmp_path: Path) -> SqsEmulator:
    """A moto server for this test only, on a fixed port so that stop() + start() brings it back
    at the same address (with no queues: moto keeps them in memory)."""
    emulator = SqsEmulator(port=free_port(), log_path=tmp_path / "drill-moto.log")
    emulator.start()
    yield emulator
    emulator.stop()


@dataclass
class RestartablePostgres:
    """An embedded PostgreSQL on a data directory of its own; stop() + start() is a server restart."""

    datadir: Path
    url: str = ""
    _server: EmbeddedPostgres | None = field(default=None, repr=False)

    def start(self) -> str:
        self._server = EmbeddedPostgres(self.datadir)
        url = self._server.start()
        # The socket lives in (or is derived from) the data directory, so the address never changes.
        assert not self.url or url == self.url, f"PostgreSQL came back at {url}, not {self.url}"
        self.url = url
        return url

    def stop(self) -> None:
        if self._server is not None:
            self._server.stop()
            self._server = None


@pytest.fixture
def drill_postgres(tmp_path: Path) -> RestartablePostgres:
    server = RestartablePostgres(tmp_path / "pgdata")
    server.start()
    yield server
    server.stop()


# -- a service's callback endpoint --------------------------------------------------------------


@dataclass(frozen=True)
class ReceivedCallback:
    at: float
    authorization: str
    body: dict


class CallbackEndpoint:
    """A service's delivery-status endpoint that answers 503 for the first N seconds after the first
    callback reaches it (`down_for`), then 200."""

    def __init__(self) -> None:
        self.down_seconds = 0.0
        self.first_request_at: float | None = None
        self.received: list[ReceivedCallback] = []
        self.refused: list[ReceivedCallback] = []
        self._lock = threading.Lock()
        endpoint = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 - http.server's naming
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                status = endpoint._record(self.headers.get("Authorization", ""), body)
                self.send_response(status)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, *_args) -> None:
                pass  # the drill reports what matters; per-request lines only add noise

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, name="callback-endpoint", daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_port}/notify/delivery-status"

    def down_for(self, seconds: float) -> None:
        self.down_seconds = seconds

    @property
    def recovered_at(self) -> float | None:
        return None if self.first_request_at is None else self.first_request_at + self.down_seconds

    def _record(self, authorization: str, raw: bytes) -> int:
        now = time.monotonic()
        callback = ReceivedCallback(now, authorization, json.loads(raw or b"{}"))
        with self._lock:
            if self.first_request_at is None:
                self.first_request_at = now
            if now < self.first_request_at + self.down_seconds:
                self.refused.append(callback)
                return 503
            self.received.append(callback)
            return 200

    def statuses_by_id(self) -> dict[str, set[str]]:
        with self._lock:
            found: dict[str, set[str]] = {}
            for callback in self.received:
                found.setdefault(callback.body.get("id", ""), set()).add(callback.body.get("status", ""))
            return found

    def wait_for(self, ids: Iterable[str], status: str, timeout: float) -> None:
        wanted = set(ids)
        wait_until(lambda: all(status in self.statuses_by_id().get(i, set()) for i in wanted), timeout=timeout,
                   interval=0.5, message=f"a {status!r} callback for each of {len(wanted)} notifications")

    def start(self) -> CallbackEndpoint:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()


@pytest.fixture
def callback_endpoint() -> CallbackEndpoint:
    endpoint = CallbackEndpoint().start()
    yield endpoint
    endpoint.stop()


def add_delivery_status_callback(db: Database, box: SecretBox, service_id: uuid.UUID, url: str, token: str) -> None:
    """What a service sets up in Notify's settings page: a URL and a bearer token (stored encrypted)."""
    with db.session() as session:
        session.add(ServiceCallbackApi(service_id=service_id, callback_type=DELIVERY_STATUS_CALLBACK, url=url,
                                       bearer_token=box.encrypt(token)))



# -- the verdict every drill ends with ----------------------------------------------------------


def assert_nothing_lost(client: NotificationsAPIClient, simulator: SimulatorControl, ids: Iterable[str], *,
                        census: ProcessCensus, processes: ProcessGroup, expected: str = "delivered",
                        timeout: float = 90.0, restarted_by_drill: Iterable[str] = ()) -> dict[str, int]:
    """The three checks of docs/drills.md; returns how often the simulator was handed each id."""
    ids = list(ids)
    wait_for_statuses(client, ids, expected, timeout=timeout)
    counts = assert_handed_over_at_most_once(simulator, ids)
    census.assert_nothing_restarted(processes, restarted_by_drill=restarted_by_drill)
    return counts
