"""Drill: a service's delivery-status callback endpoint is down for a while, then comes back.

The endpoint answers 503 for its first 10 s from the first callback that reaches it, so the outage
always meets the traffic however fast the platform delivers.

What it proves: callbacks that meet 503s are retried with backoff (not dropped, not dead-lettered,
not blocking anyone else) and every delivered notification's callback reaches the service, with its
bearer token, once the endpoint recovers.
"""
import pytest
from sqlalchemy import func, select

from notify_shared.receiver_models import CallbackDeadLetter
from notify_testkit.drills import ProcessCensus, add_delivery_status_callback, api_client, assert_nothing_lost, send_sms

pytestmark = pytest.mark.drill

DOWN_SECONDS = 10
TOKEN = "drill-callback-bearer-token-0123456789"
# Notify retries a callback 5 times starting 5 minutes apart; here 1 s doubling (1, 2, 4, 8, 16 s) so the
# retries span the outage, and the last one comes about 30 s after the first try.
RETRY_DELAY_SECONDS = 1


@pytest.fixture
def stack_env(stack_env):
    return {**stack_env, "CALLBACK_RETRY_DELAY_SECONDS": str(RETRY_DELAY_SECONDS)}


def test_callbacks_refused_while_the_service_endpoint_is_down_arrive_after_it_recovers(
        drill_service, stack, simulator, processes, callback_endpoint, db, secret_box):
    add_delivery_status_callback(db, secret_box, drill_service.id, callback_endpoint.url, TOKEN)
    census = ProcessCensus.take(processes)
    client = api_client(drill_service.api_key, stack.api_url)

    callback_endpoint.down_for(DOWN_SECONDS)
    ids = send_sms(client, drill_service.sms_template_id, 10, reference="drill-callback")

    assert_nothing_lost(client, simulator, ids, census=census, processes=processes, timeout=60)
    callback_endpoint.wait_for(ids, "delivered", timeout=60)

    refused_ids = {c.body["id"] for c in callback_endpoint.refused}
    assert refused_ids, "no callback met the outage"
    assert refused_ids <= set(ids)
    assert all(c.at >= callback_endpoint.recovered_at for c in callback_endpoint.received)
    assert {c.authorization for c in callback_endpoint.refused + callback_endpoint.received} == {f"Bearer {TOKEN}"}
    with db.session() as session:
        assert session.scalar(select(func.count()).select_from(CallbackDeadLetter)) == 0
    last = max(c.at for c in callback_endpoint.received) - callback_endpoint.recovered_at
    print(f"\n{len(callback_endpoint.refused)} attempts for {len(refused_ids)} notifications refused during "
          f"{DOWN_SECONDS}s; all {len(ids)} delivered callbacks arrived within {last:.0f}s of the recovery "
          f"({len(callback_endpoint.received)} received in all)")
