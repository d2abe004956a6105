"""`notify-admin callbacks ...`

The bearer token is a secret, so besides `--bearer-token` (visible in shell history and `ps`) it can come
from the CALLBACK_BEARER_TOKEN environment variable or, with `--bearer-token-stdin`, from the first line of
standard input. It is never printed.
"""
from __future__ import annotations

import sys
import uuid

import click

from ..admin import callbacks as ops
from ..admin import schemas
from .row_commands import register_list
from .runtime import SERVICE, Runtime, body, changed, output, pass_runtime

TYPE = click.option("--type", "callback_type", type=click.Choice(schemas.CALLBACK_TYPES), required=True)


@click.group("callbacks")
def callbacks() -> None:
    """Where delivery receipts, complaints and received texts are POSTed for a service."""


@callbacks.command("set")
@SERVICE
@TYPE
@click.option("--url", required=True)
@click.option("--bearer-token", envvar="CALLBACK_BEARER_TOKEN", show_envvar=True,
              help="Sent as `Authorization: Bearer ...`; at least 10 characters. Omit to keep the current one.")
@click.option("--bearer-token-stdin", is_flag=True, help="Read the bearer token from the first line of stdin.")
@pass_runtime
def set_(runtime: Runtime, service_id: uuid.UUID, callback_type: str, url: str, bearer_token: str | None,
         bearer_token_stdin: bool) -> None:
    if bearer_token_stdin:
        bearer_token = sys.stdin.readline().rstrip("\r\n")
    callback, _created = runtime.run(ops.set_callback, runtime.box, service_id, callback_type,
                                     body(schemas.SET_CALLBACK, url=url, bearer_token=bearer_token),
                                     allow_http=runtime.admin.allow_http_callbacks)
    changed("callback_set", service_id, callback_type=callback_type, bearer_token_changed=bearer_token is not None)
    output(callback)


register_list(callbacks, ops.list_callbacks)


@callbacks.command("get")
@SERVICE
@TYPE
@pass_runtime
def get(runtime: Runtime, service_id: uuid.UUID, callback_type: str) -> None:
    output(runtime.run(ops.get_callback, service_id, callback_type))


@callbacks.command("delete")
@SERVICE
@TYPE
@pass_runtime
def delete(runtime: Runtime, service_id: uuid.UUID, callback_type: str) -> None:
    runtime.run(ops.delete_callback, service_id, callback_type)
    changed("callback_deleted", service_id, callback_type=callback_type)
    output({"service_id": str(service_id), "callback_type": callback_type, "deleted": True})
