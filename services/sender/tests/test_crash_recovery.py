"""A sender killed mid-batch never causes a second hand-over when it (or another) picks up again."""
from __future__ import annotations

import signal
from datetime import UTC, datetime

from sqlalchemy import select

from notify_shared.models import Notification
from notify_testkit.processes import wait_until


def test_sigkill_mid_batch_then_restart_hands_each_notification_over_at_most_once(harness):
    harness.start_simulator(latency_ms=300)
    ids = [harness.create_notification("sms") for _ in range(10)]
    for notification_id in ids:
        harness.publish(notification_id, "sms")
    harness.start_sender(SENDER_CONCURRENCY="2")

    wait_until(lambda: harness.stats()["total"] >= 2, message="the first hand-overs")
    harness.processes.kill("sender", signal.SIGKILL)
    restarted_at = datetime.now(UTC)
    harness.start_sender(SENDER_CONCURRENCY="2")

    def rows():
        with harness.db.session() as session:
            return session.execute(select(Notification.id, Notification.status, Notification.sent_at,
                                          Notification.claimed_at)).all()

    def settled():
        # Sent, or claimed by the killed sender (that claim is left for the scheduler's stale-claim recovery).
        found = rows()
        return found if all(r.sent_at or (r.claimed_at and r.claimed_at < restarted_at) for r in found) else None

    settled_rows = wait_until(settled, timeout=40, message="every notification to be sent or left by the killed sender")

    assert {r.status for r in settled_rows} == {"sending"}
    assert sum(1 for r in settled_rows if r.sent_at is None) <= 2  # at most the two sends in flight at the kill
    sends = harness.stats()["sends"]
    assert set(sends) <= {str(i) for i in ids}
    assert all(count == 1 for count in sends.values()), sends
    assert {str(r.id) for r in settled_rows if r.sent_at} <= set(sends)
