"""The admin API (/admin/...): services, keys, templates, senders, callbacks, guest list, team, inbound numbers.

Domain modules (services.py, api_keys.py, templates.py, senders.py, callbacks.py, guest_list.py,
team_members.py, inbound_numbers.py) hold a session and never talk to the network; views.py is the HTTP
face and notify_api.cli the terminal face of the same operations. See docs/admin.md.
"""
from __future__ import annotations

from typing import TYPE_CHECKING

from notify_shared.logging import get_logger

from .config import AdminSettings

if TYPE_CHECKING:
    from flask import Flask

log = get_logger(__name__)


def register_admin_api(app: Flask, settings: AdminSettings | None = None) -> None:
    """Mount /admin unless ADMIN_API_ENABLED=false: then the routes do not exist at all (404)."""
    # Imported here so that the CLI, which shares the domain modules, does not load Flask and the bus.
    from .views import EXTENSION_NAME, admin_blueprint

    settings = (settings or AdminSettings.from_env()).validate()
    if not settings.enabled:
        log.info("admin_api_disabled")
        return
    if not settings.client_secrets:
        log.warning("admin_api_without_secret", hint="set ADMIN_CLIENT_SECRET; every admin request is refused")
    app.extensions[EXTENSION_NAME] = settings
    app.register_blueprint(admin_blueprint)
    log.info("admin_api_enabled", admin=settings.redacted())
