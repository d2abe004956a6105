"""When a burst of provider errors moves SMS traffic away from that provider. Pure rules, no database.

After Notify (PR #4257, app/dao/provider_details_dao.py): a single 5xx used to shift traffic for
hours; Notify now reduces an SMS provider's priority only after 50 errors in a minute.

* A provider is bursting when it had at least SMS_PROVIDER_ERROR_THRESHOLD (50) errors in the last
  60 s, counted across every sender process.
* Bursting, with at least one healthy provider still taking traffic (priority > 0): move `step` (10)
  points of priority from the provider with the most errors to the healthy ones (evenly, the
  remainder to the one with the fewest errors), never taking it below 10. The SMS priorities keep
  their total, so the other provider's share rises by exactly what the failing one lost.
* Every SMS provider bursting: the problem is not one provider's; moving traffic helps nobody.
* At most one error-burst move per cool-down (SMS_PROVIDER_ERROR_COOLDOWN_SECONDS, 60 s as Notify),
  so the new split has time to show its effect before the next move.
Slow-delivery moves and the drift back to resting priorities are the scheduler's (sms_priorities.py);
they share the bounds and the reason prefixes (notify_shared.sms_priorities).
"""
from __future__ import annotations

from dataclasses import dataclass

from notify_shared.sms_priorities import ERROR_BURST_REASON_PREFIX as REASON_PREFIX
from notify_shared.sms_priorities import MIN_PRIORITY, ProviderPriority

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class BurstRules:
    threshold: int
    step: int
    cooldown_seconds: float


@dataclass(frozen=True)
class PriorityChange:
    identifier: str
    old: int
    new: int


@dataclass(frozen=True)
class BurstPlan:
    changes: list[PriorityChange]
    reason: str  # the history reason when there are changes, else why nothing moved


def bursting(errors: dict[str, int], rules: BurstRules) -> list[str]:
    return sorted(name for name, count in errors.items() if count >= rules.threshold)


def plan_error_burst_move(providers: list[ProviderPriority], errors: dict[str, int], *,
                          seconds_since_last_move: float | None, rules: BurstRules) -> BurstPlan:
    failing = [p for p in providers if errors.get(p.identifier, 0) >= rules.threshold]
    if not failing:
        return BurstPlan([], "no SMS provider reached the error threshold")
    healthy = [p for p in providers if errors.get(p.identifier, 0) < rules.threshold and p.priority > 0]
    if not healthy:
        return BurstPlan([], "every SMS provider taking traffic is failing: priorities left as they are")
    if seconds_since_last_move is not None and seconds_since_last_move < rules.cooldown_seconds:
        return BurstPlan([], f"an error-burst change was made {int(seconds_since_last_move)}s ago "
                             f"(cool-down {int(rules.cooldown_seconds)}s)")
    worst = max(failing, key=lambda p: (errors[p.identifier], p.identifier))
    moved = min(rules.step, worst.priority - MIN_PRIORITY)
    if moved <= 0:
        return BurstPlan([], f"{worst.identifier} is failing but already at the minimum priority {MIN_PRIORITY}")
    receivers = sorted(healthy, key=lambda p: (errors.get(p.identifier, 0), p.identifier))
    share, remainder = divmod(moved, len(receivers))
    changes = [PriorityChange(worst.identifier, worst.priority, worst.priority - moved)]
    for index, receiver in enumerate(receivers):
        gained = share + (1 if index < remainder else 0)
        if gained:
            changes.append(PriorityChange(receiver.identifier, receiver.priority, receiver.priority + gained))
    reason = (f"{REASON_PREFIX}: {errors[worst.identifier]} errors in {WINDOW_SECONDS}s at {worst.identifier}; "
              f"{moved} priority points moved to {', '.join(c.identifier for c in changes[1:])}")
    return BurstPlan(changes, reason)
