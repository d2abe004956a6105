"""`notify-admin templates ...`"""
from __future__ import annotations

import uuid
from typing import IO

import click

from notify_shared.statuses import NOTIFICATION_TYPES

from ..admin import schemas
from ..admin import templates as ops
from .row_commands import register_change, register_show, row_option
from .runtime import SERVICE, Runtime, body, changed, output, pass_runtime


def _content_options(command):  # noqa: ANN001, ANN202 - click decorator stack
    for option in (
        click.option("--content", help="The template text."),
        click.option("--content-file", type=click.File("r", encoding="utf-8"),
                     help="Read the template text from a file ('-' for stdin)."),
        click.option("--subject", help="Email and letter templates."),
        click.option("--postage", type=click.Choice(schemas.TEMPLATE_POSTAGE), help="Letter templates."),
        click.option("--letter-contact-block"),
        click.option("--created-by", help="Who made this version (free text)."),
    ):
        command = option(command)
    return command


def _content(content: str | None, content_file: IO[str] | None) -> str | None:
    if content is not None and content_file is not None:
        raise click.UsageError("give --content or --content-file, not both")
    return content_file.read() if content_file is not None else content


@click.group("templates")
def templates() -> None:
    """Create templates and edit them; every edit is a new version."""


@templates.command("create")
@SERVICE
@click.option("--name", required=True)
@click.option("--type", "template_type", type=click.Choice(NOTIFICATION_TYPES), required=True)
@_content_options
@pass_runtime
def create(runtime: Runtime, service_id: uuid.UUID, name: str, template_type: str, content: str | None,
           content_file: IO[str] | None, **fields: str | None) -> None:
    template = runtime.run(ops.create_template, service_id, body(
        schemas.CREATE_TEMPLATE, name=name, template_type=template_type,
        content=_content(content, content_file), **fields))
    changed("template_created", service_id, template_id=template["id"])
    output(template)


@templates.command("update")
@SERVICE
@click.option("--template", "template_id", type=click.UUID, required=True)
@click.option("--name")
@_content_options
@pass_runtime
def update(runtime: Runtime, service_id: uuid.UUID, template_id: uuid.UUID, content: str | None,
           content_file: IO[str] | None, **fields: str | None) -> None:
    template = runtime.run(ops.update_template, service_id, template_id, body(
        schemas.UPDATE_TEMPLATE, content=_content(content, content_file), **fields))
    changed("template_updated", service_id, template_id=template_id, version=template["version"])
    output(template)


@templates.command("list")
@SERVICE
@click.option("--type", "template_type", type=click.Choice(NOTIFICATION_TYPES))
@click.option("--include-archived", is_flag=True)
@pass_runtime
def list_(runtime: Runtime, service_id: uuid.UUID, template_type: str | None, include_archived: bool) -> None:
    output(runtime.run(ops.list_templates, service_id, template_type=template_type,
                       include_archived=include_archived))


register_show(templates, "get", ops.get_template, row_option("--template"))
register_show(templates, "versions", ops.list_versions, row_option("--template"))
register_change(templates, "archive", ops.archive_template, row_option("--template"),
                action="template_archived", logged_id="template_id")
