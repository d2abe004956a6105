"""The public v2 API. Every route under /v2 needs a valid API key, except the OpenAPI description."""
from __future__ import annotations

from flask import Blueprint

from ..auth import require_api_key
from .notifications import notifications_blueprint
from .openapi import openapi_blueprint
from .received_texts import received_texts_blueprint
from .template import template_blueprint
from .templates import templates_blueprint

v2_blueprint = Blueprint("v2", __name__, url_prefix="/v2")
v2_blueprint.before_request(require_api_key)
v2_blueprint.register_blueprint(notifications_blueprint)
v2_blueprint.register_blueprint(templates_blueprint)
v2_blueprint.register_blueprint(template_blueprint)
v2_blueprint.register_blueprint(received_texts_blueprint)

__all__ = ["openapi_blueprint", "v2_blueprint"]
