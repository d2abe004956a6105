"""POST /v2/template/{id}/preview: a template filled in with personalisation, as Notify answers it.

`body` is the text with placeholders filled in and no formatting applied; `html` (emails only) is the
email body as Notify's formatting renders it; `subject` is one line. Pure functions, no I/O.
"""
from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from notify_shared import statuses, templates

from ..notifications.content import check_personalisation_complete
from .email_html import email_html_body
from .serialise import placeholder_texts
from .store import TemplateVersion


def _one_line(text: str) -> str:
    return " ".join(text.split())


def preview(row: TemplateVersion, personalisation: Mapping[str, Any]) -> dict[str, Any]:
    check_personalisation_complete(personalisation, *placeholder_texts(row))
    body = templates.render(row.content, personalisation)
    has_subject = row.template_type in (statuses.EMAIL, statuses.LETTER)
    return {
        "id": str(row.id),
        "type": row.template_type,
        "version": row.version,
        "body": body,
        "html": email_html_body(body) if row.template_type == statuses.EMAIL else None,
        "subject": _one_line(templates.render(row.subject, personalisation)) if has_subject else None,
        "postage": row.postage,
    }
