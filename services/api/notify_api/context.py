"""The long-lived objects one API process shares across requests: settings, database, bus, Redis, caches."""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from flask import current_app

from notify_shared.bus import Bus
from notify_shared.crypto import SecretBox
from notify_shared.db import Database
from notify_shared.health import HealthChecks

from .config import ApiSettings

if TYPE_CHECKING:
    from notify_shared.documents.store import DocumentStore
    from notify_shared.letters.store import PdfStore

    from .api_keys import CredentialsCache
    from .breaker import CooldownBreaker
    from .limits.store import LimitStore
    from .notifications.template_cache import TemplateCache

EXTENSION_NAME = "notify_api"


@dataclass
class ApiContext:
    settings: ApiSettings
    db: Database
    bus: Bus
    secret_box: SecretBox
    credentials: CredentialsCache
    health: HealthChecks
    publish_breaker: CooldownBreaker
    # None when REDIS_ENABLED is false: no rate or daily limits are enforced.
    limits: LimitStore | None = None
    # Where the sender puts rendered letters (LETTER_PDF_DIR or LETTER_PDF_BUCKET).
    letter_pdfs: PdfStore | None = None
    # Templates that sends use, cached for API_TEMPLATE_CACHE_SECONDS; None reads them every time.
    templates: TemplateCache | None = None
    # Files sent by email (DOCUMENTS_BUCKET or DOCUMENT_STORE_DIR).
    documents: DocumentStore | None = None

    def close(self) -> None:
        self.bus.close()
        self.db.dispose()
        if self.limits is not None:
            self.limits.close()


def api_context() -> ApiContext:
    return current_app.extensions[EXTENSION_NAME]
