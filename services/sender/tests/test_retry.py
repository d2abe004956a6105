"""Retry delays back off to a cap, and the budget ends retries (then technical-failure)."""
from __future__ import annotations

from datetime import UTC, datetime, timedelta

from notify_sender.retry import RetryPolicy

POLICY = RetryPolicy(base_delay_seconds=10, max_delay_seconds=300, budget_seconds=4 * 3600)


def test_delays_double_from_the_base_up_to_the_cap():
    assert [POLICY.delay_for(n) for n in range(7)] == [10, 20, 40, 80, 160, 300, 300]


def test_the_cap_never_exceeds_what_sqs_can_delay():
    assert RetryPolicy(10, 10_000, 10**6).delay_for(20) == 900


def test_a_retry_inside_the_budget_gets_a_delay():
    start = datetime(2026, 1, 1, tzinfo=UTC)

    assert POLICY.next_delay(3, start, start + timedelta(hours=1)) == 80


def test_a_retry_that_would_start_after_the_budget_is_refused():
    start = datetime(2026, 1, 1, tzinfo=UTC)

    assert POLICY.next_delay(30, start, start + timedelta(hours=3, minutes=56)) is None
