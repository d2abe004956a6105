"""Malformed input of every kind gets a 4xx in Notify's error envelope, never a 5xx (real API process)."""
from __future__ import annotations

import json
import random
import uuid

import pytest
import requests

SMS = "/v2/notifications/sms"
EMAIL = "/v2/notifications/email"
LETTER = "/v2/notifications/letter"


@pytest.fixture
def post(shared_api, sample_service, tokens):
    def send(path: str, body: bytes | str | dict, **headers: str) -> requests.Response:
        data = json.dumps(body) if isinstance(body, dict) else body
        return requests.post(f"{shared_api}{path}", data=data, timeout=30,
                             headers={**tokens.bearer(sample_service.api_key), **headers})

    return send


@pytest.fixture
def get(shared_api, sample_service, tokens):
    def fetch(path: str, **params) -> requests.Response:
        return requests.get(f"{shared_api}{path}", params=params, timeout=10,
                            headers=tokens.bearer(sample_service.api_key))

    return fetch


@pytest.fixture
def sms(sample_service) -> dict:
    return {"phone_number": "07700900456", "template_id": str(sample_service.sms_template_id),
            "personalisation": {"name": "Ada", "code": "1"}}


def envelope(response: requests.Response) -> tuple[int, list[dict]]:
    body = response.json()
    assert set(body) == {"status_code", "errors"} and body["status_code"] == response.status_code
    return response.status_code, body["errors"]


def test_a_body_over_the_limit_is_413(post, sms):
    body = {**sms, "personalisation": {"name": "x" * (10 * 1024 * 1024), "code": "1"}}

    assert envelope(post(SMS, body)) == (413, [{
        "error": "RequestEntityTooLarge", "message": "Request body is larger than the limit of 10485760 bytes"}])


@pytest.mark.parametrize("raw", [b'{"phone_number": "\xff\xfe"}', "{\"name\": \"Ad\u00e9\"}".encode("latin-1"),
                                 b"\x00\x01\x02", b"{", b'{"a": 1,}', b"[" * 100_000 + b"]" * 100_000])
def test_bodies_that_are_not_utf8_json_are_invalid_json(post, raw):
    for path in (SMS, EMAIL, LETTER):
        assert envelope(post(path, raw)) == (400, [{"error": "BadRequestError",
                                                    "message": "Invalid JSON supplied in POST data"}])


def test_nul_characters_and_lone_surrogates_are_refused(post, sms):
    nul = post(SMS, {**sms, "reference": "a\u0000b"})
    # json.dumps writes the lone surrogate as the escape `\ud800`, as a client would send it.
    surrogate = post(SMS, json.dumps({**sms, "reference": "\ud800"}))
    in_personalisation = post(EMAIL, {"email_address": "ada@example.com", "template_id": sms["template_id"],
                                      "personalisation": {"name": "\u0000"}})

    assert envelope(nul) == (400, [{"error": "ValidationError",
                                    "message": "Request body must not contain NUL characters"}])
    assert envelope(surrogate) == (400, [{"error": "BadRequestError",
                                          "message": "Invalid JSON supplied in POST data"}])
    assert envelope(in_personalisation)[0] == 400


def test_a_reference_of_1000_characters_that_needs_more_than_2000_bytes_is_too_long(post, sms):
    emoji = "\U0001F600" * 1000
    accented = "\u00e9" * 1000

    assert envelope(post(SMS, {**sms, "reference": emoji})) == (
        400, [{"error": "ValidationError", "message": f"reference {emoji} is too long"}])
    assert post(SMS, {**sms, "reference": accented}).status_code == 201


def test_huge_personalisation_is_refused_for_length_not_by_a_crash(post, sms, sample_service):
    text = post(SMS, {**sms, "personalisation": {"name": "x" * 100_000, "code": "1"}})
    email = post(EMAIL, {"email_address": "ada@example.com", "template_id": str(sample_service.email_template_id),
                         "personalisation": {"name": "é" * 1_100_000}})
    many_keys = post(SMS, {**sms, "personalisation": {f"k{n}": n for n in range(50_000)} | sms["personalisation"]})

    assert envelope(text) == (400, [{"error": "BadRequestError", "message": (
        "Your message is too long. Text messages cannot be longer than 918 characters. "
        "Your message is 100027 characters long.")}])
    assert envelope(email)[1][0]["message"].startswith("Your message is too long. Emails cannot be longer than")
    assert many_keys.status_code == 201


@pytest.mark.parametrize("path", [
    "/v2/notifications/{}", "/v2/notifications/{}/pdf", "/v2/template/{}", "/v2/template/{}/version/1",
])
@pytest.mark.parametrize("bad_id", ["not-a-uuid", "1234", "%00", "' OR 1=1 --", "\u00e9\u00e9"])
def test_invalid_uuids_in_paths_are_validation_errors(get, path, bad_id):
    status, errors = envelope(get(path.format(bad_id)))

    assert status == 400
    assert errors[0]["error"] == "ValidationError"
    assert errors[0]["message"].endswith("is not a valid UUID")


def test_an_invalid_uuid_in_the_preview_path_is_a_validation_error(post):
    assert envelope(post("/v2/template/nope/preview", {})) == (
        400, [{"error": "ValidationError", "message": "id is not a valid UUID"}])


@pytest.mark.parametrize("path", ["/v2/notifications", "/v2/received-text-messages"])
@pytest.mark.parametrize("cursor", ["yesterday", "%00", str(uuid.uuid4())[:-1], "1" * 1000])
def test_invalid_cursors_are_validation_errors(get, path, cursor):
    assert envelope(get(path, older_than=cursor)) == (
        400, [{"error": "ValidationError", "message": "older_than is not a valid UUID"}])


def test_unknown_query_parameters_and_bad_filter_values_are_validation_errors(get):
    assert envelope(get("/v2/notifications", colour="blue"))[1] == [{
        "error": "ValidationError", "message": "Additional properties are not allowed (colour was unexpected)"}]
    assert envelope(get("/v2/notifications", include_jobs="yes"))[0] == 400
    assert envelope(get("/v2/notifications", template_type="fax"))[0] == 400
    assert envelope(get("/v2/notifications", reference="a\u0000b"))[1] == [{
        "error": "ValidationError", "message": "reference must not contain NUL characters"}]
    assert envelope(get("/v2/templates", type="fax"))[0] == 400
    assert envelope(get("/v2/received-text-messages", page="2"))[0] == 400


WRONG_TYPES = [None, True, 0, 1.5, "text", [], ["a"], {}, {"a": 1}]


@pytest.mark.parametrize("path,field", [
    (SMS, "phone_number"), (SMS, "template_id"), (SMS, "personalisation"), (SMS, "reference"),
    (SMS, "sms_sender_id"), (SMS, "scheduled_for"), (EMAIL, "email_address"), (EMAIL, "email_reply_to_id"),
    (EMAIL, "one_click_unsubscribe_url"), (EMAIL, "sanitise_content_for"), (LETTER, "personalisation"),
])
def test_wrong_types_in_every_field_are_validation_errors(post, sample_service, path, field):
    valid = {SMS: {"phone_number": "07700900456", "template_id": str(sample_service.sms_template_id),
                   "personalisation": {"name": "Ada", "code": "1"}},
             EMAIL: {"email_address": "ada@example.com", "template_id": str(sample_service.email_template_id),
                     "personalisation": {"name": "Ada"}},
             LETTER: {"template_id": str(sample_service.letter_template_id), "personalisation": {"name": "A"}}}[path]
    allowed = {"reference": (None, "text"), "scheduled_for": (None,), "personalisation": ({}, {"a": 1}),
               "sanitise_content_for": ([], ["a"])}.get(field, ())

    for value in WRONG_TYPES:
        if any(value == ok and type(value) is type(ok) for ok in allowed):
            continue
        status, errors = envelope(post(path, {**valid, field: value}))
        assert (status, errors[0]["error"]) == (400, "ValidationError"), (field, value, errors)
        assert errors[0]["message"].startswith(field), (field, value, errors)


def test_the_preview_body_and_personalisation_must_be_objects(post, sample_service):
    path = f"/v2/template/{sample_service.sms_template_id}/preview"

    assert envelope(post(path, "[1, 2]"))[1] == [{"error": "ValidationError",
                                                  "message": "[1, 2] is not of type object"}]
    assert envelope(post(path, {"personalisation": [1]}))[1] == [{
        "error": "ValidationError", "message": "personalisation should contain key value pairs"}]


def test_random_bytes_never_cause_a_server_error(post, get):
    generator = random.Random(20261128)
    for _ in range(30):
        noise = bytes(generator.randrange(256) for _ in range(generator.randrange(1, 300)))
        for path in (SMS, EMAIL, LETTER):
            assert post(path, noise).status_code == 400
        assert get("/v2/notifications", reference=noise.decode("latin-1")).status_code in (200, 400)


def test_a_template_version_beyond_any_stored_number_is_a_validation_error(get, sample_service):
    status, errors = envelope(get(f"/v2/template/{sample_service.sms_template_id}/version/99999999999"))

    assert (status, errors) == (400, [{"error": "ValidationError",
                                       "message": "version 99999999999 is greater than the maximum of 2147483647"}])
