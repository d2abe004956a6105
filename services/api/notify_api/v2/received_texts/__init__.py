"""/v2/received-text-messages: the service's inbound texts, newest first, cursor-paginated."""
from __future__ import annotations

from flask import Blueprint

received_texts_blueprint = Blueprint("received_texts", __name__, url_prefix="/received-text-messages")

from . import get_received_texts  # noqa: E402,F401
