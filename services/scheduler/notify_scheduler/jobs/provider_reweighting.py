"""Re-weight SMS providers on slow delivery and drift back to resting priorities (rules in sms_priorities).

Speeds are read from notifications in one short transaction; the decision and the writes happen in a
second one that locks the SMS provider rows, so an operator changing priorities at the same moment is
either seen or waits. Every change is written to provider_details_history with its reason; senders
pick the new priorities up within their provider cache time (10 s).
"""
from __future__ import annotations

from sqlalchemy import func, or_, select, text
from sqlalchemy.orm import Session

from notify_shared.logging import get_logger
from notify_shared.models import ProviderDetails, ProviderDetailsHistory
from notify_shared.sms_priorities import (
    ERROR_BURST_REASON_PREFIX,
    SLOW_REASON_PREFIX,
    ProviderPriority,
    lock_active_sms_providers,
    record_priority_change,
)
from notify_shared.statuses import SMS

from ..config import SchedulerConfig
from .context import JobContext
from .sms_priorities import DeliverySpeed, Rules, plan_priorities

log = get_logger(__name__)

# Texts handed to each provider in the window, and how many of them were slow: delivered only after
# `after`, or still undelivered `after` past their hand-over. Failures and test keys are left out, as
# Notify leaves them out; `sent` (international, no receipts) too. Served by ix_notifications_sms_sent_by_sent_at.
DELIVERY_SPEEDS = text("""
SELECT sent_by,
       count(*) AS sent,
       count(*) FILTER (WHERE CASE WHEN status = 'delivered'
                                   THEN coalesce(completed_at, updated_at) - sent_at
                                   ELSE now() - sent_at END >= make_interval(secs => :after)) AS slow
FROM notifications
WHERE notification_type = 'sms' AND sent_at IS NOT NULL AND sent_by = ANY(:providers)
  AND sent_at >= now() - make_interval(secs => :window)
  AND status IN ('sending', 'pending', 'delivered') AND key_type <> 'test'
GROUP BY sent_by
""")


def rules_from(config: SchedulerConfig) -> Rules:
    return Rules(threshold=config.sms_slow_threshold, min_notifications=config.sms_slow_min_notifications,
                 step=config.sms_priority_step, cooldown_seconds=config.sms_slow_cooldown_seconds,
                 drift_delay_seconds=config.sms_drift_delay_seconds, window_seconds=config.sms_slow_window_seconds,
                 slow_after_seconds=config.sms_slow_after_seconds)


def delivery_speeds(session: Session, providers: list[str], *, window_seconds: int,
                    after_seconds: int) -> dict[str, DeliverySpeed]:
    rows = session.execute(DELIVERY_SPEEDS, {"providers": providers, "window": window_seconds,
                                             "after": after_seconds})
    return {row.sent_by: DeliverySpeed(row.sent, row.slow) for row in rows}


def seconds_since_last_move_away(session: Session) -> float | None:
    # The sender's error-burst moves are moves away too: drift back waits for both.
    last = session.scalar(
        select(func.extract("epoch", func.now() - func.max(ProviderDetailsHistory.created_at)))
        .join(ProviderDetails, ProviderDetails.id == ProviderDetailsHistory.provider_id)
        .where(ProviderDetails.notification_type == SMS,
               or_(ProviderDetailsHistory.reason.startswith(SLOW_REASON_PREFIX),
                   ProviderDetailsHistory.reason.startswith(ERROR_BURST_REASON_PREFIX)))
    )
    return float(last) if last is not None else None


def reweight_sms_providers(ctx: JobContext) -> None:
    cfg = ctx.config
    with ctx.db.session() as session:
        identifiers = list(session.scalars(
            select(ProviderDetails.identifier).where(ProviderDetails.notification_type == SMS,
                                                     ProviderDetails.active.is_(True))))
        speeds = delivery_speeds(session, identifiers, window_seconds=cfg.sms_slow_window_seconds,
                                 after_seconds=cfg.sms_slow_after_seconds)
    with ctx.db.session() as session:
        rows = lock_active_sms_providers(session)
        plan = plan_priorities([ProviderPriority(r.identifier, r.priority) for r in rows.values()], speeds,
                               resting=cfg.sms_resting_priorities,
                               seconds_since_slow_move=seconds_since_last_move_away(session), rules=rules_from(cfg))
        for change in plan.changes:
            record_priority_change(session, rows[change.identifier], change.new, change.reason)
    ctx.count(len(plan.changes))
    speeds_logged = {name: f"{speed.slow}/{speed.sent}" for name, speed in speeds.items()}
    if plan.changes:
        log.warning("sms_provider_priorities_changed", reason=plan.note, speeds=speeds_logged,
                    priorities={c.identifier: f"{c.old}->{c.new}" for c in plan.changes})
    else:
        log.info("sms_provider_priorities_unchanged", reason=plan.note, speeds=speeds_logged)
