"""How SMS traffic is re-balanced between the two SMS providers. Pure rules, no database.

After Notify (app/dao/provider_details_dao.py, dao_reduce_sms_provider_priority and
dao_adjust_provider_priority_back_to_resting_points):

* A provider is slow when at least SMS_SLOW_DELIVERY_THRESHOLD of the texts it was handed in the last
  window (10 min) took longer than SMS_SLOW_DELIVERY_AFTER_SECONDS (5 min) to be delivered, or are
  still undelivered that long after.
* Exactly one slow provider: move `step` (10) points of priority from it to the other one, never
  taking it below 10 or the other above 90, and the two always summing to 100. At most one such
  move per cool-down (10 min), so a provider has time to show the effect before losing more.
* Both slow: the problem is not the provider's (or both are bad); moving traffic helps nobody.
* Nobody slow, and the last slow-delivery move is older than the drift delay (1 h): step back
  towards the resting priorities (50/50 unless SMS_PROVIDER_RESTING_PRIORITIES says otherwise),
  `step` points per run.
"""
from __future__ import annotations

from dataclasses import dataclass

from notify_shared.sms_priorities import MIN_PRIORITY, SLOW_REASON_PREFIX, ProviderPriority

MAX_PRIORITY = 90
TOTAL_PRIORITY = 100
DRIFT_REASON_PREFIX = "drift back"


@dataclass(frozen=True)
class DeliverySpeed:
    """What a provider was handed in the window, and how many of those were slow."""

    sent: int
    slow: int

    @property
    def slow_share(self) -> float:
        return self.slow / self.sent if self.sent else 0.0


@dataclass(frozen=True)
class Rules:
    threshold: float
    min_notifications: int
    step: int
    cooldown_seconds: float
    drift_delay_seconds: float
    window_seconds: int
    slow_after_seconds: int


@dataclass(frozen=True)
class PriorityChange:
    identifier: str
    old: int
    new: int
    reason: str


@dataclass(frozen=True)
class Plan:
    changes: list[PriorityChange]
    note: str  # why nothing changed, or what did, for the job's log line


def is_slow(speed: DeliverySpeed | None, rules: Rules) -> bool:
    return speed is not None and speed.sent >= rules.min_notifications and speed.slow_share >= rules.threshold


def resting_priorities(identifiers: list[str], configured: dict[str, int]) -> dict[str, int] | None:
    """The configured resting points for these two providers, an even split when none are set,
    or None when the configuration names other providers."""
    if not configured:
        return {identifier: TOTAL_PRIORITY // len(identifiers) for identifier in identifiers}
    if set(configured) != set(identifiers):
        return None
    return dict(configured)


def _bounded(priority: int) -> int:
    return max(MIN_PRIORITY, min(MAX_PRIORITY, priority))


def _changes(providers: list[ProviderPriority], first_new: int, reason: str) -> list[PriorityChange]:
    """Set the first provider to `first_new` and the second to the rest of 100; only real changes."""
    first, second = providers
    targets = {first.identifier: first_new, second.identifier: TOTAL_PRIORITY - first_new}
    return [PriorityChange(p.identifier, p.priority, targets[p.identifier], reason)
            for p in providers if targets[p.identifier] != p.priority]


def plan_priorities(providers: list[ProviderPriority], speeds: dict[str, DeliverySpeed], *,
                    resting: dict[str, int], seconds_since_slow_move: float | None, rules: Rules) -> Plan:
    if len(providers) != 2:
        return Plan([], f"re-weighting needs exactly two active SMS providers, found {len(providers)}")
    providers = sorted(providers, key=lambda p: p.identifier)
    slow = [p for p in providers if is_slow(speeds.get(p.identifier), rules)]
    if len(slow) == 2:
        return Plan([], "both SMS providers are slow: priorities left as they are")
    recently_moved = seconds_since_slow_move is not None
    if len(slow) == 1:
        if recently_moved and seconds_since_slow_move < rules.cooldown_seconds:
            return Plan([], f"{slow[0].identifier} is slow but a slow-delivery change was made "
                            f"{int(seconds_since_slow_move)}s ago (cool-down {int(rules.cooldown_seconds)}s)")
        slowest = slow[0]
        if slowest.priority <= MIN_PRIORITY:
            return Plan([], f"{slowest.identifier} is slow but already at the minimum priority")
        speed = speeds[slowest.identifier]
        slow_new = _bounded(slowest.priority - rules.step)
        first_new = slow_new if slowest is providers[0] else TOTAL_PRIORITY - slow_new
        other = next(p for p in providers if p is not slowest)
        reason = (f"{SLOW_REASON_PREFIX}: {slowest.identifier} had {speed.slow} of {speed.sent} texts sent in the "
                  f"last {rules.window_seconds}s ({speed.slow_share:.0%}) undelivered after "
                  f"{rules.slow_after_seconds}s; priority moved from {slowest.identifier} to {other.identifier}")
        changes = _changes(providers, first_new, reason)
        return Plan(changes, reason)
    if recently_moved and seconds_since_slow_move < rules.drift_delay_seconds:
        return Plan([], f"no provider is slow; drifting back once the last slow-delivery change is "
                        f"{int(rules.drift_delay_seconds)}s old (now {int(seconds_since_slow_move)}s)")
    rest = resting_priorities([p.identifier for p in providers], resting)
    if rest is None:
        return Plan([], "SMS_PROVIDER_RESTING_PRIORITIES does not name the active SMS providers: no drift")
    return _drift(providers, rest, rules)


def _drift(providers: list[ProviderPriority], resting: dict[str, int], rules: Rules) -> Plan:
    first = providers[0]
    target = _bounded(resting[first.identifier])
    gap = target - first.priority
    step = max(-rules.step, min(rules.step, gap))
    reason = (f"{DRIFT_REASON_PREFIX} towards resting priorities "
              + ", ".join(f"{identifier}={resting[identifier]}" for identifier in sorted(resting)))
    changes = _changes(providers, _bounded(first.priority + step), reason)
    return Plan(changes, reason if changes else "priorities are at their resting points")
