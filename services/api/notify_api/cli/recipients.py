"""`notify-admin guest-list ...` and `notify-admin team ...`"""
from __future__ import annotations

import uuid

import click

from notify_shared.admin_models import EMAIL, MOBILE

from ..admin import guest_list as guest_ops
from ..admin import schemas
from ..admin import team_members as team_ops
from .runtime import Runtime, body, changed, output, pass_runtime

SERVICE = click.option("--service", "service_id", type=click.UUID, required=True)


@click.group("guest-list")
def guest_list() -> None:
    """Numbers and addresses a trial-mode service or a team key may send to, besides the team."""


@guest_list.command("add")
@SERVICE
@click.option("--mobile", help="A mobile number.")
@click.option("--email", help="An email address.")
@pass_runtime
def add_guest(runtime: Runtime, service_id: uuid.UUID, mobile: str | None, email: str | None) -> None:
    if (mobile is None) == (email is None):
        raise click.UsageError("give exactly one of --mobile or --email")
    recipient_type, recipient = (MOBILE, mobile) if mobile is not None else (EMAIL, email)
    guest, created = runtime.run(guest_ops.add_guest, service_id,
                                 body(schemas.ADD_GUEST, recipient_type=recipient_type, recipient=recipient))
    if created:
        changed("guest_added", service_id, guest_id=guest["id"])
    output(guest)


@guest_list.command("list")
@SERVICE
@pass_runtime
def list_guests(runtime: Runtime, service_id: uuid.UUID) -> None:
    output(runtime.run(guest_ops.list_guests, service_id))


@guest_list.command("remove")
@SERVICE
@click.option("--id", "entry_id", type=click.UUID, required=True)
@pass_runtime
def remove_guest(runtime: Runtime, service_id: uuid.UUID, entry_id: uuid.UUID) -> None:
    runtime.run(guest_ops.remove_guest, service_id, entry_id)
    changed("guest_removed", service_id, guest_id=entry_id)
    output({"id": str(entry_id), "deleted": True})


@click.group("team")
def team() -> None:
    """Team members: who a team key may send to."""


@team.command("add")
@SERVICE
@click.option("--name", required=True)
@click.option("--email", "email_address", required=True)
@click.option("--mobile", "mobile_number")
@pass_runtime
def add_member(runtime: Runtime, service_id: uuid.UUID, name: str, email_address: str,
               mobile_number: str | None) -> None:
    member = runtime.run(team_ops.add_team_member, service_id, body(
        schemas.ADD_TEAM_MEMBER, name=name, email_address=email_address, mobile_number=mobile_number))
    changed("team_member_added", service_id, team_member_id=member["id"])
    output(member)


@team.command("list")
@SERVICE
@pass_runtime
def list_members(runtime: Runtime, service_id: uuid.UUID) -> None:
    output(runtime.run(team_ops.list_team_members, service_id))


@team.command("update")
@SERVICE
@click.option("--id", "member_id", type=click.UUID, required=True)
@click.option("--name")
@click.option("--mobile", "mobile_number", help="'' removes the number.")
@pass_runtime
def update_member(runtime: Runtime, service_id: uuid.UUID, member_id: uuid.UUID, name: str | None,
                  mobile_number: str | None) -> None:
    fields = body(schemas.UPDATE_TEAM_MEMBER, name=name, mobile_number=mobile_number)
    member = runtime.run(team_ops.update_team_member, service_id, member_id, fields)
    changed("team_member_updated", service_id, team_member_id=member_id)
    output(member)


@team.command("remove")
@SERVICE
@click.option("--id", "member_id", type=click.UUID, required=True)
@pass_runtime
def remove_member(runtime: Runtime, service_id: uuid.UUID, member_id: uuid.UUID) -> None:
    runtime.run(team_ops.remove_team_member, service_id, member_id)
    changed("team_member_removed", service_id, team_member_id=member_id)
    output({"id": str(member_id), "deleted": True})
