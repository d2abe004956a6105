"""Team members: the people a team key (and a trial-mode service) may send to, by email or text."""
from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from notify_shared.admin_models import ServiceTeamMember
from notify_shared.errors import BadRequestError

from . import serialise
from .lookups import owned_or_404, service_or_404, service_rows
from .recipients import normalised_email, normalised_mobile


def add_team_member(session: Session, service_id: uuid.UUID, body: dict[str, Any]) -> dict[str, Any]:
    email = normalised_email(body["email_address"], "email_address")
    mobile = _mobile(body.get("mobile_number"))
    service_or_404(session, service_id)
    duplicate = session.execute(
        select(ServiceTeamMember.id).where(ServiceTeamMember.service_id == service_id,
                                           ServiceTeamMember.email_address == email)
    ).first()
    if duplicate is not None:
        raise BadRequestError(f"{email} is already a team member of this service")
    member = ServiceTeamMember(service_id=service_id, name=body["name"].strip(), email_address=email,
                               mobile_number=mobile)
    session.add(member)
    session.flush()
    return serialise.team_member(member)


def list_team_members(session: Session, service_id: uuid.UUID) -> list[dict[str, Any]]:
    rows = service_rows(session, ServiceTeamMember, service_id,
                        order_by=(ServiceTeamMember.name, ServiceTeamMember.email_address))
    return [serialise.team_member(row) for row in rows]


def update_team_member(session: Session, service_id: uuid.UUID, member_id: uuid.UUID,
                       body: dict[str, Any]) -> dict[str, Any]:
    mobile = _mobile(body.get("mobile_number"))
    service_or_404(session, service_id)
    member = owned_or_404(session, ServiceTeamMember, member_id, service_id)
    if "name" in body:
        member.name = body["name"].strip()
    if "mobile_number" in body:
        member.mobile_number = mobile
    session.flush()
    return serialise.team_member(member)


def remove_team_member(session: Session, service_id: uuid.UUID, member_id: uuid.UUID) -> None:
    service_or_404(session, service_id)
    session.delete(owned_or_404(session, ServiceTeamMember, member_id, service_id))


def _mobile(number: str | None) -> str | None:
    return normalised_mobile(number, "mobile_number") if number else None
