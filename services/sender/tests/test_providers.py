"""Provider clients against the real simulator process: what succeeds, what is retryable, what is not."""
from __future__ import annotations

import threading
import time

import pytest
import requests

from notify_devstack.infra import free_port
from notify_devstack.processes import Ports, process_specs
from notify_sender.providers.base import EmailRequest, PermanentProviderError, RetryableProviderError, SmsRequest
from notify_sender.providers.firetext import FiretextClient
from notify_sender.providers.mmg import MmgClient
from notify_sender.providers.ses import SesClient
from notify_simulator.server import KeepAliveHandler, KeepAliveServer
from notify_testkit.processes import ProcessGroup

SMS = SmsRequest(notification_id="7d2a3c52-5b0e-4c43-9a57-0d1c3a3f0b11", to="447700900123", content="Hi",
                 sender="notify", international=False)
EMAIL = EmailRequest(notification_id="7d2a3c52-5b0e-4c43-9a57-0d1c3a3f0b12", from_address='"S" <s@notify.localhost>',
                     to="a@example.com", subject="Hi", text_body="Hi", html_body="<p>Hi</p>")


@pytest.fixture(scope="module")
def simulator_url(tmp_path_factory) -> str:
    ports = Ports(simulator=free_port())
    [spec] = [s for s in process_specs(ports) if s.name == "simulator"]
    group = ProcessGroup(tmp_path_factory.mktemp("simulator"), {})
    group.start(spec)
    url = f"http://127.0.0.1:{ports.simulator}"
    requests.post(f"{url}/_config", json={"receipts_enabled": False}, timeout=5).raise_for_status()
    yield url
    group.stop_all()


@pytest.fixture
def simulator(simulator_url):
    def configure(**config):
        requests.post(f"{simulator_url}/_config", json=config, timeout=5).raise_for_status()

    yield configure
    requests.post(f"{simulator_url}/_reset", json={"config": True}, timeout=5)
    configure(receipts_enabled=False)


def ses(url: str, timeout: float = 3.0) -> SesClient:
    return SesClient(region="eu-west-2", endpoint_url=f"{url}/ses", access_key_id="k", secret_access_key="s",
                     timeout_seconds=timeout, max_connections=2)


def test_mmg_accepts_a_message_and_returns_its_reference(simulator_url, simulator):
    assert MmgClient(f"{simulator_url}/mmg", "key", 3).send_sms(SMS)


def test_firetext_accepts_a_message_and_we_keep_our_id_as_reference(simulator_url, simulator):
    assert FiretextClient(f"{simulator_url}/firetext", "key", "intl", 3).send_sms(SMS) == SMS.notification_id


def test_ses_returns_the_message_id(simulator_url, simulator):
    assert ses(simulator_url).send_email(EMAIL).endswith("-000000")


@pytest.mark.parametrize("status", [500, 503, 429])
def test_server_errors_and_throttling_are_retryable(simulator_url, simulator, status):
    simulator(providers={"mmg": {"fail": True, "status": status}, "ses": {"fail": True, "status": status}})

    with pytest.raises(RetryableProviderError):
        MmgClient(f"{simulator_url}/mmg", "key", 3).send_sms(SMS)
    with pytest.raises(RetryableProviderError):
        ses(simulator_url).send_email(EMAIL)


def test_a_rejected_request_is_permanent(simulator_url, simulator):
    simulator(providers={"mmg": {"fail": True, "status": 400}, "ses": {"fail": True, "status": 400}})

    with pytest.raises(PermanentProviderError):
        MmgClient(f"{simulator_url}/mmg", "key", 3).send_sms(SMS)
    with pytest.raises(PermanentProviderError):
        ses(simulator_url).send_email(EMAIL)


def test_a_firetext_error_code_is_retryable(simulator_url, simulator):
    with pytest.raises(RetryableProviderError, match="code 1"):
        FiretextClient(f"{simulator_url}/firetext", "", "", 3).send_sms(SMS)


def test_a_provider_slower_than_the_timeout_is_retryable(simulator_url, simulator):
    simulator(latency_ms=1500)

    with pytest.raises(RetryableProviderError):
        MmgClient(f"{simulator_url}/mmg", "key", 0.5).send_sms(SMS)
    with pytest.raises(RetryableProviderError):
        ses(simulator_url, timeout=0.5).send_email(EMAIL)


def test_an_unreachable_provider_is_retryable():
    closed = f"http://127.0.0.1:{free_port()}"

    with pytest.raises(RetryableProviderError):
        FiretextClient(f"{closed}/firetext", "key", "intl", 1).send_sms(SMS)
    with pytest.raises(RetryableProviderError):
        ses(closed, timeout=1).send_email(EMAIL)


class _QuickIdleHandler(KeepAliveHandler):
    timeout = 0.2  # the server closes a keep-alive connection idle for longer than this


@pytest.fixture
def quick_closing_server():
    def app(environ, start_response):
        start_response("200 OK", [("Content-Type", "application/json")])
        return [b'{"Reference": "r-1"}']

    server = KeepAliveServer("127.0.0.1", free_port(), app)
    server.RequestHandlerClass = _QuickIdleHandler
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


def test_a_provider_connection_is_kept_open_and_reused_between_sends(simulator_url, simulator):
    client = MmgClient(f"{simulator_url}/mmg", "key", 3)

    client.send_sms(SMS)
    [first] = client.http._origins.values()
    reused = first._idle[0]
    client.send_sms(SMS)

    assert first._idle == [reused]


def test_a_connection_the_provider_closed_while_idle_is_replaced_not_failed(quick_closing_server):
    client = MmgClient(f"{quick_closing_server}/mmg", "key", 3)
    assert client.send_sms(SMS) == "r-1"
    time.sleep(0.5)  # the server has closed the pooled connection by now

    assert client.send_sms(SMS) == "r-1"
