"""Reads of a service's templates. Every function takes an open session and does no network I/O."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from notify_shared.models import Template, TemplateHistory


@dataclass(frozen=True)
class TemplateVersion:
    id: uuid.UUID
    template_type: str
    name: str
    subject: str | None
    content: str
    version: int
    archived: bool
    postage: str | None
    letter_contact_block: str | None
    created_by: str | None
    created_at: datetime
    updated_at: datetime | None


def _columns(model: type[Template] | type[TemplateHistory]) -> tuple:
    return (model.id, model.template_type, model.name, model.subject, model.content, model.version,
            model.archived, model.postage, model.letter_contact_block, model.created_by, model.created_at,
            model.updated_at)


def list_templates(session: Session, service_id: uuid.UUID, template_type: str | None) -> list[TemplateVersion]:
    """The service's current templates, archived ones left out, by name then type (Notify's order)."""
    query = select(*_columns(Template)).where(Template.service_id == service_id, Template.archived.is_(False))
    if template_type is not None:
        query = query.where(Template.template_type == template_type)
    rows = session.execute(query.order_by(Template.name, Template.template_type, Template.id)).all()
    return [TemplateVersion(*row) for row in rows]


def get_template(session: Session, service_id: uuid.UUID, template_id: uuid.UUID,
                 version: int | None = None) -> TemplateVersion | None:
    """The current template, or one of its versions from the history; only if it is the service's own."""
    model = Template if version is None else TemplateHistory
    query = select(*_columns(model)).where(model.id == template_id, model.service_id == service_id)
    if version is not None:
        query = query.where(TemplateHistory.version == version)
    row = session.execute(query).first()
    return TemplateVersion(*row) if row else None
