"""Drill: one SMS provider answers 5xx for a while, then recovers.

What it proves: while MMG fails, every text still goes out, through Firetext, within the same attempt
(failover, no retry delay, nothing lost, nothing sent twice); the burst of errors moves SMS priority
away from MMG (the sender's error-burst re-weighting, recorded with its reason); once MMG answers again
it carries traffic again at once. The long variant also waits for the scheduler's re-weighting job to
drift the priorities back to their resting 50/50 split (it runs every five minutes, UTC).
"""
import time

import pytest
from sqlalchemy import select

from notify_shared.models import ProviderDetails, ProviderDetailsHistory
from notify_testkit.drills import ProcessCensus, api_client, assert_nothing_lost, send_sms
from notify_testkit.processes import wait_until

pytestmark = pytest.mark.drill

FAILING = "mmg"
HEALTHY = "firetext"
# Production moves priority after 50 errors a minute; a drill's few texts must be enough to show it.
ERROR_THRESHOLD = 2
# Production drifts back an hour after the last move away; the long drill cannot wait that long. A minute
# is still longer than the short drill lasts after its move, so it sees the moved priorities.
DRIFT_DELAY_SECONDS = 60
RESTING = {"firetext": 50, "mmg": 50}


@pytest.fixture
def stack_env(stack_env):
    return {**stack_env, "SMS_PROVIDER_ERROR_THRESHOLD": str(ERROR_THRESHOLD),
            "SMS_PROVIDER_DRIFT_DELAY_SECONDS": str(DRIFT_DELAY_SECONDS)}


def sms_priorities(db) -> dict[str, int]:
    with db.session() as session:
        rows = session.execute(select(ProviderDetails.identifier, ProviderDetails.priority)
                               .where(ProviderDetails.notification_type == "sms")).all()
    return dict(rows)


def priority_reasons(db) -> list[str]:
    with db.session() as session:
        return list(session.scalars(
            select(ProviderDetailsHistory.reason)
            .join(ProviderDetails, ProviderDetails.id == ProviderDetailsHistory.provider_id)
            .where(ProviderDetails.identifier == FAILING).order_by(ProviderDetailsHistory.created_at)))


def _sent_by_provider(simulator, before: dict) -> dict[str, int]:
    now = simulator.stats()["by_provider"]
    return {name: now.get(name, 0) - before.get(name, 0) for name in RESTING}


def fail_over_then_recover(client, service, simulator, db) -> tuple[list[str], dict, dict]:
    """MMG fails for ~16 s of steady traffic, then recovers for a burst of 20 texts."""
    assert sms_priorities(db) == RESTING
    simulator.configure(providers={FAILING: {"fail": True, "status": 500}})
    start = simulator.stats()["by_provider"]
    during = []
    for index in range(16):
        during += send_sms(client, service.sms_template_id, 1, reference="drill-provider-down",
                           first_number=300 + index)
        time.sleep(1)
    wait_until(lambda: simulator.handed_over(during) == len(during), timeout=60, message="failover hand-overs")
    while_failing = _sent_by_provider(simulator, start)
    rejected = simulator.stats()["rejected"].get(FAILING, 0)

    simulator.configure(providers={FAILING: {"fail": False}})
    recovered_start = simulator.stats()["by_provider"]
    after = send_sms(client, service.sms_template_id, 20, reference="drill-provider-back", first_number=400)
    wait_until(lambda: simulator.handed_over(after) == len(after), timeout=60, message="hand-overs after recovery")
    once_recovered = _sent_by_provider(simulator, recovered_start)

    assert rejected >= ERROR_THRESHOLD, f"{FAILING} was barely tried while failing ({rejected} requests)"
    assert while_failing == {FAILING: 0, HEALTHY: len(during)}, while_failing
    assert once_recovered[FAILING] > 0 and once_recovered[HEALTHY] > 0, once_recovered
    return during + after, while_failing | {"rejected": rejected}, once_recovered


def test_texts_fail_over_while_one_provider_returns_5xx_and_spread_again_once_it_recovers(
        drill_service, stack, simulator, processes, db):
    census = ProcessCensus.take(processes)
    client = api_client(drill_service.api_key, stack.api_url)

    ids, while_failing, once_recovered = fail_over_then_recover(client, drill_service, simulator, db)

    assert_nothing_lost(client, simulator, ids, census=census, processes=processes, timeout=60)
    moved = sms_priorities(db)
    assert moved[FAILING] < RESTING[FAILING] and sum(moved.values()) == 100, moved
    assert any(reason.startswith("error burst") for reason in priority_reasons(db))
    print(f"\nwhile {FAILING} failed: {while_failing}; after it recovered: {once_recovered}; priorities {moved}")


@pytest.mark.long_drill
@pytest.mark.timeout(900)
def test_sms_priorities_drift_back_to_resting_after_a_provider_recovers(drill_service, stack, simulator,
                                                                        processes, db):
    census = ProcessCensus.take(processes)
    client = api_client(drill_service.api_key, stack.api_url)

    ids, _, _ = fail_over_then_recover(client, drill_service, simulator, db)
    assert sms_priorities(db)[FAILING] < RESTING[FAILING]

    # The scheduler's sms-provider-reweighting job runs at every fifth minute (UTC), and drifts one step (10
    # points) a run once the last move is DRIFT_DELAY_SECONDS old; allow two runs.
    wait_until(lambda: sms_priorities(db) == RESTING, timeout=660, interval=5, message="drift back to 50/50")
    assert priority_reasons(db)[-1].startswith("drift back")
    assert_nothing_lost(client, simulator, ids, census=census, processes=processes, timeout=60)
