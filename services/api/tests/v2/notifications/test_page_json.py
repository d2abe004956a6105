"""The listing's orjson body is Flask's jsonify body byte for byte, whatever the values."""
from __future__ import annotations

import uuid
from datetime import UTC, datetime

import pytest
from flask import Flask, jsonify

from notify_api.v2.notifications.page_json import json_response

VALUES = [
    "plain", "é and ✓", "\x7f", "\x00\n\t\"\\", "\ud83d", 0.0227, 0.0454, 1.5e-05, 0.0001, 0.00009, 1e16, 123.0,
    -0.0, 2**63 - 1, 2**70, None, True, [], {}, {"nested": [1, 2.5]}, uuid.UUID(int=7),
    datetime(2026, 11, 28, 9, 0, tzinfo=UTC), "a:0.00001", "ref,1e5",
]


@pytest.fixture
def flask_app() -> Flask:
    app = Flask("page_json_test")
    app.json.sort_keys = False  # as notify_api.app sets it
    return app


@pytest.mark.parametrize("value", VALUES, ids=repr)
def test_the_body_is_what_jsonify_writes(flask_app, value):
    body = {"notifications": [{"id": "x", "value": value, "z": 1}], "links": {"current": "http://h/v2"}}

    with flask_app.app_context():
        ours = json_response(body, 200)
        flask = jsonify(**body)

    assert (ours.status_code, ours.mimetype, ours.get_data()) == (200, flask.mimetype, flask.get_data())


def test_a_debug_app_keeps_flasks_indented_body(flask_app):
    flask_app.debug = True
    body = {"notifications": [], "links": {}}

    with flask_app.app_context():
        assert json_response(body).get_data() == jsonify(**body).get_data()
