import pytest

from notify_scheduler.jobs.sms_priorities import DeliverySpeed, ProviderPriority, Rules, plan_priorities

RULES = Rules(threshold=0.3, min_notifications=5, step=10, cooldown_seconds=600, drift_delay_seconds=3600,
              window_seconds=600, slow_after_seconds=300)
SLOW = DeliverySpeed(sent=10, slow=4)
FAST = DeliverySpeed(sent=10, slow=0)


def _plan(mmg: int, firetext: int, speeds: dict, *, since_slow_move: float | None = None, resting=None):
    providers = [ProviderPriority("mmg", mmg), ProviderPriority("firetext", firetext)]
    plan = plan_priorities(providers, speeds, resting=resting or {}, seconds_since_slow_move=since_slow_move,
                           rules=RULES)
    return {c.identifier: c.new for c in plan.changes}, plan


def test_a_slow_provider_hands_ten_points_to_the_other():
    changes, plan = _plan(50, 50, {"mmg": SLOW, "firetext": FAST})

    assert changes == {"mmg": 40, "firetext": 60}
    assert all(c.reason.startswith("slow delivery: mmg had 4 of 10") for c in plan.changes)


@pytest.mark.parametrize(("mmg", "firetext", "expected"), [
    (15, 85, {"mmg": 10, "firetext": 90}),  # only as far as the floor
    (10, 90, {}),  # already at the floor
])
def test_a_slow_provider_never_drops_below_ten(mmg, firetext, expected):
    assert _plan(mmg, firetext, {"mmg": SLOW, "firetext": FAST})[0] == expected


def test_nothing_moves_when_both_are_slow_or_within_the_cool_down_or_with_too_few_texts():
    assert _plan(50, 50, {"mmg": SLOW, "firetext": SLOW})[0] == {}
    assert _plan(50, 50, {"mmg": SLOW, "firetext": FAST}, since_slow_move=300)[0] == {}
    assert _plan(50, 50, {"mmg": DeliverySpeed(sent=4, slow=4), "firetext": FAST})[0] == {}


def test_after_the_cool_down_a_still_slow_provider_loses_ten_more():
    assert _plan(40, 60, {"mmg": SLOW}, since_slow_move=601)[0] == {"mmg": 30, "firetext": 70}


def test_with_no_slow_provider_priorities_drift_ten_points_per_run_back_to_an_even_split():
    changes, plan = _plan(20, 80, {"mmg": FAST, "firetext": FAST}, since_slow_move=3601)

    assert changes == {"mmg": 30, "firetext": 70}
    assert plan.changes[0].reason.startswith("drift back towards resting priorities firetext=50, mmg=50")
    assert _plan(45, 55, {}, since_slow_move=None)[0] == {"mmg": 50, "firetext": 50}
    assert _plan(50, 50, {})[0] == {}


def test_drift_waits_for_the_drift_delay_after_a_slow_delivery_move():
    assert _plan(30, 70, {}, since_slow_move=1800)[0] == {}


def test_resting_priorities_from_the_environment_are_the_drift_target():
    assert _plan(50, 50, {}, resting={"mmg": 70, "firetext": 30})[0] == {"mmg": 60, "firetext": 40}
    assert _plan(50, 50, {}, resting={"mmg": 70, "other": 30})[0] == {}


def test_anything_but_two_active_sms_providers_is_left_alone():
    plan = plan_priorities([ProviderPriority("mmg", 100)], {"mmg": SLOW}, resting={}, seconds_since_slow_move=None,
                           rules=RULES)
    assert plan.changes == [] and "exactly two" in plan.note
