"""The provider simulator as a process: provider-shaped APIs, receipts posted back, control endpoints."""
from __future__ import annotations

import http.client
import json
import re
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import boto3
import pytest
import requests
from botocore.config import Config
from botocore.exceptions import ClientError

from notify_devstack.infra import free_port
from notify_devstack.processes import Ports, process_specs
from notify_testkit.processes import ProcessGroup, wait_until

LOCAL_TIME = re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$")


@dataclass
class ReceivedReceipt:
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> dict:
        return json.loads(self.body)

    def form(self) -> dict[str, str]:
        return {k: v[0] for k, v in parse_qs(self.body.decode()).items()}


@dataclass
class ReceiptSink:
    """A stand-in status-receiver: records every receipt the simulator posts."""

    port: int
    received: list[ReceivedReceipt] = field(default_factory=list)
    server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> ReceiptSink:
        sink = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):  # noqa: N802 - http.server naming
                body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
                sink.received.append(ReceivedReceipt(self.path, dict(self.headers), body))
                self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self.server:
            self.server.shutdown()
            self.server.server_close()

    def about(self, text: str) -> list[ReceivedReceipt]:
        """Receipts mentioning `text` (an id): earlier tests' late receipts may still arrive."""
        return [r for r in self.received if text.encode() in r.body]

    def wait_for(self, count: int, path: str, about: str, timeout: float = 10) -> list[ReceivedReceipt]:
        def matching():
            found = [r for r in self.about(about) if r.path == path]
            return found if len(found) >= count else None
        return wait_until(matching, timeout=timeout, message=f"{count} receipts at {path}")


@pytest.fixture(scope="module")
def sink() -> ReceiptSink:
    receiver = ReceiptSink(free_port()).start()
    yield receiver
    receiver.stop()


@pytest.fixture(scope="module")
def simulator_url(tmp_path_factory, sink) -> str:
    ports = Ports(simulator=free_port())
    [spec] = [s for s in process_specs(ports) if s.name == "simulator"]
    group = ProcessGroup(tmp_path_factory.mktemp("simulator"), {})
    group.start(spec, extra_env={"SIMULATOR_RECEIPT_BASE_URL": sink.url, "SIMULATOR_RECEIPT_DELAY_SECONDS": "0.05"})
    yield f"http://127.0.0.1:{ports.simulator}"
    group.stop_all()


@pytest.fixture
def sim(simulator_url, sink) -> str:
    requests.post(f"{simulator_url}/_reset", json={"config": True}, timeout=5).raise_for_status()
    sink.received.clear()
    return simulator_url


def send_mmg(url: str, cid: str, msisdn: str = "447700900123", key: str | None = "mmg-key") -> requests.Response:
    body = {"reqType": "BULK", "MSISDN": msisdn, "msg": "Hello", "sender": "notify", "cid": cid, "multi": True}
    headers = {"Content-Type": "application/json"}
    if key is not None:
        headers["Authorization"] = f"Basic {key}"
    return requests.post(f"{url}/mmg", data=json.dumps(body), headers=headers, timeout=10)


def send_firetext(url: str, reference: str, to: str = "447700900123") -> requests.Response:
    form = {"apiKey": "ft-key", "from": "notify", "to": to, "message": "Hello", "reference": reference}
    return requests.post(f"{url}/firetext", data=form, timeout=10)


def ses_client(url: str):
    return boto3.client("sesv2", endpoint_url=f"{url}/ses", region_name="eu-west-2", aws_access_key_id="k",
                        aws_secret_access_key="s", config=Config(retries={"max_attempts": 1}))


def send_ses(url: str, to: str, notification_id: str) -> str:
    response = ses_client(url).send_email(
        FromEmailAddress='"Service" <service@notify.localhost>',
        Destination={"ToAddresses": [to]},
        Content={"Simple": {"Subject": {"Data": "Hi"}, "Body": {"Text": {"Data": "Body"}}}},
        EmailTags=[{"Name": "notification_id", "Value": notification_id}],
    )
    return response["MessageId"]


def test_mmg_send_answers_a_reference_and_posts_a_delivered_receipt_with_our_cid(sim, sink):
    cid = str(uuid.uuid4())

    response = send_mmg(sim, cid)

    assert response.status_code == 200
    reference = response.json()["Reference"]
    [receipt] = sink.wait_for(1, "/notifications/sms/mmg", about=cid)
    assert receipt.headers["Content-Type"] == "application/json"
    body = receipt.json()
    assert {k: body[k] for k in ("reference", "CID", "MSISDN", "status", "substatus")} == {
        "reference": reference, "CID": cid, "MSISDN": "447700900123", "status": "3", "substatus": "2"}
    assert LOCAL_TIME.match(body["deliverytime"])


def test_mmg_without_an_api_key_is_unauthorised_and_not_counted(sim):
    assert send_mmg(sim, "x", key=None).status_code == 401
    assert requests.get(f"{sim}/_stats", timeout=5).json()["total"] == 0


def test_firetext_send_answers_code_0_and_posts_a_form_receipt(sim, sink):
    reference = str(uuid.uuid4())

    response = send_firetext(sim, reference)

    assert response.json() == {"code": 0, "description": "SMS successfully queued"}
    [receipt] = sink.wait_for(1, "/notifications/sms/firetext", about=reference)
    form = receipt.form()
    assert {k: form[k] for k in ("mobile", "status", "reference", "code")} == {
        "mobile": "447700900123", "status": "0", "reference": reference, "code": "000"}
    assert LOCAL_TIME.match(form["time"])


def test_ses_send_through_boto3_gets_a_message_id_and_an_sns_delivery_notification(sim, sink):
    notification_id = str(uuid.uuid4())

    message_id = send_ses(sim, "someone@example.com", notification_id)

    [receipt] = sink.wait_for(1, "/notifications/email/ses", about=message_id)
    assert receipt.headers["x-amz-sns-message-type"] == "Notification"
    envelope = receipt.json()
    assert envelope["Type"] == "Notification"
    assert envelope["TopicArn"] == "arn:aws:sns:eu-west-2:000000000000:notify-ses-receipts"
    event = json.loads(envelope["Message"])
    assert event["notificationType"] == "Delivery"
    assert event["mail"]["messageId"] == message_id
    assert event["mail"]["destination"] == ["someone@example.com"]
    assert event["delivery"]["recipients"] == ["someone@example.com"]


def test_ses_perm_fail_address_bounces_permanently(sim, sink):
    message_id = send_ses(sim, "perm-fail@simulator.notify", str(uuid.uuid4()))

    [receipt] = sink.wait_for(1, "/notifications/email/ses", about=message_id)
    event = json.loads(receipt.json()["Message"])
    assert (event["notificationType"], event["bounce"]["bounceType"]) == ("Bounce", "Permanent")


def test_ses_without_a_signature_is_refused(sim):
    response = requests.post(f"{sim}/ses/v2/email/outbound-emails", json={}, timeout=5)

    assert response.status_code == 403


def test_stats_count_each_id_and_reset_clears_them(sim):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    send_mmg(sim, first)
    send_mmg(sim, first)
    send_firetext(sim, second)
    email_id = str(uuid.uuid4())
    send_ses(sim, "a@example.com", email_id)

    stats = requests.get(f"{sim}/_stats", timeout=5).json()
    assert stats["sends"] == {first: 2, second: 1, email_id: 1}
    assert stats["total"] == 4
    assert stats["by_provider"] == {"mmg": 2, "firetext": 1, "ses": 1}

    requests.post(f"{sim}/_reset", timeout=5)
    assert requests.get(f"{sim}/_stats", timeout=5).json()["sends"] == {}


def test_a_client_keeps_its_connection_across_sends_as_with_a_real_provider(sim):
    host, port = sim.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=5)
    body = json.dumps({"reqType": "BULK", "MSISDN": "447700900123", "msg": "Hi", "sender": "notify", "multi": True})
    answers, sockets = [], []
    for cid in ("one", "two"):
        conn.request("POST", "/mmg", body=body.replace('"multi"', f'"cid": "{cid}", "multi"'),
                     headers={"Authorization": "Basic k", "Content-Type": "application/json"})
        response = conn.getresponse()
        answers.append((response.status, response.getheader("Connection")))
        response.read()
        sockets.append(conn.sock)

    assert answers == [(200, None), (200, None)]
    assert sockets[0] is sockets[1] is not None  # the second request went over the first one's socket
    conn.close()
    assert requests.get(f"{sim}/_stats", timeout=5).json()["sends"] == {"one": 1, "two": 1}


def test_brief_stats_leave_out_the_per_id_counts_but_show_duplicates(sim):
    first, second = str(uuid.uuid4()), str(uuid.uuid4())
    send_mmg(sim, first)
    send_mmg(sim, first)
    send_firetext(sim, second)

    stats = requests.get(f"{sim}/_stats", params={"brief": "true"}, timeout=5).json()

    assert "sends" not in stats
    assert (stats["total"], stats["distinct"], stats["most_for_one_id"]) == (3, 2, 2)


def test_a_forced_provider_failure_answers_its_status_until_switched_off(sim, sink):
    requests.post(f"{sim}/_config", json={"providers": {"mmg": {"fail": True}, "ses": {"fail": True, "status": 400}}},
                  timeout=5).raise_for_status()

    assert send_mmg(sim, "a").status_code == 500
    with pytest.raises(ClientError) as raised:
        send_ses(sim, "a@example.com", "b")
    assert raised.value.response["Error"]["Code"] == "BadRequestException"
    assert send_firetext(sim, "c").json()["code"] == 0  # other providers unaffected

    requests.post(f"{sim}/_config", json={"providers": {"mmg": {"fail": False}}}, timeout=5).raise_for_status()
    assert send_mmg(sim, "a").status_code == 200
    stats = requests.get(f"{sim}/_stats", timeout=5).json()
    assert stats["sends"] == {"a": 1, "c": 1}
    assert stats["rejected"] == {"mmg": 1, "ses": 1}


def test_failure_rate_one_fails_every_send(sim):
    requests.post(f"{sim}/_config", json={"failure_rate": 1.0}, timeout=5).raise_for_status()

    assert {send_mmg(sim, str(i)).status_code for i in range(5)} == {500}


def test_a_bad_config_is_refused_and_changes_nothing(sim):
    response = requests.post(f"{sim}/_config", json={"latency_ms": 5, "providers": {"nope": {}}}, timeout=5)

    assert response.status_code == 400
    assert requests.get(f"{sim}/_config", timeout=5).json()["latency_ms"] == 0


def test_slow_answers_are_served_in_parallel(sim):
    requests.post(f"{sim}/_config", json={"latency_ms": 300}, timeout=5).raise_for_status()

    started = time.monotonic()
    with ThreadPoolExecutor(40) as pool:
        codes = list(pool.map(lambda i: send_mmg(sim, f"p{i}").status_code, range(40)))
    elapsed = time.monotonic() - started

    assert codes == [200] * 40
    assert elapsed < 3  # 40 x 300 ms one at a time would take 12 s


def test_receipts_switched_off_are_not_posted(sim, sink):
    requests.post(f"{sim}/_config", json={"receipts_enabled": False}, timeout=5).raise_for_status()

    send_mmg(sim, "quiet-cid")
    time.sleep(0.5)

    assert sink.about("quiet-cid") == []


def test_the_liveness_endpoint_answers_ok(sim):
    assert requests.get(f"{sim}/_status/live", timeout=5).json() == {"status": "ok"}


def test_receipts_are_retried_until_the_receiver_comes_up(tmp_path):
    sink = ReceiptSink(free_port())
    ports = Ports(simulator=free_port())
    [spec] = [s for s in process_specs(ports) if s.name == "simulator"]
    group = ProcessGroup(tmp_path, {})
    group.start(spec, extra_env={"SIMULATOR_RECEIPT_BASE_URL": sink.url, "SIMULATOR_RECEIPT_DELAY_SECONDS": "0"})
    try:
        send_mmg(f"http://127.0.0.1:{ports.simulator}", "late")
        time.sleep(0.3)  # the first post has failed by now
        sink.start()
        [receipt] = sink.wait_for(1, "/notifications/sms/mmg", about="late", timeout=10)
        assert receipt.json()["CID"] == "late"
    finally:
        group.stop_all()
        sink.stop()
