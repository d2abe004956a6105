"""Service callbacks (delivery status, complaint, inbound text): where to POST and with which bearer token.

The token is encrypted with SecretBox before it is stored, and no answer, error or log line carries it:
the callbacks worker is the only reader that ever decrypts it.
"""
from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.orm import Session

from notify_shared.crypto import SecretBox
from notify_shared.errors import NoResultFound, ValidationError
from notify_shared.models import ServiceCallbackApi, utcnow

from . import serialise
from .lookups import service_or_404, service_rows
from .schemas import CALLBACK_TYPES


def check_callback_type(callback_type: str) -> None:
    if callback_type not in CALLBACK_TYPES:
        raise ValidationError(f"callback_type must be one of {', '.join(CALLBACK_TYPES)}")


def check_callback_url(url: str, *, allow_http: bool) -> None:
    """https only, as Notify requires; plain http only where ALLOW_HTTP_CALLBACKS says so (local stacks)."""
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_http else ("https",)
    if parts.scheme not in schemes or not parts.netloc or any(c.isspace() for c in url):
        raise ValidationError("url is not a valid http or https url" if allow_http else "url is not a valid https url")


def set_callback(session: Session, box: SecretBox, service_id: uuid.UUID, callback_type: str,
                 body: dict[str, Any], *, allow_http: bool) -> tuple[dict[str, Any], bool]:
    """Create or replace the service's callback of this type; (callback, whether it was created)."""
    check_callback_url(body["url"], allow_http=allow_http)
    service_or_404(session, service_id, for_update=True)
    row = _callback(session, service_id, callback_type)
    token = body.get("bearer_token")
    if row is None:
        if token is None:
            raise ValidationError("bearer_token is a required property")
        row = ServiceCallbackApi(service_id=service_id, callback_type=callback_type, url=body["url"],
                                 bearer_token=box.encrypt(token))
        session.add(row)
        session.flush()
        return serialise.callback(row), True
    # Changing only the URL keeps the stored token, so the secret need not be handled again.
    row.url = body["url"]
    if token is not None:
        row.bearer_token = box.encrypt(token)
    row.updated_at = utcnow()
    session.flush()
    return serialise.callback(row), False


def list_callbacks(session: Session, service_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = service_rows(session, ServiceCallbackApi, service_id, order_by=(ServiceCallbackApi.callback_type,))
    return [serialise.callback(row) for row in rows]


def get_callback(session: Session, service_id: uuid.UUID, callback_type: str) -> dict[str, Any]:
    service_or_404(session, service_id)
    row = _callback(session, service_id, callback_type)
    if row is None:
        raise NoResultFound()
    return serialise.callback(row)


def delete_callback(session: Session, service_id: uuid.UUID, callback_type: str) -> None:
    service_or_404(session, service_id)
    row = _callback(session, service_id, callback_type)
    if row is None:
        raise NoResultFound()
    session.delete(row)


def _callback(session: Session, service_id: uuid.UUID, callback_type: str) -> ServiceCallbackApi | None:
    return session.execute(
        select(ServiceCallbackApi).where(ServiceCallbackApi.service_id == service_id,
                                         ServiceCallbackApi.callback_type == callback_type)
    ).scalar_one_or_none()
