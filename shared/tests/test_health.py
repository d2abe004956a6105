import json
import time
import urllib.error
import urllib.request

from notify_shared.health import HealthChecks, HealthServer, Heartbeat


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


def test_a_short_blip_does_not_turn_readiness_red_before_the_grace_period():
    checks = HealthChecks(build="t", checks={"database": lambda: 1 / 0}, failure_grace_seconds=30)
    ok, _ = checks.ready()
    assert ok


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


def test_metrics_are_served_in_prometheus_text():
    server, base = _serve(HealthChecks(build="t"))
    try:
        _get(f"{base}/_status/live")
        with urllib.request.urlopen(f"{base}/metrics", timeout=2) as resp:
            text = resp.read().decode()
        assert "notify_probe_seconds" in text
    finally:
        server.stop()
