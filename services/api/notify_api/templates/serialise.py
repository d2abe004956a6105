"""Notify's v2 template bodies (reference/notify-server-contract.md §6.5)."""
from __future__ import annotations

from typing import Any

from notify_shared import statuses, templates

from ..notifications.serialise import format_datetime
from .store import TemplateVersion


def placeholder_texts(template: TemplateVersion) -> tuple[str | None, ...]:
    """The texts whose placeholders must be filled: contact block (letters), subject, then body."""
    if template.template_type == statuses.LETTER:
        return template.letter_contact_block, template.subject, template.content
    if template.template_type == statuses.EMAIL:
        return template.subject, template.content
    return (template.content,)


def template(row: TemplateVersion) -> dict[str, Any]:
    return {
        "id": str(row.id),
        "type": row.template_type,
        "created_at": format_datetime(row.created_at),
        "updated_at": format_datetime(row.updated_at),
        "created_by": row.created_by,
        "version": row.version,
        "body": row.content,
        "subject": row.subject if row.template_type in (statuses.EMAIL, statuses.LETTER) else None,
        "name": row.name,
        "personalisation": {name: {"required": True} for name in templates.placeholder_names(*placeholder_texts(row))},
        "postage": row.postage,
        "letter_contact_block": row.letter_contact_block,
    }
