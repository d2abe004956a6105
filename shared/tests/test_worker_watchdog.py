"""A worker whose consume loop stalls turns liveness 503 and is then ended by its watchdog (a real process)."""
from __future__ import annotations

import sys
import time
from pathlib import Path

import requests

from notify_devstack.infra import free_port
from notify_devstack.processes import ProcessSpec
from notify_shared.envelope import Envelope
from notify_testkit.processes import wait_until

QUEUE = "stall-test"


def test_a_worker_whose_consume_loop_stalls_fails_liveness_and_is_ended_by_its_watchdog(processes, bus):
    port = free_port()
    live_url = f"http://127.0.0.1:{port}/_status/live"
    spec = ProcessSpec("stalling-worker", [sys.executable, str(Path(__file__).with_name("stalling_worker.py")), QUEUE],
                       {"HEALTH_PORT": str(port), "HEARTBEAT_STALE_SECONDS": "3"}, live_url)
    worker = processes.start(spec)

    # Idle, the loop keeps beating: liveness stays 200 well past the stale threshold.
    time.sleep(4)
    assert requests.get(live_url, timeout=2).json() == {"status": "ok"}

    bus.publish(QUEUE, Envelope(kind="stall", notification_id=None))

    def stale() -> dict | None:
        try:
            response = requests.get(live_url, timeout=2)
        except requests.ConnectionError:
            return None
        return response.json() if response.status_code == 503 else None

    body = wait_until(stale, timeout=30, interval=0.1, message="liveness to report the stale heartbeat")
    assert body["status"] == "error" and "heartbeat stale" in body["reason"]
    assert worker.proc.wait(timeout=30) == 70, processes.tail("stalling-worker")
    assert "watchdog_heartbeat_stale" in processes.tail("stalling-worker")
