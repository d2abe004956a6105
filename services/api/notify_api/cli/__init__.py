"""`notify-admin`: the admin API's operations from a terminal, straight against the database.

    notify-admin services create --name "Tax reminders" --live --permissions sms,email
    notify-admin keys create --service ID --type normal

Needs DATABASE_URL and SECRET_KEY (the same values the API runs with). See docs/admin.md.
"""
from __future__ import annotations

import click

from .callbacks import callbacks
from .inbound_numbers import inbound_numbers
from .keys import keys
from .recipients import guest_list, team
from .runtime import AdminGroup, Runtime
from .senders import reply_to, sms_senders
from .services import services
from .templates import templates


@click.group(cls=AdminGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.pass_context
def cli(ctx: click.Context) -> None:
    """Run a notify platform without a web UI. Prints JSON; errors go to stderr with exit status 1."""
    runtime = Runtime()
    ctx.obj = runtime
    ctx.call_on_close(runtime.close)


for group in (services, keys, templates, sms_senders, reply_to, callbacks, guest_list, team, inbound_numbers):
    cli.add_command(group)


def main() -> None:
    cli(prog_name="notify-admin")
