"""Drill: the sender is SIGKILLed in the middle of a batch and started again.

What it proves: a sender dying with sends in flight (claimed rows, provider calls under way, messages
prefetched but not yet claimed) loses nothing and sends nothing twice. Rows still `created` are
re-published by the scheduler's replay; rows the dead sender had claimed but not handed over are
released by the stale-claim recovery job; hand-overs it made before dying complete through the
provider's receipt.
"""
import pytest
from sqlalchemy import text

from notify_testkit.drills import ProcessCensus, api_client, assert_nothing_lost, send_sms
from notify_testkit.processes import wait_until

pytestmark = pytest.mark.drill

BATCH = 20
# A claim this old belongs to a dead sender (production: 15 min). The recovery job runs at most once a
# minute whatever this is, so a claimed-but-unsent row waits up to about 70 s.
STALE_CLAIM_SECONDS = 10
# Few sends in flight at once (production: 64) and slow provider answers keep the batch going long enough
# to kill the sender in the middle of it, with some texts handed over and some not yet.
CONCURRENCY = 4


@pytest.fixture
def stack_env(stack_env):
    return {**stack_env, "STALE_CLAIM_SECONDS": str(STALE_CLAIM_SECONDS), "SENDER_CONCURRENCY": str(CONCURRENCY)}


def _claimed_not_sent(db, ids) -> int:
    with db.session() as session:
        return session.execute(
            text("SELECT count(*) FROM notifications WHERE id = ANY(CAST(:ids AS uuid[])) "
                 "AND status = 'sending' AND claimed_at IS NOT NULL AND sent_at IS NULL"),
            {"ids": ids},
        ).scalar()


def test_a_sender_killed_mid_batch_loses_nothing_and_sends_nothing_twice(drill_service, stack, simulator,
                                                                        processes, db):
    census = ProcessCensus.take(processes)
    client = api_client(drill_service.api_key, stack.api_url)
    simulator.configure(latency_ms=400)

    ids = send_sms(client, drill_service.sms_template_id, BATCH, reference="drill-kill")
    wait_until(lambda: simulator.handed_over(ids) >= 3, timeout=30, interval=0.05, message="first hand-overs")
    processes.kill("sender")
    handed_before_kill = simulator.handed_over(ids)
    in_flight_at_kill = _claimed_not_sent(db, ids)
    assert handed_before_kill < BATCH, "the batch finished before the kill: the drill proved nothing"

    processes.start(stack.specs["sender"])
    simulator.configure(latency_ms=0)

    counts = assert_nothing_lost(client, simulator, ids, census=census, processes=processes,
                                 timeout=STALE_CLAIM_SECONDS + 120, restarted_by_drill={"sender"})
    assert set(counts.values()) == {1}
    print(f"\nsender killed after {handed_before_kill}/{BATCH} hand-overs, "
          f"{in_flight_at_kill} claimed and unsent at the kill")
