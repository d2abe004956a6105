"""Received texts in Notify's v2 shape: `{id, created_at, service_id, notify_number, user_number, content}`,
the content decrypted (it is stored encrypted at rest)."""
from __future__ import annotations

import uuid
from typing import Any

from notify_shared.crypto import SecretBox
from notify_shared.logging import get_logger
from notify_shared.models import InboundSms

from ..api_keys import Caller
from ..context import ApiContext
from ..notifications.serialise import format_datetime
from . import store

log = get_logger(__name__)


def _content(box: SecretBox, row: InboundSms) -> str:
    try:
        return box.decrypt(row.content)
    except ValueError:
        # Wrong SECRET_KEY or a corrupt value: one unreadable text must not fail the whole page.
        log.error("received_text_undecryptable", inbound_sms_id=str(row.id))
        return ""


def received_text(box: SecretBox, row: InboundSms) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "created_at": format_datetime(row.created_at),
        "service_id": str(row.service_id),
        "notify_number": row.notify_number,
        "user_number": row.user_number,
        "content": _content(box, row),
    }


def list_page(ctx: ApiContext, caller: Caller, *, older_than: uuid.UUID | None) -> list[dict[str, Any]]:
    with ctx.db.session() as session:
        rows = store.list_received_texts(session, caller.service.id, older_than=older_than,
                                         limit=ctx.settings.page_size)
    return [received_text(ctx.secret_box, row) for row in rows]
