"""Probe answers: liveness from memory, readiness from bounded background checks, Notify's /_status."""
import json
import threading
import time
import urllib.error
import urllib.request

from sqlalchemy import text

from notify_devstack.infra import free_port
from notify_shared.config import Settings
from notify_shared.db import Database
from notify_shared.health import HealthChecks, HealthServer, Heartbeat, readiness_budget_seconds
from notify_testkit.processes import wait_until


def _get(url: str) -> tuple[int, dict]:
    try:
        with urllib.request.urlopen(url, timeout=2) as resp:
            return resp.status, json.loads(resp.read())
    except urllib.error.HTTPError as exc:
        return exc.code, json.loads(exc.read())


def _serve(checks: HealthChecks) -> tuple[HealthServer, str]:
    server = HealthServer(checks, "127.0.0.1", 0).start()
    return server, f"http://127.0.0.1:{server.port}"


def test_liveness_stays_200_while_a_dependency_is_down_and_readiness_says_why():
    def database_down():
        raise ConnectionError("no route to database")

    checks = HealthChecks(build="t", checks={"database": database_down}, failure_grace_seconds=0)
    server, base = _serve(checks)
    try:
        assert _get(f"{base}/_status/live") == (200, {"status": "ok"})
        assert _get(f"{base}/_status?simple=true") == (200, {"status": "ok"})
        status, body = _get(f"{base}/_status/ready")
        assert status == 503
        assert body["reasons"] == {"database": "ConnectionError"}
    finally:
        server.stop()


def test_a_slow_dependency_makes_readiness_answer_503_within_its_budget():
    checks = HealthChecks(build="t", checks={"bus": lambda: time.sleep(3)}, budget_seconds=0.2,
                          failure_grace_seconds=0)
    server, base = _serve(checks)
    try:
        started = time.monotonic()
        status, body = _get(f"{base}/_status/ready")
        assert status == 503 and "timed out" in body["reasons"]["bus"]
        assert time.monotonic() - started < 1.5
    finally:
        server.stop()


def test_readiness_is_503_with_the_reason_when_the_real_database_is_down_while_liveness_stays_200():
    closed = free_port()
    db = Database(Settings(database_url=f"postgresql+psycopg2://postgres@127.0.0.1:{closed}/notify",
                           db_connect_timeout_seconds=1))
    checks = HealthChecks(build="t", checks={"database": db.ping}, budget_seconds=0.5, failure_grace_seconds=0)
    server, base = _serve(checks)
    try:
        ready = _get(f"{base}/_status/ready")
        live = _get(f"{base}/_status/live")
        status = _get(f"{base}/_status?simple=true")
    finally:
        server.stop()
        db.dispose()

    assert ready == (503, {"status": "error", "checks": {"database": "OperationalError"},
                           "reasons": {"database": "OperationalError"}})
    assert live == (200, {"status": "ok"})
    assert status == (200, {"status": "ok"})


def test_readiness_is_200_when_the_real_database_answers_even_with_every_pooled_connection_busy(settings):
    db = Database(Settings(**{**settings.__dict__, "db_pool_size": 1, "db_max_overflow": 0,
                              "db_pool_timeout_seconds": 0.2}))
    checks = HealthChecks(build="t", checks={"database": db.ping}, failure_grace_seconds=0)
    try:
        with db.session() as busy:
            busy.execute(text("SELECT 1"))
            ok, body = checks.ready()
    finally:
        db.dispose()

    assert (ok, body) == (True, {"status": "ok", "checks": {"database": "ok"}})


def test_a_short_blip_does_not_turn_readiness_red_before_the_grace_period():
    checks = HealthChecks(build="t", checks={"database": lambda: 1 / 0}, failure_grace_seconds=30)
    ok, _ = checks.ready()
    assert ok


def test_readiness_serves_its_last_answer_without_waiting_while_a_slow_refresh_runs():
    calls = []
    release = threading.Event()

    def database():
        calls.append(1)
        if len(calls) > 1:
            release.wait(5)  # every check after the first hangs until the test lets it go

    checks = HealthChecks(build="t", checks={"database": database}, cache_seconds=0.0, budget_seconds=2)
    try:
        assert checks.ready() == (True, {"status": "ok", "checks": {"database": "ok"}})
        time.sleep(0.05)
        answered = checks.ready(wait=False)  # stale: a refresh starts in the background
        again = checks.ready(wait=False)
        wait_until(lambda: len(calls) == 2, timeout=2, interval=0.01, message="the background refresh")
        time.sleep(0.1)
    finally:
        release.set()

    assert answered == again == (True, {"status": "ok", "checks": {"database": "ok"}})
    assert len(calls) == 2, "one background refresh, however often readiness is asked"


def test_readiness_without_an_answer_yet_is_unknown_to_a_caller_that_cannot_wait():
    checks = HealthChecks(build="t", checks={"database": lambda: time.sleep(0.3)})
    assert checks.ready(wait=False) is None


def test_a_draining_or_stuck_process_is_unready_without_waiting_for_its_checks():
    checks = HealthChecks(build="t", checks={"database": lambda: time.sleep(0.3)})
    checks.add_liveness_check("loop", lambda: "stuck")
    ok, body = checks.ready(wait=False)
    assert not ok and body["reasons"] == {"liveness": "loop: stuck"}


def test_the_readiness_budget_is_half_the_platform_timeout_and_never_below_200ms():
    assert readiness_budget_seconds(3) == 1.5
    assert readiness_budget_seconds(1) == 0.5
    assert readiness_budget_seconds(0.2) == 0.2


def test_stale_heartbeat_fails_liveness():
    heartbeat = Heartbeat(stale_after=0.05)
    checks = HealthChecks(build="t", heartbeat=heartbeat)
    assert checks.live()[0]
    time.sleep(0.1)
    ok, body = checks.live()
    assert not ok and "heartbeat stale" in body["reason"]
    heartbeat.beat()
    assert checks.live()[0]


def test_status_has_notify_shape_with_the_database_version():
    checks = HealthChecks(build="abc123", db_version=lambda: "0001")
    assert checks.status() == (True, {"status": "ok", "build": "abc123", "git_commit": "abc123", "db_version": "0001"})


def test_metrics_are_served_in_prometheus_text_with_probe_latency_and_heartbeat_age():
    heartbeat = Heartbeat(stale_after=60)
    server, base = _serve(HealthChecks(build="t", heartbeat=heartbeat))
    try:
        _get(f"{base}/_status/live")
        with urllib.request.urlopen(f"{base}/metrics", timeout=2) as resp:
            text = resp.read().decode()
    finally:
        server.stop()

    assert 'notify_probe_seconds_count{probe="live",via="thread"}' in text
    assert "notify_worker_heartbeat_age_seconds " in text
