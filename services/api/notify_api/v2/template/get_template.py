"""GET /v2/template/{id} and GET /v2/template/{id}/version/{version}."""
from __future__ import annotations

import uuid

from flask import jsonify

from notify_shared.errors import NoResultFound

from ...auth import current_caller
from ...context import api_context
from ...schema_validation import validate
from ...templates import serialise, store
from . import template_blueprint
from .template_schemas import get_template_by_id_request


@template_blueprint.route("/<template_id>", methods=["GET"])
@template_blueprint.route("/<template_id>/version/<int:version>", methods=["GET"])
def get_template_by_id(template_id: str, version: int | None = None):
    query = {"id": template_id} if version is None else {"id": template_id, "version": version}
    validate(query, get_template_by_id_request)
    with api_context().db.session() as session:
        row = store.get_template(session, current_caller().service.id, uuid.UUID(template_id), version)
    if row is None:
        raise NoResultFound()
    return jsonify(serialise.template(row)), 200
