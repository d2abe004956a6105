"""/v2/notifications: send, read one, list."""
from __future__ import annotations

from flask import Blueprint

notifications_blueprint = Blueprint("notifications", __name__, url_prefix="/notifications")

# The route modules attach their views to the blueprint above.
from . import get_notifications, post_notifications  # noqa: E402,F401
