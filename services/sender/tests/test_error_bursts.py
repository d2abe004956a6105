"""The error-burst rule (Notify PR #4257): bounded moves away from a failing SMS provider."""
from __future__ import annotations

from notify_sender.error_bursts import BurstRules, ProviderPriority, plan_error_burst_move

RULES = BurstRules(threshold=50, step=10, cooldown_seconds=60)
EVEN = [ProviderPriority("firetext", 50), ProviderPriority("mmg", 50)]


def priorities(plan) -> dict[str, int]:
    return {change.identifier: change.new for change in plan.changes}


def test_fewer_errors_than_the_threshold_change_nothing():
    assert plan_error_burst_move(EVEN, {"mmg": 49}, seconds_since_last_move=None, rules=RULES).changes == []


def test_a_burst_moves_ten_points_to_the_other_provider_and_keeps_the_total():
    plan = plan_error_burst_move(EVEN, {"mmg": 57, "firetext": 3}, seconds_since_last_move=None, rules=RULES)

    assert priorities(plan) == {"mmg": 40, "firetext": 60}
    assert plan.reason == "error burst: 57 errors in 60s at mmg; 10 priority points moved to firetext"


def test_a_failing_provider_never_drops_below_ten():
    near_floor = [ProviderPriority("firetext", 85), ProviderPriority("mmg", 15)]
    at_floor = [ProviderPriority("firetext", 90), ProviderPriority("mmg", 10)]

    assert priorities(plan_error_burst_move(near_floor, {"mmg": 80}, seconds_since_last_move=None, rules=RULES)) == \
        {"mmg": 10, "firetext": 90}
    assert plan_error_burst_move(at_floor, {"mmg": 80}, seconds_since_last_move=None, rules=RULES).changes == []


def test_no_second_move_within_the_cool_down():
    assert plan_error_burst_move(EVEN, {"mmg": 80}, seconds_since_last_move=59, rules=RULES).changes == []
    assert priorities(plan_error_burst_move(EVEN, {"mmg": 80}, seconds_since_last_move=61, rules=RULES)) == \
        {"mmg": 40, "firetext": 60}


def test_when_every_provider_is_failing_nothing_moves():
    plan = plan_error_burst_move(EVEN, {"mmg": 80, "firetext": 50}, seconds_since_last_move=None, rules=RULES)

    assert plan.changes == []
    assert "every SMS provider" in plan.reason


def test_a_provider_kept_at_priority_zero_does_not_receive_traffic():
    rows = [ProviderPriority("firetext", 0), ProviderPriority("mmg", 100)]

    assert plan_error_burst_move(rows, {"mmg": 80}, seconds_since_last_move=None, rules=RULES).changes == []


def test_the_points_go_to_the_healthy_providers_evenly_the_remainder_to_the_least_failing():
    rows = [ProviderPriority("a", 40), ProviderPriority("b", 30), ProviderPriority("c", 30)]

    plan = plan_error_burst_move(rows, {"a": 60, "b": 2, "c": 1}, seconds_since_last_move=None, rules=RULES)

    assert priorities(plan) == {"a": 30, "c": 35, "b": 35}
    assert sum(priorities(plan).values()) == 100
