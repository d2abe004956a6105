"""Drill: PostgreSQL restarts while notifications flow.

What it proves: while the database is down the API answers every request promptly with 503 in
Notify's error envelope (never a 500, never a hang), it accepts again as soon as the database is
back, and every worker (sender, receipts, callbacks, scheduler) reconnects on its own: every
notification accepted before or after the restart is delivered, once, with no process restarted.

The database is an embedded PostgreSQL of this test's own: the machine's shared server on 5432 is
never touched.
"""
import time

import pytest
from notifications_python_client.errors import APIError

from notify_devstack.infra import create_database
from notify_shared.migrate import upgrade
from notify_testkit.drills import ProcessCensus, api_client, assert_nothing_lost, send_sms

pytestmark = pytest.mark.drill

OUTAGE_SECONDS = 10
# Well under the client's timeout: a request must be refused quickly, not left to hang on the pool.
REFUSED_WITHIN_SECONDS = 8.0
# A send claimed just before the outage whose claim could not be released while the database was down
# stays `sending` until the scheduler's stale-claim recovery re-publishes it (production: 15 min; the
# job runs at most once a minute).
STALE_CLAIM_SECONDS = 10


@pytest.fixture
def stack_env(stack_env):
    return {**stack_env, "STALE_CLAIM_SECONDS": str(STALE_CLAIM_SECONDS)}


@pytest.fixture
def database_url(drill_postgres):
    url = create_database(drill_postgres.url, "notify_drill")
    upgrade(url)
    return url


def _post_while_down(client, template_id) -> tuple[int, dict, float]:
    started = time.monotonic()
    try:
        client.send_sms_notification("07700900999", str(template_id), personalisation={"name": "Down", "code": "no"})
    except APIError as exc:
        took = time.monotonic() - started
        assert exc.response is not None, f"no HTTP answer while the database was down: {exc} after {took:.1f}s"
        return exc.response.status_code, exc.response.json(), took
    raise AssertionError("a notification was accepted while the database was down")


def test_the_api_refuses_with_503_while_postgres_restarts_and_every_worker_reconnects(
        drill_service, stack, simulator, processes, drill_postgres):
    census = ProcessCensus.take(processes)
    client = api_client(drill_service.api_key, stack.api_url)
    # Slow provider answers keep sends in flight when the database goes away.
    simulator.configure(latency_ms=300)

    before = send_sms(client, drill_service.sms_template_id, 10, reference="drill-pg-before")
    drill_postgres.stop()
    stopped_at = time.monotonic()

    answers = []
    while time.monotonic() - stopped_at < OUTAGE_SECONDS:
        answers.append(_post_while_down(client, drill_service.sms_template_id))
        time.sleep(1)
    for status, body, took in answers:
        assert status == 503, f"answered {status} while the database was down: {body}"
        assert body["status_code"] == 503 and body["errors"][0]["error"] and body["errors"][0]["message"], body
        assert took < REFUSED_WITHIN_SECONDS, f"took {took:.1f}s to refuse"

    drill_postgres.start()
    restarted_at = time.monotonic()
    first_after: list[str] = []

    def accepted_again() -> bool:
        try:
            first_after.extend(send_sms(client, drill_service.sms_template_id, 1, reference="drill-pg-after",
                                        first_number=500))
            return True
        except APIError:
            return False

    deadline = time.monotonic() + 30
    while not accepted_again():
        assert time.monotonic() < deadline, "the API did not accept again within 30 s of the restart"
        time.sleep(0.5)
    recovered_in = time.monotonic() - restarted_at
    after = first_after + send_sms(client, drill_service.sms_template_id, 9, reference="drill-pg-after",
                                   first_number=501)
    simulator.configure(latency_ms=0)

    assert_nothing_lost(client, simulator, before + after, census=census, processes=processes, timeout=120)
    print(f"\n{len(answers)} requests refused with 503 during a {OUTAGE_SECONDS}s outage "
          f"(slowest {max(t for _, _, t in answers):.2f}s); accepting again {recovered_in:.1f}s after the restart")
