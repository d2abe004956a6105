"""Counting SMS provider errors across sender processes, and acting on a burst (rules in error_bursts).

The send path only bumps an in-memory counter. A background thread writes the counts once a second
(one upsert into provider_error_counts, 10-second buckets shared by every sender process) and reads
the last minute's totals back. Only when a provider is at the threshold does it open the
re-weighting transaction: it locks the SMS provider rows (in identifier order, as the scheduler
does), re-reads the totals and the last error-burst change under that lock, so two senders seeing
the same burst make one move, and writes the new priorities with a provider_details_history row
each, reason included.
"""
from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Callable

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from notify_shared.db import DB_UNAVAILABLE_ERRORS, Database
from notify_shared.logging import get_logger
from notify_shared.models import ProviderDetails, ProviderDetailsHistory
from notify_shared.sms_priorities import ProviderPriority, lock_active_sms_providers, record_priority_change
from notify_shared.statuses import SMS

from . import metrics
from .error_bursts import REASON_PREFIX, WINDOW_SECONDS, BurstPlan, BurstRules, bursting
from .error_bursts import plan_error_burst_move as plan

log = get_logger(__name__)

ADD_ERRORS = text("""
INSERT INTO provider_error_counts (provider, bucket_start, errors)
SELECT e.provider, date_bin('10 seconds', now(), TIMESTAMPTZ '2000-01-01'), e.errors
FROM unnest(CAST(:providers AS text[]), CAST(:errors AS int[])) AS e(provider, errors)
ON CONFLICT (provider, bucket_start) DO UPDATE SET errors = provider_error_counts.errors + excluded.errors
""")
# Buckets that started in the last minute: between 50 and 60 s of errors, never more than a minute's.
ERRORS_IN_WINDOW = text("""
SELECT provider, sum(errors)::int AS errors FROM provider_error_counts
WHERE bucket_start > now() - make_interval(secs => :window) GROUP BY provider
""")
PRUNE = text("DELETE FROM provider_error_counts WHERE bucket_start < now() - interval '1 hour'")
PRUNE_EVERY_FLUSHES = 300
# After a re-weighting attempt that moved nothing for another reason than the cool-down (every provider
# failing, already at the minimum), wait this long before locking the provider rows again.
RECHECK_SECONDS = 10.0


class ProviderErrorMonitor:
    def __init__(self, db: Database, rules: BurstRules, *, flush_seconds: float = 1.0,
                 on_change: Callable[[], None] = lambda: None):
        self.db = db
        self.rules = rules
        self.flush_seconds = flush_seconds
        self.on_change = on_change
        self._lock = threading.Lock()
        self._pending: Counter[str] = Counter()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._flushes = 0
        # No point locking the provider rows again before the cool-down ends (the database decides anyway).
        self._quiet_until = 0.0

    def record_error(self, provider: str) -> None:
        """Called on the send path: no I/O."""
        with self._lock:
            self._pending[provider] += 1

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="provider-errors", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(10)
        self._flush_quietly()  # counts from the last second still matter to the other senders

    def _run(self) -> None:
        while not self._stop.wait(self.flush_seconds):
            self._flush_quietly()

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except DB_UNAVAILABLE_ERRORS as exc:
            log.warning("provider_errors_not_written", error=type(exc).__name__)
        except Exception:  # noqa: BLE001 - counting must never stop the sender
            log.exception("provider_errors_flush_failed")

    def flush(self) -> BurstPlan | None:
        """Write the pending counts; re-weight if a provider is at the threshold. Returns the plan, if any."""
        with self._lock:
            pending, self._pending = self._pending, Counter()
        if not pending:
            return None
        try:
            with self.db.session() as session:
                session.execute(ADD_ERRORS, {"providers": list(pending), "errors": list(pending.values())})
                totals = errors_in_window(session)
                self._flushes += 1
                if self._flushes % PRUNE_EVERY_FLUSHES == 0:
                    session.execute(PRUNE)
        except BaseException:
            with self._lock:
                self._pending.update(pending)  # try again with the next flush
            raise
        if not bursting(totals, self.rules) or time.monotonic() < self._quiet_until:
            return None
        return self.reweight()

    def reweight(self) -> BurstPlan:
        with self.db.session() as session:
            rows = lock_active_sms_providers(session)
            totals = errors_in_window(session)
            since = seconds_since_last_error_move(session)
            decided = plan([ProviderPriority(r.identifier, r.priority) for r in rows.values()], totals,
                           seconds_since_last_move=since, rules=self.rules)
            for change in decided.changes:
                record_priority_change(session, rows[change.identifier], change.new, decided.reason)
        if decided.changes:
            quiet = self.rules.cooldown_seconds
        elif since is not None and since < self.rules.cooldown_seconds:
            quiet = self.rules.cooldown_seconds - since
        else:
            quiet = RECHECK_SECONDS
        self._quiet_until = time.monotonic() + quiet
        if decided.changes:
            metrics.PRIORITY_CHANGES.labels("error_burst").inc()
            log.warning("sms_provider_priorities_changed", reason=decided.reason,
                        priorities={c.identifier: f"{c.old}->{c.new}" for c in decided.changes})
            self.on_change()
        else:
            log.info("sms_provider_error_burst_no_change", reason=decided.reason, errors=totals)
        return decided


def errors_in_window(session: Session) -> dict[str, int]:
    return {row.provider: row.errors for row in session.execute(ERRORS_IN_WINDOW, {"window": WINDOW_SECONDS})}


def seconds_since_last_error_move(session: Session) -> float | None:
    last = session.scalar(
        select(func.extract("epoch", func.now() - func.max(ProviderDetailsHistory.created_at)))
        .join(ProviderDetails, ProviderDetails.id == ProviderDetailsHistory.provider_id)
        .where(ProviderDetails.notification_type == SMS, ProviderDetailsHistory.reason.startswith(REASON_PREFIX))
    )
    return float(last) if last is not None else None
