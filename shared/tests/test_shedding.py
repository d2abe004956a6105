"""The load shedder's bulkheads, called as WSGI (the HTTP behaviour is in test_gunicorn_worker.py)."""
from __future__ import annotations

import json

import pytest

from notify_shared.shedding import Bulkhead, LoadShedder


class Recorder:
    def __init__(self):
        self.status = None
        self.headers = {}

    def __call__(self, status, headers):
        self.status = status
        self.headers = dict(headers)


def app(environ, start_response):
    if environ["PATH_INFO"] == "/explode":
        raise RuntimeError("boom")
    start_response("200 OK", [("Content-Type", "text/plain")])
    return [b"ok"]


def call(shedder: LoadShedder, path: str = "/v2/notifications/sms", method: str = "POST"):
    recorder = Recorder()
    body = shedder({"PATH_INFO": path, "REQUEST_METHOD": method}, recorder)
    return recorder, body


def slow(environ) -> bool:
    return environ["REQUEST_METHOD"] == "GET" and environ["PATH_INFO"] == "/v2/notifications"


def test_a_request_past_the_limit_gets_notifys_503_envelope_with_retry_after():
    shedder = LoadShedder(app, max_in_flight=1, retry_after_seconds=2)
    _, first = call(shedder)

    recorder, shed = call(shedder)

    assert recorder.status == "503 Service Unavailable"
    assert recorder.headers["Retry-After"] == "2"
    assert json.loads(b"".join(shed)) == {"status_code": 503, "errors": [
        {"error": "ServiceUnavailableError", "message": "Service temporarily unavailable, try again later"}]}
    first.close()
    assert call(shedder)[0].status == "200 OK"


def test_places_are_held_until_the_server_closes_the_response():
    shedder = LoadShedder(app, max_in_flight=2)
    _, body = call(shedder)
    assert shedder.all.in_flight == 1
    assert list(body) == [b"ok"]
    assert shedder.all.in_flight == 1, "iterating is not finishing: the server closes the response"
    body.close()
    assert shedder.all.in_flight == 0


def test_an_app_that_raises_gives_its_place_back():
    shedder = LoadShedder(app, max_in_flight=1)
    with pytest.raises(RuntimeError):
        call(shedder, "/explode")
    assert shedder.all.in_flight == 0


def test_slow_reads_fill_only_their_own_bulkhead():
    shedder = LoadShedder(app, max_in_flight=3, max_slow_reads=1, is_slow_read=slow)
    _, listing = call(shedder, "/v2/notifications", "GET")

    second_listing, _ = call(shedder, "/v2/notifications", "GET")
    intake, _ = call(shedder)

    assert second_listing.status.startswith("503")
    assert intake.status == "200 OK"
    assert (shedder.all.in_flight, shedder.slow.in_flight) == (2, 1)
    listing.close()
    assert shedder.slow.in_flight == 0


def test_a_slow_read_refused_by_the_whole_process_gives_back_its_slow_place():
    shedder = LoadShedder(app, max_in_flight=1, max_slow_reads=1, is_slow_read=slow)
    call(shedder)  # takes the only place

    refused, _ = call(shedder, "/v2/notifications", "GET")

    assert refused.status.startswith("503")
    assert shedder.slow.in_flight == 0


def test_a_bulkhead_needs_room_for_at_least_one_request():
    with pytest.raises(ValueError):
        Bulkhead("all", 0)
