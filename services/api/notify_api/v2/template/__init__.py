"""/v2/template/{id}: one template, one of its versions, or a preview."""
from __future__ import annotations

from flask import Blueprint

template_blueprint = Blueprint("template", __name__, url_prefix="/template")

from . import get_template, post_template  # noqa: E402,F401
