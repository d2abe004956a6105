"""The admin API's routes: parse and validate, run one operation in one transaction, answer JSON.
No SQL here; every operation lives in its domain module and is shared with the CLI."""
from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.exceptions import BadRequest

from notify_shared.errors import BadRequestError, ValidationError
from notify_shared.logging import bind, get_logger
from notify_shared.statuses import NOTIFICATION_TYPES

from ..context import api_context
from . import api_keys, callbacks, guest_list, inbound_numbers, schemas, senders, services, team_members, templates
from .auth import authenticate_admin
from .config import AdminSettings
from .transaction import in_transaction
from .validation import validated

log = get_logger(__name__)

EXTENSION_NAME = "notify_admin"

admin_blueprint = Blueprint("admin", __name__, url_prefix="/admin")


def admin_settings() -> AdminSettings:
    return current_app.extensions[EXTENSION_NAME]


@admin_blueprint.before_request
def require_admin_token() -> None:
    client = authenticate_admin(request.headers.get("Authorization"), admin_settings())
    bind(admin_client=client)


def _body(schema: dict[str, Any]) -> dict[str, Any]:
    try:
        body = request.get_json(force=True)
    except BadRequest as exc:
        raise BadRequestError("Invalid JSON supplied in POST data") from exc
    if not isinstance(body, dict):
        # Checked before the schema so that no message ever repeats a body that might be a secret.
        raise BadRequestError("The request body must be a JSON object")
    return validated(body, schema)


def _run(operation: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    return in_transaction(api_context().db, operation, *args, **kwargs)


def _data(data: Any, status: int = 200) -> Response:
    response = jsonify(data=data)
    response.status_code = status
    return response


def _changed(action: str, service_id: uuid.UUID | None = None, **ids: object) -> None:
    """One log line per change, never with a secret; and this process's cached keys, permissions and templates
    are dropped so the change applies at once here (other processes within API_KEY_CACHE_SECONDS and
    API_TEMPLATE_CACHE_SECONDS)."""
    if service_id is not None:
        api_context().credentials.forget(service_id)
        if api_context().templates is not None:
            api_context().templates.forget(service_id)
    log.info("admin_change", action=action, service_id=str(service_id) if service_id else None,
             **{name: str(value) for name, value in ids.items()})


def _flag(name: str) -> bool:
    raw = request.args.get(name, "false").lower()
    if raw not in ("true", "false"):
        raise ValidationError(f"{name} must be true or false")
    return raw == "true"


# Most routes only run one operation on a service's rows and answer in one of four ways, so one piece of code
# serves each way. They are registered as `admin_blueprint.<method>(rule)(view)`, the decorator applied by
# hand: every rule, and the audit action and id each change is logged with, is still written out below.
# A view is named after its operation, which is its endpoint.


def _reading(operation: Callable[..., Any]) -> Callable[..., Response]:
    """GET: what the operation answers for the service, and for the row the route names if it names one."""

    def view(service_id: uuid.UUID, **row_id: uuid.UUID) -> Response:
        return _data(_run(operation, service_id, *row_id.values()))

    return _named_after(operation, view)


def _adding(operation: Callable[..., Any], action: str, logged_id: str, *,
            schema: dict[str, Any]) -> Callable[..., Response]:
    """POST to a service's collection: the new row, logged by its id, answered 201."""

    def view(service_id: uuid.UUID) -> Response:
        row = _run(operation, service_id, _body(schema))
        _changed(action, service_id, **{logged_id: row["id"]})
        return _data(row, 201)

    return _named_after(operation, view)


def _changing(operation: Callable[..., Any], action: str, logged_id: str, *,
              schema: dict[str, Any] | None = None) -> Callable[..., Response]:
    """POST to one row: an update (with a body schema) or an archive or revoke (without); the changed row."""

    def view(service_id: uuid.UUID, **row_id: uuid.UUID) -> Response:
        (the_row_id,) = row_id.values()
        fields = () if schema is None else (_body(schema),)
        row = _run(operation, service_id, the_row_id, *fields)
        _changed(action, service_id, **{logged_id: the_row_id})
        return _data(row)

    return _named_after(operation, view)


def _removing(operation: Callable[..., Any], action: str, logged_id: str) -> Callable[..., Response]:
    """DELETE one row: 204."""

    def view(service_id: uuid.UUID, **row_id: uuid.UUID) -> Response:
        (the_row_id,) = row_id.values()
        _run(operation, service_id, the_row_id)
        _changed(action, service_id, **{logged_id: the_row_id})
        return Response(status=204)

    return _named_after(operation, view)


def _named_after(operation: Callable[..., Any], view: Callable[..., Response]) -> Callable[..., Response]:
    view.__name__ = view.__qualname__ = operation.__name__
    return view


# Services


@admin_blueprint.get("/services")
def list_services():
    return _data(_run(services.list_services))


@admin_blueprint.post("/services")
def create_service():
    service = _run(services.create_service, _body(schemas.CREATE_SERVICE))
    _changed("service_created", uuid.UUID(service["id"]))
    return _data(service, 201)


admin_blueprint.get("/services/<uuid:service_id>")(_reading(services.get_service))


@admin_blueprint.post("/services/<uuid:service_id>")
def update_service(service_id: uuid.UUID):
    body = _body(schemas.UPDATE_SERVICE)
    service = _run(services.update_service, service_id, body)
    _changed("service_updated", service_id, fields=",".join(sorted(body)))
    return _data(service)


# API keys


admin_blueprint.get("/services/<uuid:service_id>/api-keys")(_reading(api_keys.list_api_keys))


@admin_blueprint.post("/services/<uuid:service_id>/api-keys")
def create_api_key(service_id: uuid.UUID):
    key = _run(api_keys.create_api_key, api_context().secret_box, service_id, _body(schemas.CREATE_API_KEY))
    _changed("api_key_created", service_id, api_key_id=key["id"], key_type=key["key_type"])
    return _data(key, 201)


admin_blueprint.post("/services/<uuid:service_id>/api-keys/<uuid:key_id>/revoke")(
    _changing(api_keys.revoke_api_key, "api_key_revoked", "api_key_id"))


# Templates


@admin_blueprint.get("/services/<uuid:service_id>/templates")
def list_templates(service_id: uuid.UUID):
    template_type = request.args.get("template_type")
    if template_type is not None and template_type not in NOTIFICATION_TYPES:
        raise ValidationError(f"template_type must be one of {', '.join(NOTIFICATION_TYPES)}")
    return _data(_run(templates.list_templates, service_id, template_type=template_type,
                      include_archived=_flag("include_archived")))


admin_blueprint.post("/services/<uuid:service_id>/templates")(
    _adding(templates.create_template, "template_created", "template_id", schema=schemas.CREATE_TEMPLATE))
admin_blueprint.get("/services/<uuid:service_id>/templates/<uuid:template_id>")(_reading(templates.get_template))


@admin_blueprint.post("/services/<uuid:service_id>/templates/<uuid:template_id>")
def update_template(service_id: uuid.UUID, template_id: uuid.UUID):
    template = _run(templates.update_template, service_id, template_id, _body(schemas.UPDATE_TEMPLATE))
    _changed("template_updated", service_id, template_id=template_id, version=template["version"])
    return _data(template)


admin_blueprint.get("/services/<uuid:service_id>/templates/<uuid:template_id>/versions",
                    endpoint="list_template_versions")(_reading(templates.list_versions))
admin_blueprint.post("/services/<uuid:service_id>/templates/<uuid:template_id>/archive")(
    _changing(templates.archive_template, "template_archived", "template_id"))


# Text message senders


admin_blueprint.get("/services/<uuid:service_id>/sms-senders")(_reading(senders.list_sms_senders))
admin_blueprint.post("/services/<uuid:service_id>/sms-senders")(
    _adding(senders.add_sms_sender, "sms_sender_added", "sms_sender_id", schema=schemas.CREATE_SMS_SENDER))
admin_blueprint.post("/services/<uuid:service_id>/sms-senders/<uuid:sender_id>")(
    _changing(senders.update_sms_sender, "sms_sender_updated", "sms_sender_id", schema=schemas.UPDATE_SMS_SENDER))
admin_blueprint.post("/services/<uuid:service_id>/sms-senders/<uuid:sender_id>/archive")(
    _changing(senders.archive_sms_sender, "sms_sender_archived", "sms_sender_id"))


# Email reply-to addresses


admin_blueprint.get("/services/<uuid:service_id>/email-reply-to")(_reading(senders.list_email_reply_to))
admin_blueprint.post("/services/<uuid:service_id>/email-reply-to")(
    _adding(senders.add_email_reply_to, "email_reply_to_added", "email_reply_to_id",
            schema=schemas.CREATE_EMAIL_REPLY_TO))
admin_blueprint.post("/services/<uuid:service_id>/email-reply-to/<uuid:reply_to_id>")(
    _changing(senders.update_email_reply_to, "email_reply_to_updated", "email_reply_to_id",
              schema=schemas.UPDATE_EMAIL_REPLY_TO))
admin_blueprint.post("/services/<uuid:service_id>/email-reply-to/<uuid:reply_to_id>/archive")(
    _changing(senders.archive_email_reply_to, "email_reply_to_archived", "email_reply_to_id"))


# Callbacks


admin_blueprint.get("/services/<uuid:service_id>/callbacks")(_reading(callbacks.list_callbacks))


@admin_blueprint.get("/services/<uuid:service_id>/callbacks/<callback_type>")
def get_callback(service_id: uuid.UUID, callback_type: str):
    callbacks.check_callback_type(callback_type)
    return _data(_run(callbacks.get_callback, service_id, callback_type))


@admin_blueprint.post("/services/<uuid:service_id>/callbacks/<callback_type>")
def set_callback(service_id: uuid.UUID, callback_type: str):
    callbacks.check_callback_type(callback_type)
    body = _body(schemas.SET_CALLBACK)
    callback, created = _run(callbacks.set_callback, api_context().secret_box, service_id, callback_type, body,
                             allow_http=admin_settings().allow_http_callbacks)
    _changed("callback_set", service_id, callback_type=callback_type,
             bearer_token_changed="bearer_token" in body)
    return _data(callback, 201 if created else 200)


@admin_blueprint.delete("/services/<uuid:service_id>/callbacks/<callback_type>")
def delete_callback(service_id: uuid.UUID, callback_type: str):
    callbacks.check_callback_type(callback_type)
    _run(callbacks.delete_callback, service_id, callback_type)
    _changed("callback_deleted", service_id, callback_type=callback_type)
    return Response(status=204)


# Guest list and team members


admin_blueprint.get("/services/<uuid:service_id>/guest-list")(_reading(guest_list.list_guests))


@admin_blueprint.post("/services/<uuid:service_id>/guest-list")
def add_guest(service_id: uuid.UUID):
    guest, created = _run(guest_list.add_guest, service_id, _body(schemas.ADD_GUEST))
    if created:
        _changed("guest_added", service_id, guest_id=guest["id"])
    return _data(guest, 201 if created else 200)


admin_blueprint.delete("/services/<uuid:service_id>/guest-list/<uuid:entry_id>")(
    _removing(guest_list.remove_guest, "guest_removed", "guest_id"))

admin_blueprint.get("/services/<uuid:service_id>/team-members")(_reading(team_members.list_team_members))
admin_blueprint.post("/services/<uuid:service_id>/team-members")(
    _adding(team_members.add_team_member, "team_member_added", "team_member_id", schema=schemas.ADD_TEAM_MEMBER))
admin_blueprint.post("/services/<uuid:service_id>/team-members/<uuid:member_id>")(
    _changing(team_members.update_team_member, "team_member_updated", "team_member_id",
              schema=schemas.UPDATE_TEAM_MEMBER))
admin_blueprint.delete("/services/<uuid:service_id>/team-members/<uuid:member_id>")(
    _removing(team_members.remove_team_member, "team_member_removed", "team_member_id"))


# Inbound numbers


@admin_blueprint.get("/inbound-numbers")
def list_inbound_numbers():
    return _data(_run(inbound_numbers.list_inbound_numbers, available_only=_flag("available")))


@admin_blueprint.post("/inbound-numbers")
def create_inbound_number():
    number = _run(inbound_numbers.create_inbound_number, _body(schemas.CREATE_INBOUND_NUMBER))
    _changed("inbound_number_created", inbound_number_id=number["id"])
    return _data(number, 201)


@admin_blueprint.post("/inbound-numbers/<uuid:number_id>/assign")
def assign_inbound_number(number_id: uuid.UUID):
    number = _run(inbound_numbers.assign_inbound_number, number_id, _body(schemas.ASSIGN_INBOUND_NUMBER))
    _changed("inbound_number_assigned", uuid.UUID(number["service_id"]), inbound_number_id=number_id)
    return _data(number)
