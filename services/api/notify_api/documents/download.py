"""GET/POST /d/<service_id>/<document_id>?key=...: the link a send-a-file email carries.

No API key: the link is the credential. The key in it opens the sealed document; without the right key
the answer is the same 404 as for a document that never existed. A document past its retention period is
refused with 410 and deleted. When the sender asked recipients to confirm their email address (Notify's
default), a GET answers a small form instead of the file, and the file comes back from a POST whose
`email_address` (form field or JSON) matches the recipient's. Every answer is marked not to be cached,
indexed or sent on as a referrer, since the URL itself unlocks the file.
"""
from __future__ import annotations

import io
import uuid
from datetime import UTC, datetime

from flask import Blueprint, Response, request, send_file

from notify_shared.documents import sealing
from notify_shared.documents.store import DocumentStore
from notify_shared.errors import AuthError, BadRequestError, NoResultFound, NotifyError
from notify_shared.logging import get_logger

from ..context import api_context
from .sealed import Document, unseal_document

log = get_logger(__name__)

documents_blueprint = Blueprint("documents", __name__)

# Shown in the browser rather than saved, as Notify's download frontend does for these.
INLINE_TYPES = frozenset({"application/pdf", "image/png", "image/jpeg"})

CONFIRM_PAGE = """<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="robots" content="noindex, nofollow"><title>Confirm your email address</title>
</head>
<body>
<h1>Confirm your email address</h1>
<p>To download this file, enter the email address the link was sent to.</p>
<form method="post">
<label for="email_address">Email address</label>
<input type="email" id="email_address" name="email_address" autocomplete="email" required>
<button type="submit">Continue</button>
</form>
</body>
</html>
"""


class DocumentExpired(NotifyError):
    status_code = 410
    error = "DocumentExpired"


def _private(response: Response) -> Response:
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex, nofollow"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _key_from_request() -> bytes:
    text = request.args.get("key")
    if not text:
        raise BadRequestError("Missing decryption key")
    try:
        return sealing.key_from_text(text)
    except ValueError as exc:
        raise BadRequestError("Invalid decryption key") from exc


def open_document(store: DocumentStore, service_id: uuid.UUID, document_id: uuid.UUID, key: bytes,
                  now: datetime) -> Document:
    stored = store.get(service_id, document_id)
    if stored is None:
        raise NoResultFound()
    try:
        document = unseal_document(key, stored.blob, service_id=service_id, document_id=document_id,
                                   expires_at=stored.expires_at)
    except sealing.WrongKey as exc:
        raise NoResultFound() from exc
    if stored.expires_at <= now:
        # Scheduler-free expiry: the first request after the retention period removes the file.
        store.delete(service_id, document_id)
        log.info("document_expired", service_id=str(service_id), document_id=str(document_id))
        raise DocumentExpired("This file is no longer available")
    return document


def _submitted_email_address() -> str | None:
    if request.is_json:
        body = request.get_json(silent=True)
        value = body.get("email_address") if isinstance(body, dict) else None
    else:
        value = request.form.get("email_address")
    return value if isinstance(value, str) and value.strip() else None


@documents_blueprint.route("/d/<uuid:service_id>/<uuid:document_id>", methods=["GET", "POST"])
def download_document(service_id: uuid.UUID, document_id: uuid.UUID):
    key = _key_from_request()
    document = open_document(api_context().documents, service_id, document_id, key, datetime.now(UTC))
    if document.recipient_sha256 is not None:
        if request.method == "GET":
            return _private(Response(CONFIRM_PAGE, mimetype="text/html"))
        email_address = _submitted_email_address()
        if email_address is None:
            raise BadRequestError("No email address")
        if not document.recipient_matches(email_address):
            raise AuthError("Authentication failure")
    response = send_file(io.BytesIO(document.content), mimetype=document.mimetype,
                         as_attachment=document.mimetype not in INLINE_TYPES,
                         download_name=document.filename, conditional=False, etag=False)
    return _private(response)
