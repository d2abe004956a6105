"""API keys: issue one (the key string is returned this once), list them without secrets, revoke one."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from notify_shared import provisioning
from notify_shared.crypto import SecretBox
from notify_shared.errors import NoResultFound
from notify_shared.models import ApiKey

from . import serialise
from .lookups import owned_or_404, service_or_404, service_rows


def create_api_key(session: Session, box: SecretBox, service_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
    service_or_404(session, service_id)
    issued = provisioning.create_api_key(session, box, service_id=service_id, name=body["name"].strip(),
                                         key_type=body["key_type"])
    row = session.get(ApiKey, issued.id)
    # The only answer that ever carries the key: only its encrypted secret is stored.
    return {**serialise.api_key(row), "key": issued.key}


def list_api_keys(session: Session, service_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = service_rows(session, ApiKey, service_id, order_by=(ApiKey.created_at.desc(), ApiKey.id))
    return [serialise.api_key(row) for row in rows]


def revoke_api_key(session: Session, service_id: uuid.UUID, key_id: uuid.UUID) -> dict[str, Any]:
    service_or_404(session, service_id)
    if not provisioning.revoke_api_key(session, service_id=service_id, key_id=key_id):
        raise NoResultFound()
    session.flush()
    return serialise.api_key(owned_or_404(session, ApiKey, key_id, service_id))
