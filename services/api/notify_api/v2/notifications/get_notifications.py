"""GET /v2/notifications/{id} and GET /v2/notifications (keyset-paginated list)."""
from __future__ import annotations

import uuid
from urllib.parse import urlencode

from flask import Response, jsonify, request

from notify_shared.errors import NoResultFound

from ...auth import current_caller
from ...context import api_context
from ...notifications import reading
from ...schema_validation import validate
from . import notifications_blueprint
from .notification_schemas import get_notifications_request, notification_by_id
from .page_json import json_response

SINGLE_VALUED = ("older_than", "reference", "include_jobs")
REPEATABLE = ("status", "template_type")


@notifications_blueprint.route("/<notification_id>", methods=["GET"])
def get_notification_by_id(notification_id: str):
    validate({"notification_id": notification_id}, notification_by_id)
    found = reading.get_one(api_context(), current_caller(), uuid.UUID(notification_id), request.host_url)
    if found is None:
        raise NoResultFound()
    return jsonify(found), 200


@notifications_blueprint.route("/<notification_id>/pdf", methods=["GET"])
def get_pdf_for_notification(notification_id: str):
    validate({"notification_id": notification_id}, notification_by_id)
    pdf = reading.letter_pdf(api_context(), current_caller(), uuid.UUID(notification_id))
    return Response(pdf, status=200, mimetype="application/pdf")


def _page_link(query: dict, older_than: str | None) -> str:
    # older_than goes first: the official client's iterator takes the first UUID it finds in links.next,
    # and a `reference` may itself look like a UUID.
    pairs: list[tuple[str, str]] = []
    if older_than:
        pairs.append(("older_than", older_than))
    for name in REPEATABLE:
        pairs.extend((name, value) for value in query.get(name, ()))
    for name in ("reference", "include_jobs"):
        if name in query:
            pairs.append((name, query[name]))
    url = f"{request.host_url}v2/notifications"
    return f"{url}?{urlencode(pairs)}" if pairs else url


@notifications_blueprint.route("", methods=["GET"])
def get_notifications():
    query = request.args.to_dict(flat=False)
    # Only the first value of a single-valued parameter counts, as in Notify.
    for name in SINGLE_VALUED:
        if name in query:
            query[name] = query[name][0]
    query = validate(query, get_notifications_request)
    older_than = query.get("older_than")
    notifications = reading.list_page(
        api_context(), current_caller(),
        statuses_wanted=query.get("status", ()),
        template_types=query.get("template_type", ()),
        client_reference=query.get("reference"),
        include_jobs="include_jobs" in query,
        older_than=uuid.UUID(older_than) if older_than else None,
        url_root=request.host_url,
    )
    links = {"current": _page_link(query, older_than)}
    if notifications:
        links["next"] = _page_link(query, notifications[-1]["id"])
    return json_response({"notifications": notifications, "links": links}, 200)
