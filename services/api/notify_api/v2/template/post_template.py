"""POST /v2/template/{id}/preview."""
from __future__ import annotations

import uuid

from flask import jsonify, request

from notify_shared.errors import NoResultFound

from ...auth import current_caller
from ...context import api_context
from ...schema_validation import validate
from ...templates import preview, store
from ..request_body import get_valid_json
from . import template_blueprint
from .template_schemas import post_template_preview_request


@template_blueprint.route("/<template_id>/preview", methods=["POST"])
def post_template_preview(template_id: str):
    # An empty body is fine: Notify's client sends none for templates without placeholders.
    data = get_valid_json() if request.get_data() else {}
    if isinstance(data, dict):
        data = {**data, "id": template_id}
    form = validate(data, post_template_preview_request)
    with api_context().db.session() as session:
        row = store.get_template(session, current_caller().service.id, uuid.UUID(template_id))
    if row is None:
        raise NoResultFound()
    return jsonify(preview.preview(row, form.get("personalisation") or {})), 200
