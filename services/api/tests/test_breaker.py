from notify_api.breaker import CooldownBreaker


class FakeClock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_the_breaker_skips_the_dependency_for_its_cooldown_after_a_failure():
    clock = FakeClock()
    breaker = CooldownBreaker(5.0, clock=clock)

    breaker.record_failure()
    clock.now += 4.9
    during = breaker.allows()
    clock.now += 0.2
    after = breaker.allows()

    assert (during, after) == (False, True)


def test_a_success_closes_the_breaker():
    breaker = CooldownBreaker(5.0, clock=FakeClock())
    breaker.record_failure()

    breaker.record_success()

    assert breaker.allows()
