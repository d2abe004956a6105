"""Turning a claimed notification into the text a provider receives.

Placeholders are filled from the decrypted personalisation with notify_shared.templates, using the
template version the notification was created with.
"""
from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from notify_shared.crypto import SecretBox
from notify_shared.templates import render, sms_fragment_count


class RenderError(ValueError):
    """The notification cannot be rendered (bad personalisation, missing template): never retried."""


@dataclass(frozen=True)
class RenderedSms:
    content: str
    fragments: int


@dataclass(frozen=True)
class RenderedEmail:
    subject: str
    text_body: str
    html_body: str


def decrypt_personalisation(box: SecretBox, token: str | None) -> dict[str, Any]:
    if not token:
        return {}
    try:
        values = json.loads(box.decrypt(token))
    except ValueError as exc:  # wrong key or not JSON; the message says which without the content
        raise RenderError(f"personalisation cannot be read: {exc}") from exc
    if values is None:
        return {}
    if not isinstance(values, dict):
        raise RenderError("personalisation is not a JSON object")
    return values


def render_sms(content: str, personalisation: Mapping[str, Any], *, service_name: str, prefix: bool) -> RenderedSms:
    body = render(content, personalisation).strip()
    if prefix:
        # Notify prefixes texts with the service name when the service asks for it (prefix_sms).
        body = f"{service_name}: {body}"
    return RenderedSms(body, sms_fragment_count(body))


def render_email(subject: str | None, content: str, personalisation: Mapping[str, Any]) -> RenderedEmail:
    # A subject is one line: personalisation cannot add line breaks to it (header injection).
    rendered_subject = " ".join(render(subject or "", personalisation).split())
    text_body = render(content, personalisation).strip()
    return RenderedEmail(rendered_subject, text_body, _html(content, personalisation, rendered_subject))


def _html(content: str, personalisation: Mapping[str, Any], subject: str) -> str:
    # Escape the template text and the personalisation separately so values cannot inject markup.
    escaped = render(html.escape(content, quote=False), personalisation, escape_html=True).strip()
    paragraphs = [p for p in re.split(r"\n\s*\n", escaped) if p.strip()]
    body = "\n".join(f'<p style="margin: 0 0 20px 0;">{p.strip().replace(chr(10), "<br>")}</p>' for p in paragraphs)
    return (
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        f"<title>{html.escape(subject)}</title></head>\n"
        "<body style=\"font-family: Helvetica, Arial, sans-serif; font-size: 19px; line-height: 1.315789474;"
        " color: #0b0c0c;\">\n"
        f"{body}\n</body></html>"
    )
