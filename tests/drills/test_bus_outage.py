"""Drill: the message bus is down for 30 seconds, then comes back empty.

What it proves: while SQS is unreachable the API keeps accepting notifications (201, promptly: its
publish breaker stops every request paying the bus timeout), every worker rides the outage out without
a restart, and after the bus returns (moto restarts with no queues and no messages, as a lost broker
would) the scheduler's replay of `created` rows gets every accepted notification delivered, once.

The bus is a moto server of this test's own: the session's shared one is never stopped.
"""
import time

import pytest

from notify_testkit.drills import ProcessCensus, api_client, assert_nothing_lost, send_sms

pytestmark = pytest.mark.drill

OUTAGE_SECONDS = 30
# A publish that finds the bus gone waits out the bus connect timeout; the API's breaker then skips
# publishing for a few seconds, so most requests never wait at all. Every caller gets its 201 well
# within the client's timeout (drills use 10 s; the official client's default is 30 s).
SKIPPED_PUBLISH_SECONDS = 1.0


@pytest.fixture
def stack_env(stack_env, drill_sqs):
    return {
        **stack_env,
        "BROKER_URL": drill_sqs.broker_url,
        # Real providers retry a receipt for far longer than the simulator's default few seconds; without
        # that, receipts posted while the bus is down would be dropped by the provider, not by us.
        "SIMULATOR_RECEIPT_MAX_ATTEMPTS": "9",
    }


def test_the_api_accepts_during_a_bus_outage_and_replay_delivers_everything_after(drill_service, stack, simulator,
                                                                                   processes, drill_sqs):
    census = ProcessCensus.take(processes)
    client = api_client(drill_service.api_key, stack.api_url)

    before = send_sms(client, drill_service.sms_template_id, 6, reference="drill-bus-before")
    drill_sqs.stop()
    stopped_at = time.monotonic()

    during: list[str] = []
    took: list[float] = []
    for wave in range(3):
        for _ in range(3):
            started = time.monotonic()
            during += send_sms(client, drill_service.sms_template_id, 1, reference="drill-bus-during",
                               first_number=400 + len(during))
            took.append(time.monotonic() - started)
        time.sleep(max(0.0, stopped_at + (wave + 1) * OUTAGE_SECONDS / 3 - time.monotonic()))
    fast = [t for t in took if t < SKIPPED_PUBLISH_SECONDS]
    assert len(fast) >= len(took) * 2 / 3, f"the publish breaker did not spare callers the bus timeout: {took}"
    assert simulator.handed_over(during) == 0, "nothing can reach a sender while the bus is down"

    drill_sqs.start()
    restored_at = time.monotonic()
    after = send_sms(client, drill_service.sms_template_id, 4, reference="drill-bus-after", first_number=500)

    assert_nothing_lost(client, simulator, before + during + after, census=census, processes=processes,
                        timeout=120)
    print(f"\nbus down {OUTAGE_SECONDS}s; POST durations during it: {[round(t, 2) for t in took]}; "
          f"all delivered {time.monotonic() - restored_at:.0f}s after the bus came back")
