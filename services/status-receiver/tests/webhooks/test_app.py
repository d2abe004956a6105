import base64
from dataclasses import replace

from notify_shared.bus import Bus
from notify_shared.config import Settings
from notify_status_receiver.app import create_app


def test_a_receipt_that_cannot_be_queued_is_answered_503_so_the_provider_retries(settings, receiver_config):
    dead = Settings(**{**settings.__dict__, "broker_url": "sqs://notify:notify@127.0.0.1:1",
                       "bus_publish_timeout_seconds": 1.0})
    client = create_app(dead, bus=Bus(dead), config=receiver_config).test_client()

    response = client.post("/notifications/sms/firetext", data={"status": "0", "reference": "abc"})

    assert response.status_code == 503
    assert response.headers["Retry-After"] == "5"
    assert response.get_json()["errors"][0]["error"] == "ServiceUnavailableError"


def basic(credentials: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(credentials.encode()).decode()}


def test_with_sms_receipt_credentials_set_only_a_receipt_carrying_them_is_accepted(settings, bus, receiver_config):
    config = replace(receiver_config, sms_receipt_basic_auth=("old:rotated", "mmg:s3cret"))
    client = create_app(settings, bus=bus, config=config).test_client()
    receipt = {"status": "3", "CID": "abc"}

    assert client.post("/notifications/sms/mmg", json=receipt).status_code == 401
    assert client.post("/notifications/sms/mmg", json=receipt, headers=basic("mmg:wrong")).status_code == 403
    assert bus.published == 0
    assert client.post("/notifications/sms/mmg", json=receipt, headers=basic("mmg:s3cret")).status_code == 200
    assert bus.published == 1


def test_unknown_paths_and_methods_answer_in_notifys_error_envelope(client):
    missing = client.get("/nope")
    wrong_method = client.get("/notifications/sms/mmg")

    assert missing.status_code == 404
    assert missing.get_json()["errors"][0]["error"] == "NotFound"
    assert wrong_method.status_code == 405
    assert wrong_method.get_json()["status_code"] == 405


def test_an_oversized_body_is_refused_before_it_is_read(settings, bus, receiver_config):
    client = create_app(settings, bus=bus, config=replace(receiver_config, max_request_bytes=1024)).test_client()

    response = client.post("/notifications/sms/mmg", data="x" * 4096, content_type="application/json")

    assert response.status_code == 413
