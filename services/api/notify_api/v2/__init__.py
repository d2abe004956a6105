"""The public v2 API. Every route under /v2 needs a valid API key."""
from __future__ import annotations

from flask import Blueprint

from ..auth import require_api_key
from .notifications import notifications_blueprint

v2_blueprint = Blueprint("v2", __name__, url_prefix="/v2")
v2_blueprint.before_request(require_api_key)
v2_blueprint.register_blueprint(notifications_blueprint)
