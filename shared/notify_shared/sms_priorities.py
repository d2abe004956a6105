"""SMS provider priorities as both re-weighting rules see them: the sender's error bursts and the
scheduler's slow delivery and drift back (Notify: app/dao/provider_details_dao.py).

The bounds, the reason prefixes that tell the moves apart in provider_details_history, and the one way
a priority change is written (row updated, history row with its reason, in the caller's transaction).
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, insert, select, update
from sqlalchemy.orm import Session

from .models import ProviderDetails, ProviderDetailsHistory
from .statuses import SMS

MIN_PRIORITY = 10
ERROR_BURST_REASON_PREFIX = "error burst"
SLOW_REASON_PREFIX = "slow delivery"


@dataclass(frozen=True)
class ProviderPriority:
    identifier: str
    priority: int


def lock_active_sms_providers(session: Session) -> dict[str, ProviderDetails]:
    """The active SMS provider rows by identifier, locked until the transaction ends, so two re-weightings
    (sender processes, the scheduler) never decide from the same priorities."""
    rows = session.scalars(
        select(ProviderDetails)
        .where(ProviderDetails.notification_type == SMS, ProviderDetails.active.is_(True))
        .order_by(ProviderDetails.identifier).with_for_update())
    return {row.identifier: row for row in rows}


def record_priority_change(session: Session, provider: ProviderDetails, priority: int, reason: str) -> None:
    session.execute(update(ProviderDetails).where(ProviderDetails.id == provider.id)
                    .values(priority=priority, updated_at=func.now()))
    session.execute(insert(ProviderDetailsHistory).values(
        provider_id=provider.id, priority=priority, active=provider.active, reason=reason, created_at=func.now()))
