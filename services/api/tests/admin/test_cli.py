"""`notify-admin` run as a subprocess against the test database: the admin operations from a terminal."""
from __future__ import annotations

import tomllib
import uuid
from pathlib import Path

import pytest
from sqlalchemy import select

from notify_shared import provisioning
from notify_shared.models import Service, ServiceCallbackApi, ServiceSmsSender


@pytest.fixture
def service_id(db) -> str:
    """A service made directly in the database, for tests about commands other than `services create`."""
    with db.session() as session:
        service = provisioning.create_service(session, name=f"CLI {uuid.uuid4().hex[:10]}",
                                              permissions=["sms", "email"])
    return str(service.id)


def test_the_package_installs_the_notify_admin_command():
    pyproject = tomllib.loads((Path(__file__).parents[2] / "pyproject.toml").read_text())

    assert pyproject["project"]["scripts"] == {"notify-admin": "notify_api.cli:main"}


def test_a_service_key_and_template_made_in_the_terminal_send_through_the_api(notify_admin, official_client, db):
    name = f"CLI service {uuid.uuid4().hex[:8]}"

    service = notify_admin("services", "create", "--name", name, "--live", "--permissions", "sms,email",
                           "--rate-limit", "100", "--retention", "sms=14")
    key = notify_admin("keys", "create", "--service", service.data["id"], "--type", "normal")
    template = notify_admin("templates", "create", "--service", service.data["id"], "--name", "Code",
                            "--type", "sms", "--content", "Your code is ((code))")

    assert (service.exit_code, key.exit_code, template.exit_code) == (0, 0, 0), service.stderr + key.stderr
    assert {k: service.data[k] for k in ("name", "restricted", "permissions", "rate_limit", "data_retention")} == {
        "name": name, "restricted": False, "permissions": ["email", "sms"], "rate_limit": 100,
        "data_retention": {"sms": 14}}
    with db.session() as session:
        assert session.get(Service, uuid.UUID(service.data["id"])).name == name
    client = official_client(key.data["key"])
    sent = client.send_sms_notification("07700900456", template.data["id"], {"code": "123"})
    assert sent["content"]["body"] == "Your code is 123"
    assert key.data["key"][-36:] not in key.stderr


def test_template_edits_in_the_terminal_make_new_versions(notify_admin, service_id, db, tmp_path):
    with db.session() as session:
        template = provisioning.create_template(session, service_id=uuid.UUID(service_id), name="Welcome",
                                                template_type="email", subject="Welcome", content="Hello")
    body = tmp_path / "body.md"
    body.write_text("Dear ((name)),\n\nSee you soon.", encoding="utf-8")

    updated = notify_admin("templates", "update", "--service", service_id, "--template", str(template.id),
                           "--subject", "Welcome aboard", "--content-file", str(body))
    versions = notify_admin("templates", "versions", "--service", service_id, "--template", str(template.id))

    assert updated.data["version"] == 2
    assert [(v["version"], v["subject"], v["content"]) for v in versions.data] == [
        (2, "Welcome aboard", "Dear ((name)),\n\nSee you soon."), (1, "Welcome", "Hello")]


def test_callback_tokens_come_from_the_environment_or_stdin_and_are_never_printed(notify_admin, service_id, db,
                                                                                   secret_box):
    service = {"id": service_id}
    from_env, from_stdin = "token-from-env-" + uuid.uuid4().hex, "token-from-stdin-" + uuid.uuid4().hex

    by_env = notify_admin("callbacks", "set", "--service", service["id"], "--type", "delivery_status",
                          "--url", "https://example.gov.uk/receipts", env={"CALLBACK_BEARER_TOKEN": from_env})
    by_stdin = notify_admin("callbacks", "set", "--service", service["id"], "--type", "inbound_sms",
                            "--url", "https://example.gov.uk/inbound", "--bearer-token-stdin", stdin=from_stdin + "\n")

    assert (by_env.exit_code, by_stdin.exit_code) == (0, 0), by_env.stderr + by_stdin.stderr
    assert from_env not in by_env.stdout + by_env.stderr
    assert from_stdin not in by_stdin.stdout + by_stdin.stderr
    with db.session() as session:
        rows = session.execute(select(ServiceCallbackApi.callback_type, ServiceCallbackApi.bearer_token)
                               .where(ServiceCallbackApi.service_id == uuid.UUID(service["id"]))).all()
    assert {row.callback_type: secret_box.decrypt(row.bearer_token) for row in rows} == {
        "delivery_status": from_env, "inbound_sms": from_stdin}


def test_http_callback_urls_are_allowed_only_where_allow_http_callbacks_is_set(notify_admin, service_id):
    service = {"id": service_id}
    args = ("callbacks", "set", "--service", service["id"], "--type", "complaint", "--url", "http://localhost:9000/c",
            "--bearer-token", "local-dev-token")

    refused = notify_admin(*args)
    allowed = notify_admin(*args, env={"ALLOW_HTTP_CALLBACKS": "true"})

    assert (refused.exit_code, refused.error["errors"]) == (
        1, [{"error": "ValidationError", "message": "url is not a valid https url"}])
    assert refused.stdout == ""
    assert (allowed.exit_code, allowed.data["url"]) == (0, "http://localhost:9000/c")


def test_errors_are_notifys_envelope_on_stderr_with_exit_status_1(notify_admin):
    unknown = notify_admin("services", "get", "--service", str(uuid.uuid4()))
    invalid = notify_admin("services", "create", "--name", "x", "--permissions", "sms,carrier_pigeon")

    assert (unknown.exit_code, unknown.error) == (
        1, {"status_code": 404, "errors": [{"error": "NoResultFound", "message": "No result found"}]})
    assert invalid.error["errors"] == [{"error": "ValidationError", "message": (
        "permissions carrier_pigeon is not one of [email, sms, letter, international_sms, international_letters, "
        "inbound_sms, upload_document]")}]


def test_a_service_is_set_up_for_trial_use_from_the_terminal(notify_admin, service_id):
    sid = service_id

    guest = notify_admin("guest-list", "add", "--service", sid, "--mobile", "07700 900789")
    member = notify_admin("team", "add", "--service", sid, "--name", "Ada", "--email", "Ada@example.gov.uk")
    sender = notify_admin("sms-senders", "add", "--service", sid, "--sender", "MYSERVICE", "--default")
    reply_to = notify_admin("reply-to", "add", "--service", sid, "--email", "help@example.gov.uk")
    suspended = notify_admin("services", "update", "--service", sid, "--inactive", "--retention", "email=30")

    assert guest.data["recipient"] == "447700900789"
    assert member.data["email_address"] == "ada@example.gov.uk"
    assert (sender.data["sms_sender"], sender.data["is_default"]) == ("MYSERVICE", True)
    assert (reply_to.data["email_address"], reply_to.data["is_default"]) == ("help@example.gov.uk", True)
    assert (suspended.data["active"], suspended.data["data_retention"]) == (False, {"email": 30})


def test_inbound_numbers_are_added_and_assigned_from_the_terminal(notify_admin, service_id, db):
    service = {"id": service_id}
    number = notify_admin("inbound-numbers", "add", "--number", f"4477009{uuid.uuid4().int % 100000:05d}",
                          "--provider", "mmg").data

    assigned = notify_admin("inbound-numbers", "assign", "--id", number["id"], "--service", service["id"])

    assert assigned.data["service_id"] == service["id"]
    with db.session() as session:
        senders = session.execute(select(ServiceSmsSender.sms_sender).where(
            ServiceSmsSender.service_id == uuid.UUID(service_id), ServiceSmsSender.is_default.is_(True))).scalars()
        assert list(senders) == [number["number"]]
