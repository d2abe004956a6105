"""The templates sends use, cached briefly per process.

Every POST /v2/notifications/* needs its template, and reading it cost a database round trip per request
(a third of intake's SQL). Entries live for API_TEMPLATE_CACHE_SECONDS (5 s by default): an edit or an
archive made elsewhere takes effect within that window, and at once in the process whose admin API made
it (`forget`). A notification always records the version it was rendered with, so a send in that window
is consistent: the 201's content, the row's `template_version` and what the sender renders all agree.

Templates that are not found are not cached, so a template created a moment ago is usable at once.
"""
from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from . import store


@dataclass(frozen=True)
class _Entry:
    template: store.TemplateRecord
    expires_at: float


class TemplateCache:
    """(service id, template id) -> TemplateRecord for `ttl_seconds`; 0 turns the cache off."""

    def __init__(self, ttl_seconds: float, *, max_entries: int = 10_000, clock: Callable[[], float] = time.monotonic):
        self.ttl_seconds = ttl_seconds
        self.max_entries = max_entries
        self.clock = clock
        self._entries: dict[tuple[uuid.UUID, uuid.UUID], _Entry] = {}
        self._lock = threading.Lock()

    def get(self, session: store.Executor, service_id: uuid.UUID,
            template_id: uuid.UUID) -> store.TemplateRecord | None:
        """The template from the cache, or read through `session` (no network I/O either way)."""
        if self.ttl_seconds <= 0:
            return store.get_template(session, service_id, template_id)
        key = (service_id, template_id)
        now = self.clock()
        entry = self._entries.get(key)
        if entry is not None and entry.expires_at > now:
            return entry.template
        template = store.get_template(session, service_id, template_id)
        if template is not None:
            with self._lock:
                if key not in self._entries and len(self._entries) >= self.max_entries:
                    # Oldest insertion first: bounds memory; a busy template is simply read again.
                    self._entries.pop(next(iter(self._entries)))
                self._entries[key] = _Entry(template, now + self.ttl_seconds)
        return template

    def forget(self, service_id: uuid.UUID) -> None:
        """Drop a service's templates (its admin change in this process applies at once)."""
        with self._lock:
            for key in [k for k in self._entries if k[0] == service_id]:
                del self._entries[key]
