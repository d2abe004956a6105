"""Send a file by email: the official client's `prepare_upload`, the link in the email, and every refusal.

All through the shared API process over real HTTP; files land in its DOCUMENT_STORE_DIR.
"""
from __future__ import annotations

import base64
import io
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests
from notifications_python_client import prepare_upload
from notifications_python_client.errors import HTTPError

from notify_api.documents.files import EICAR, SUPPORTED_TYPES
from notify_api.documents.sealed import Document, seal_document
from notify_shared import provisioning
from notify_shared.documents import sealing
from notify_shared.documents.store import FilesystemDocumentStore
from notify_testkit.fixtures import make_service

PDF = b"%PDF-1.7\n1 0 obj <<>> endobj\n%%EOF\n"
LINK = re.compile(r"(https?://\S+/d/[0-9a-f-]{36}/[0-9a-f-]{36}\?key=[A-Za-z0-9_-]+)")
RECIPIENT = "Ada.Lovelace@example.com"


class FileService:
    def __init__(self, service, template_id: uuid.UUID) -> None:
        self.service = service
        self.id = service.id
        self.api_key = service.api_key
        self.template_id = str(template_id)


@pytest.fixture
def file_service(db, secret_box) -> FileService:
    service = make_service(db, secret_box, permissions=["email", "sms", "upload_document"])
    with db.session() as session:
        template = provisioning.create_template(session, service_id=service.id, name="file", template_type="email",
                                                subject="Your file", content="Download it here: ((link))")
    return FileService(service, template.id)


def send(notify_client, file_service: FileService, value: dict, *, to: str = RECIPIENT) -> dict:
    return notify_client(file_service.api_key).send_email_notification(to, file_service.template_id, {"link": value})


def error_of(notify_client, file_service: FileService, value: dict, **personalisation) -> tuple[int, dict]:
    with pytest.raises(HTTPError) as excinfo:
        notify_client(file_service.api_key).send_email_notification(
            RECIPIENT, file_service.template_id, {"link": value, **personalisation})
    [error] = excinfo.value.message
    return excinfo.value.status_code, error


def link_in(body: str) -> str:
    [url] = LINK.findall(body)
    return url


def stored_files(directory, service_id) -> list:
    folder = directory / str(service_id)
    return sorted(folder.iterdir()) if folder.exists() else []


def test_a_file_sent_with_the_official_client_comes_back_from_the_link_in_the_email(
        notify_client, file_service, shared_api, document_store_dir):
    sent = send(notify_client, file_service,
                prepare_upload(io.BytesIO(PDF), filename="report.pdf", confirm_email_before_download=False))

    url = link_in(sent["content"]["body"])
    response = requests.get(url, timeout=10)
    [stored] = stored_files(document_store_dir, file_service.id)

    assert url.startswith(f"{shared_api}/d/{file_service.id}/")
    assert sent["content"]["body"] == f"Download it here: {url}"
    # What the sender will render: GET shows the stored (encrypted) personalisation, link included.
    assert link_in(notify_client(file_service.api_key).get_notification_by_id(sent["id"])["body"]) == url
    assert response.status_code == 200
    assert response.content == PDF
    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == "inline; filename=report.pdf"
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Robots-Tag"] == "noindex, nofollow"
    # Encrypted at rest, and the key is nowhere in the store.
    assert PDF not in stored.read_bytes()
    assert url.split("key=")[1].encode() not in stored.read_bytes()


def test_by_default_the_recipient_confirms_their_email_address_first(notify_client, file_service):
    sent = send(notify_client, file_service, prepare_upload(io.BytesIO(b"a,b\n1,2\n"), filename="data.csv"))
    url = link_in(sent["content"]["body"])

    page = requests.get(url, timeout=10)
    wrong = requests.post(url, data={"email_address": "someone.else@example.com"}, timeout=10)
    missing = requests.post(url, data={}, timeout=10)
    by_form = requests.post(url, data={"email_address": " ada.lovelace@EXAMPLE.com "}, timeout=10)
    by_json = requests.post(url, json={"email_address": RECIPIENT}, timeout=10)

    assert page.status_code == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<form method="post">' in page.text and b"a,b" not in page.content
    assert (wrong.status_code, wrong.json()["errors"]) == (
        403, [{"error": "AuthError", "message": "Authentication failure"}])
    assert (missing.status_code, missing.json()["errors"][0]["message"]) == (400, "No email address")
    assert (by_form.status_code, by_form.content) == (200, b"a,b\n1,2\n")
    assert by_form.headers["Content-Type"].startswith("text/csv")
    assert by_form.headers["Content-Disposition"] == "attachment; filename=data.csv"
    assert by_json.content == b"a,b\n1,2\n"


def test_a_file_without_a_filename_is_named_after_its_document_and_typed_from_its_content(
        notify_client, file_service):
    sent = send(notify_client, file_service, prepare_upload(io.BytesIO(PDF), confirm_email_before_download=False))
    url = link_in(sent["content"]["body"])
    document_id = url.split("?")[0].rsplit("/", 1)[1]

    response = requests.get(url, timeout=10)

    assert response.headers["Content-Type"] == "application/pdf"
    assert response.headers["Content-Disposition"] == f"inline; filename={document_id}.pdf"


def test_a_wrong_missing_or_malformed_key_never_opens_a_file(notify_client, file_service, shared_api):
    sent = send(notify_client, file_service,
                prepare_upload(io.BytesIO(PDF), filename="a.pdf", confirm_email_before_download=False))
    url = link_in(sent["content"]["body"])
    path = url.split("?")[0]
    other_key = sealing.key_to_text(sealing.new_key())

    wrong = requests.get(f"{path}?key={other_key}", timeout=10)
    missing = requests.get(path, timeout=10)
    malformed = requests.get(f"{path}?key=not-a-key", timeout=10)
    unknown = requests.get(f"{shared_api}/d/{file_service.id}/{uuid.uuid4()}?key={other_key}", timeout=10)
    other_service = requests.get(url.replace(str(file_service.id), str(uuid.uuid4())), timeout=10)
    not_a_uuid = requests.get(f"{shared_api}/d/{file_service.id}/nope?key={other_key}", timeout=10)

    assert (wrong.status_code, wrong.json()["errors"]) == (404, [{"error": "NoResultFound",
                                                                  "message": "No result found"}])
    assert (missing.status_code, missing.json()["errors"][0]["message"]) == (400, "Missing decryption key")
    assert (malformed.status_code, malformed.json()["errors"][0]["message"]) == (400, "Invalid decryption key")
    assert unknown.status_code == other_service.status_code == not_a_uuid.status_code == 404
    assert requests.get(url, timeout=10).content == PDF


def test_a_file_past_its_retention_period_is_gone(shared_api, document_store_dir):
    service_id, document_id, key = uuid.uuid4(), uuid.uuid4(), sealing.new_key()
    expired_at = datetime.now(UTC) - timedelta(seconds=1)
    document = Document(filename="old.txt", mimetype="text/plain", recipient_sha256=None, content=b"old")
    store = FilesystemDocumentStore(document_store_dir)
    store.put(service_id, document_id, seal_document(key, document, service_id=service_id, document_id=document_id,
                                                     expires_at=expired_at),
              expires_at=expired_at, retention_period="1 weeks")
    url = f"{shared_api}/d/{service_id}/{document_id}?key={sealing.key_to_text(key)}"

    first = requests.get(url, timeout=10)

    assert (first.status_code, first.json()["errors"]) == (
        410, [{"error": "DocumentExpired", "message": "This file is no longer available"}])
    assert store.get(service_id, document_id) is None
    assert requests.get(url, timeout=10).status_code == 404


def test_retention_period_sets_the_expiry(notify_client, file_service, document_store_dir):
    before = datetime.now(UTC)
    send(notify_client, file_service, prepare_upload(io.BytesIO(PDF), filename="a.pdf", retention_period="2 weeks"))
    send(notify_client, file_service, prepare_upload(io.BytesIO(PDF), filename="b.pdf"))
    store = FilesystemDocumentStore(document_store_dir)

    lifetimes = sorted(round((store.get(file_service.id, uuid.UUID(p.name)).expires_at - before).days / 7)
                       for p in stored_files(document_store_dir, file_service.id))

    assert lifetimes == [2, 26]


def test_a_service_without_the_upload_document_permission_cannot_send_files(notify_client, sample_service):
    client = notify_client(sample_service.api_key)
    with pytest.raises(HTTPError) as excinfo:
        client.send_email_notification(RECIPIENT, str(sample_service.email_template_id),
                                       {"name": prepare_upload(io.BytesIO(PDF), filename="a.pdf")})

    assert (excinfo.value.status_code, excinfo.value.message) == (
        400, [{"error": "BadRequestError", "message": "Service is not allowed to send documents"}])


BAD_VALUES = [
    ({"retention_period": "79 weeks"}, "ValidationError",
     "retention_period Unsupported value for retention_period: 79 weeks. Supported periods are from 1 to 78 weeks."),
    ({"retention_period": "1 month"}, "ValidationError",
     "retention_period Unsupported value for retention_period: 1 month. Supported periods are from 1 to 78 weeks."),
    ({"confirm_email_before_download": "yes"}, "ValidationError",
     "confirm_email_before_download Unsupported value for confirm_email_before_download: yes. "
     "Use a boolean true or false value."),
    ({"filename": "report"}, "ValidationError",
     "filename `filename` must end with a file extension. For example, filename.csv"),
    ({"filename": "a" * 97 + ".pdf"}, "BadRequestError", "`filename` cannot be longer than 100 characters"),
    ({"filename": "setup.exe"}, "BadRequestError",
     f"Unsupported file type '.exe'. Supported types are: {SUPPORTED_TYPES}"),
    ({"is_csv": True, "filename": "a.csv"}, "BadRequestError",
     "Do not set a value for `is_csv` if `filename` is set."),
    ({"other": "attribute"}, "ValidationError", "Additional properties are not allowed (other was unexpected)"),
    ({"file": False}, "ValidationError", "file False is not of type string"),
    ({"file": "not base64!"}, "BadRequestError", "Document is not base64 encoded"),
    ({"file": base64.b64encode(EICAR).decode(), "filename": "eicar.txt"}, "BadRequestError",
     "File did not pass the virus scan"),
    ({"file": base64.b64encode(b"\x00\x01binary").decode()}, "BadRequestError",
     f"Unsupported file type 'application/octet-stream'. Supported types are: {SUPPORTED_TYPES}"),
]


@pytest.mark.parametrize(("change", "error", "message"), BAD_VALUES, ids=[m for _, _, m in BAD_VALUES])
def test_each_bad_file_value_gets_notifys_error_and_stores_nothing(notify_client, file_service,
                                                                   document_store_dir, change, error, message):
    value = {"file": base64.b64encode(PDF).decode(), **change}

    assert error_of(notify_client, file_service, value) == (400, {"error": error, "message": message})
    assert stored_files(document_store_dir, file_service.id) == []


def test_a_file_over_2mb_is_refused_by_the_server_too(notify_client, file_service):
    # The official client refuses it before sending; plain HTTP callers get the same words from the server.
    big = {"file": base64.b64encode(b"a" * (2 * 1024 * 1024 + 1)).decode(), "filename": "big.txt"}

    with pytest.raises(ValueError, match="File is larger than 2MB"):
        prepare_upload(io.BytesIO(b"a" * (2 * 1024 * 1024 + 1)))
    assert error_of(notify_client, file_service, big) == (
        400, {"error": "BadRequestError", "message": "File is larger than 2MB"})


def test_every_file_is_checked_before_any_is_stored(notify_client, file_service, document_store_dir):
    good = prepare_upload(io.BytesIO(PDF), filename="a.pdf")
    bad = {"file": base64.b64encode(EICAR).decode()}

    status, _ = error_of(notify_client, file_service, good, other=bad)

    assert status == 400
    assert stored_files(document_store_dir, file_service.id) == []


def test_texts_cannot_carry_files(notify_client, file_service):
    client = notify_client(file_service.api_key)
    with pytest.raises(HTTPError) as excinfo:
        client.send_sms_notification("07700900456", str(file_service.service.sms_template_id),
                                     {"name": prepare_upload(io.BytesIO(PDF), filename="a.pdf"), "code": "1"})

    assert excinfo.value.message == [{"error": "BadRequestError", "message": "Can only send a file by email"}]


def test_letters_cannot_carry_files(db, secret_box, notify_client):
    service = make_service(db, secret_box, permissions=["letter", "upload_document"])
    client = notify_client(service.api_key)
    with pytest.raises(HTTPError) as excinfo:
        client.send_letter_notification(str(service.letter_template_id), {
            "address_line_1": "A Person", "address_line_2": "1 High Street", "postcode": "SW1A 1AA",
            "name": prepare_upload(io.BytesIO(PDF), filename="a.pdf")})

    assert excinfo.value.message == [{"error": "BadRequestError", "message": "Can only send a file by email"}]


def test_a_simulated_recipient_gets_a_placeholder_link_and_nothing_is_stored(
        notify_client, file_service, shared_api, document_store_dir):
    sent = send(notify_client, file_service, prepare_upload(io.BytesIO(PDF), filename="a.pdf"),
                to="simulate-delivered@notifications.service.gov.uk")

    assert sent["content"]["body"] == f"Download it here: {shared_api}/d/{file_service.id}/test-document"
    assert stored_files(document_store_dir, file_service.id) == []
