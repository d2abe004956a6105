"""The long-lived objects one API process shares across requests: settings, database, bus, caches."""
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
    from .api_keys import CredentialsCache
    from .notifications.publishing import PublishBreaker

EXTENSION_NAME = "notify_api"


@dataclass
class ApiContext:
    settings: ApiSettings
    db: Database
    bus: Bus
    secret_box: SecretBox
    credentials: CredentialsCache
    health: HealthChecks
    publish_breaker: PublishBreaker

    def close(self) -> None:
        self.bus.close()
        self.db.dispose()


def api_context() -> ApiContext:
    return current_app.extensions[EXTENSION_NAME]
