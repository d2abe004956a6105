"""GET /v2/openapi.json: the hand-written OpenAPI 3.1 description of the public API.

The document is a static file in the package (`notify_api/openapi.json`); a test checks it against the
routes Flask actually serves, and a schema-driven fuzz run checks the answers against it. It is public,
like Notify's documentation: no API key is needed to read it.
"""
from __future__ import annotations

from functools import cache
from importlib import resources

from flask import Blueprint, Response

openapi_blueprint = Blueprint("openapi", __name__, url_prefix="/v2")


@cache
def openapi_document() -> bytes:
    return resources.files("notify_api").joinpath("openapi.json").read_bytes()


@openapi_blueprint.route("/openapi.json", methods=["GET"])
def get_openapi_document():
    return Response(openapi_document(), status=200, mimetype="application/json")
