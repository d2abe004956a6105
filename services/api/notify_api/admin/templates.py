"""Templates: every edit is a new version (notifications keep the version they were sent with); archiving
is an edit too, so the history shows when a template stopped being usable."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notify_shared import provisioning
from notify_shared.errors import BadRequestError, NoResultFound, ValidationError
from notify_shared.models import Template, TemplateHistory
from notify_shared.statuses import LETTER, SMS
from notify_shared.templates import SMS_CHAR_LIMIT, sms_character_count

from . import serialise
from .lookups import owned_or_404, service_or_404

EDITABLE_FIELDS = ("name", "subject", "content", "postage", "letter_contact_block", "created_by")


def create_template(session: Session, service_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
    service = service_or_404(session, service_id)
    template_type = body["template_type"]
    if template_type not in (service.permissions or ()):
        # Notify's message (app/template/rest.py).
        raise BadRequestError(f"Creating {template_type} templates is not allowed")
    fields = {field: body.get(field) for field in EDITABLE_FIELDS}
    fields["name"] = fields["name"].strip()
    _check_content(template_type, fields)
    template = provisioning.create_template(
        session, service_id=service_id, name=fields["name"], template_type=template_type,
        content=fields["content"], subject=fields["subject"], created_by=fields["created_by"],
        postage=fields["postage"], letter_contact_block=fields["letter_contact_block"],
    )
    return serialise.template(template)


def list_templates(session: Session, service_id: uuid.UUID, *, template_type: str | None = None,
                   include_archived: bool = False) -> list[dict[str, Any]]:
    service_or_404(session, service_id)
    query = select(Template).where(Template.service_id == service_id)
    if template_type is not None:
        query = query.where(Template.template_type == template_type)
    if not include_archived:
        query = query.where(Template.archived.is_(False))
    rows = session.execute(query.order_by(Template.created_at, Template.id)).scalars().all()
    return [serialise.template(row) for row in rows]


def get_template(session: Session, service_id: uuid.UUID, template_id: uuid.UUID) -> dict[str, Any]:
    service_or_404(session, service_id)
    return serialise.template(owned_or_404(session, Template, template_id, service_id))


def update_template(session: Session, service_id: uuid.UUID, template_id: uuid.UUID,
                    body: dict[str, Any]) -> dict[str, Any]:
    service_or_404(session, service_id)
    template = _locked_template(session, service_id, template_id)
    if template.archived:
        raise BadRequestError("Template has been archived and cannot be edited")
    changes = {field: body[field] for field in EDITABLE_FIELDS if field in body}
    if "name" in changes:
        changes["name"] = changes["name"].strip()
    merged = {field: changes.get(field, getattr(template, field)) for field in EDITABLE_FIELDS}
    _check_content(template.template_type, merged)
    # Notify answers an edit that changes nothing without a new version (app/template/rest.py).
    changed = {field: value for field, value in changes.items() if getattr(template, field) != value}
    if changed:
        provisioning.update_template(session, template, **changed)
    return serialise.template(template)


def archive_template(session: Session, service_id: uuid.UUID, template_id: uuid.UUID) -> dict[str, Any]:
    service_or_404(session, service_id)
    template = _locked_template(session, service_id, template_id)
    if not template.archived:
        provisioning.update_template(session, template, archived=True)
    return serialise.template(template)


def list_versions(session: Session, service_id: uuid.UUID, template_id: uuid.UUID) -> list[dict[str, Any]]:
    service_or_404(session, service_id)
    owned_or_404(session, Template, template_id, service_id)
    rows = session.execute(
        select(TemplateHistory).where(TemplateHistory.id == template_id).order_by(TemplateHistory.version.desc())
    ).scalars().all()
    return [serialise.template(row) for row in rows]


def _locked_template(session: Session, service_id: uuid.UUID, template_id: uuid.UUID) -> Template:
    # Two edits at once must not both become version N+1 (the history's primary key would refuse one anyway).
    template = session.get(Template, template_id, with_for_update=True)
    if template is None or template.service_id != service_id:
        raise NoResultFound()
    return template


def _check_content(template_type: str, fields: dict[str, Any]) -> None:
    problems = []
    if template_type == SMS:
        if fields.get("subject") is not None:
            problems.append("subject is not allowed for sms templates")
        if sms_character_count(fields["content"]) > SMS_CHAR_LIMIT:
            # Notify's message for an over-long text template.
            problems.append(f"Content has a character count greater than the limit of {SMS_CHAR_LIMIT}")
    elif not fields.get("subject"):
        problems.append(f"subject is required for {template_type} templates")
    if template_type != LETTER:
        if fields.get("postage") is not None:
            problems.append("postage is only allowed for letter templates")
        if fields.get("letter_contact_block") is not None:
            problems.append("letter_contact_block is only allowed for letter templates")
    if problems:
        raise ValidationError(problems)
