"""`notify-admin guest-list ...` and `notify-admin team ...`"""
from __future__ import annotations

import uuid

import click

from notify_shared.admin_models import EMAIL, MOBILE

from ..admin import guest_list as guest_ops
from ..admin import schemas
from ..admin import team_members as team_ops
from .row_commands import register_add, register_list, register_remove, register_update, row_option
from .runtime import SERVICE, Runtime, body, changed, output, pass_runtime


@click.group("guest-list")
def guest_list() -> None:
    """Numbers and addresses a trial-mode service or a team key may send to, besides the team."""


@guest_list.command("add")
@SERVICE
@click.option("--mobile", help="A mobile number.")
@click.option("--email", help="An email address.")
@pass_runtime
def add_guest(runtime: Runtime, service_id: uuid.UUID, mobile: str | None, email: str | None) -> None:
    # Not register_add: one of two options names the recipient and its type, and adding it again is no change.
    if (mobile is None) == (email is None):
        raise click.UsageError("give exactly one of --mobile or --email")
    recipient_type, recipient = (MOBILE, mobile) if mobile is not None else (EMAIL, email)
    guest, created = runtime.run(guest_ops.add_guest, service_id,
                                 body(schemas.ADD_GUEST, recipient_type=recipient_type, recipient=recipient))
    if created:
        changed("guest_added", service_id, guest_id=guest["id"])
    output(guest)


register_list(guest_list, guest_ops.list_guests)
register_remove(guest_list, "remove", guest_ops.remove_guest, row_option("--id"),
                action="guest_removed", logged_id="guest_id")


@click.group("team")
def team() -> None:
    """Team members: who a team key may send to."""


register_add(team, team_ops.add_team_member, schema=schemas.ADD_TEAM_MEMBER,
             options=(click.option("--name", required=True), click.option("--email", "email_address", required=True),
                      click.option("--mobile", "mobile_number")),
             action="team_member_added", logged_id="team_member_id")
register_list(team, team_ops.list_team_members)
register_update(team, team_ops.update_team_member, row_option("--id"), schema=schemas.UPDATE_TEAM_MEMBER,
                options=(click.option("--name"),
                         click.option("--mobile", "mobile_number", help="'' removes the number.")),
                action="team_member_updated", logged_id="team_member_id")
register_remove(team, "remove", team_ops.remove_team_member, row_option("--id"),
                action="team_member_removed", logged_id="team_member_id")
