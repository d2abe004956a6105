"""/v2/templates: every template of the caller's service."""
from __future__ import annotations

from flask import Blueprint

templates_blueprint = Blueprint("templates", __name__, url_prefix="/templates")

from . import get_templates  # noqa: E402,F401
