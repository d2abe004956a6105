"""GET /v2/templates?type=: the service's templates (archived ones left out), by name."""
from __future__ import annotations

from flask import jsonify, request

from ...auth import current_caller
from ...context import api_context
from ...schema_validation import validate
from ...templates import serialise, store
from . import templates_blueprint
from .templates_schemas import get_all_templates_request


@templates_blueprint.route("", methods=["GET"])
def get_templates():
    # Only the first value of a repeated parameter counts, as in Notify (request.args.to_dict()).
    query = validate(request.args.to_dict(), get_all_templates_request)
    with api_context().db.session() as session:
        rows = store.list_templates(session, current_caller().service.id, query.get("type"))
    return jsonify(templates=[serialise.template(row) for row in rows]), 200
