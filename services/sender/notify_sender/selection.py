"""Which SMS provider to use: Notify's weighted random choice over active providers by priority.

Notify (app/delivery/send_to_providers.py, provider_to_use) picks one active provider with
`random.choices(..., weights=priority)`; international messages only go to providers that support
them. We also keep the rest of the list, in the same weighted order, to fail over within an attempt.
"""
from __future__ import annotations

import random
import threading
import time
from dataclasses import dataclass

from sqlalchemy import select

from notify_shared.db import DB_UNAVAILABLE_ERRORS, Database
from notify_shared.logging import get_logger
from notify_shared.models import ProviderDetails

log = get_logger(__name__)
# One generator for the process: a new Random() per send would re-seed from os.urandom every time.
_RANDOM = random.Random()


@dataclass(frozen=True)
class ProviderRow:
    identifier: str
    priority: int
    supports_international: bool


def provider_order(rows: list[ProviderRow], *, international: bool = False,
                   rng: random.Random | None = None) -> list[str]:
    """All eligible providers, most likely first: a weighted draw without replacement.

    Providers at priority 0 never win the draw but stay at the end as a last resort for failover.
    """
    rng = rng or _RANDOM
    remaining = [r for r in rows if r.supports_international or not international]
    order: list[str] = []
    while any(r.priority > 0 for r in remaining):
        weighted = [r for r in remaining if r.priority > 0]
        chosen = rng.choices(weighted, weights=[r.priority for r in weighted])[0]
        order.append(chosen.identifier)
        remaining.remove(chosen)
    rng.shuffle(remaining)
    return order + [r.identifier for r in remaining]


class ProviderDirectory:
    """Active providers from `provider_details`, cached briefly so every send does not query them.

    Notify caches its choice for 10 s too; priority changes by the scheduler take effect within that.
    """

    def __init__(self, db: Database, cache_seconds: float):
        self.db = db
        self.cache_seconds = cache_seconds
        self._lock = threading.Lock()
        self._loaded_at = float("-inf")
        self._rows: dict[str, list[ProviderRow]] = {}

    def invalidate(self) -> None:
        """Read the priorities again on the next send (this process just changed them)."""
        self._loaded_at = float("-inf")

    def active(self, notification_type: str) -> list[ProviderRow]:
        # Every send asks; with a hundred sends in flight a lock here would queue them all.
        if time.monotonic() - self._loaded_at > self.cache_seconds:
            self._refresh()
        return list(self._rows.get(notification_type, []))

    def _refresh(self) -> None:
        """One thread reloads; the others go on with the cached rows (or wait for the very first load)."""
        if not self._lock.acquire(blocking=not self._rows):
            return
        try:
            if time.monotonic() - self._loaded_at <= self.cache_seconds:
                return  # another thread has just reloaded
            try:
                self._rows = self._load()
                self._loaded_at = time.monotonic()
            except DB_UNAVAILABLE_ERRORS as exc:
                if not self._rows:
                    raise
                # Priorities a little out of date beat not sending at all; try again in a second.
                self._loaded_at = time.monotonic() - self.cache_seconds + 1.0
                log.warning("provider_details_unavailable_using_cached", error=type(exc).__name__)
        finally:
            self._lock.release()

    def _load(self) -> dict[str, list[ProviderRow]]:
        with self.db.session() as session:
            found = session.execute(
                select(ProviderDetails.notification_type, ProviderDetails.identifier, ProviderDetails.priority,
                       ProviderDetails.supports_international)
                .where(ProviderDetails.active.is_(True))
                .order_by(ProviderDetails.identifier)
            ).all()
        rows: dict[str, list[ProviderRow]] = {}
        for notification_type, identifier, priority, international in found:
            rows.setdefault(notification_type, []).append(ProviderRow(identifier, max(0, priority), international))
        return rows
