"""The OpenAPI description is served, is valid OpenAPI 3.1, and lists exactly the routes Flask serves."""
from __future__ import annotations

import json
import re

import requests
from openapi_spec_validator import validate as validate_openapi

from notify_api.v2.openapi import openapi_document

IGNORED_METHODS = {"HEAD", "OPTIONS"}


def public_routes(app) -> set[tuple[str, str]]:
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/v2/"):
            continue
        # Flask's <converter:name> is OpenAPI's {name}.
        path = re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", r"{\1}", rule.rule)
        routes.update((method, path) for method in rule.methods - IGNORED_METHODS)
    return routes


def documented_routes(document: dict) -> set[tuple[str, str]]:
    return {(method.upper(), path) for path, item in document["paths"].items() for method in item
            if method in {"get", "post", "put", "patch", "delete"}}


def test_the_document_is_valid_openapi_3_1():
    document = json.loads(openapi_document())

    validate_openapi(document)

    assert document["openapi"].startswith("3.1")


def test_every_route_is_documented_and_every_documented_route_exists(app):
    assert documented_routes(json.loads(openapi_document())) == public_routes(app)


def test_it_is_served_without_an_api_key(shared_api):
    response = requests.get(f"{shared_api}/v2/openapi.json", timeout=5)

    assert (response.status_code, response.headers["Content-Type"]) == (200, "application/json")
    assert response.json() == json.loads(openapi_document())
