from notify_api.notifications.publishing import PublishBreaker, queue_for
from notify_shared import queues


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_each_type_has_its_own_send_queue_and_test_keys_go_to_research_mode():
    assert queue_for("sms", "normal") == queues.SEND_SMS
    assert queue_for("email", "team") == queues.SEND_EMAIL
    assert queue_for("letter", "normal") == queues.SEND_LETTER
    assert {queue_for(t, "test") for t in ("sms", "email", "letter")} == {queues.RESEARCH_MODE}


def test_the_breaker_skips_publishing_for_its_cooldown_after_a_failure():
    clock = FakeClock()
    breaker = PublishBreaker(5.0, clock=clock)

    breaker.record_failure()
    clock.now += 4.9
    during = breaker.allows_publish()
    clock.now += 0.2
    after = breaker.allows_publish()

    assert (during, after) == (False, True)


def test_a_successful_publish_closes_the_breaker():
    breaker = PublishBreaker(5.0, clock=FakeClock())
    breaker.record_failure()

    breaker.record_success()

    assert breaker.allows_publish()
