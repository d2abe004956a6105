"""POST /v2/template/{id}/preview through the official client: Notify's shape, formatting and errors."""
from __future__ import annotations

import pytest
from notifications_python_client.errors import HTTPError

from notify_shared import provisioning

P = '<p style="Margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0B0C0C;">'


@pytest.fixture
def formatted_email(db, sample_service):
    content = ("# Your visit\n\nHello ((name)),\n\n* bring ((item))\n* arrive early\n\n^ Your code is ((code))\n\n"
               "---\n\nRead [the guide](https://www.gov.uk/guide)")
    with db.session() as session:
        return provisioning.create_template(session, service_id=sample_service.id, name="formatted",
                                            template_type="email", subject="Visit for ((name))", content=content).id


def test_an_email_preview_has_its_body_subject_and_notify_formatted_html(notify_client, sample_service,
                                                                         formatted_email):
    preview = notify_client(sample_service.api_key).post_template_preview(
        str(formatted_email), {"name": "Ada <b>", "item": "ID & passport", "code": "42"})

    assert set(preview) == {"id", "type", "version", "body", "html", "subject", "postage"}
    assert (preview["id"], preview["type"], preview["version"], preview["postage"]) == (
        str(formatted_email), "email", 1, None)
    assert preview["subject"] == "Visit for Ada <b>"
    assert preview["body"].startswith("# Your visit\n\nHello Ada <b>,\n\n* bring ID & passport\n")
    html = preview["html"]
    assert html.startswith('<h2 style="Margin: 0 0 15px 0;')
    assert f"{P}Hello Ada &lt;b&gt;,</p>" in html
    assert ">bring ID &amp; passport</li>" in html and ">arrive early</li>" in html
    assert '<ul style="Margin: 0 0 0 20px; padding: 0; list-style-type: disc;">' in html
    assert f'border-left: 10px solid #B1B4B6; padding: 15px 0 0.1px 15px; font-size: 19px; line-height: 25px;">' \
           f"{P}Your code is 42</p></blockquote>" in html
    assert '<hr style="border: 0; height: 1px; background: #B1B4B6; Margin: 30px 0 30px 0;">' in html
    assert '<a style="word-wrap: break-word; color: #1D70B8;" href="https://www.gov.uk/guide">the guide</a>' in html
    assert "<b>" not in html


def test_a_text_preview_has_no_subject_or_html(notify_client, sample_service):
    preview = notify_client(sample_service.api_key).post_template_preview(
        str(sample_service.sms_template_id), {"name": "Ada", "code": ""})

    assert preview == {"id": str(sample_service.sms_template_id), "type": "sms", "version": 1,
                       "body": "Hello Ada, your code is .", "html": None, "subject": None, "postage": None}


def test_a_letter_preview_has_subject_and_postage(notify_client, sample_service):
    preview = notify_client(sample_service.api_key).post_template_preview(
        str(sample_service.letter_template_id), {"name": "Ada"})

    assert (preview["type"], preview["body"], preview["subject"], preview["html"], preview["postage"]) == (
        "letter", "Dear Ada", "Letter for Ada", None, "second")


def test_missing_personalisation_is_named_in_the_error(notify_client, sample_service):
    with pytest.raises(HTTPError) as excinfo:
        notify_client(sample_service.api_key).post_template_preview(str(sample_service.sms_template_id), {"x": 1})

    assert (excinfo.value.status_code, excinfo.value.message) == (
        400, [{"error": "BadRequestError", "message": "Missing personalisation: name, code"}])


def test_a_template_without_placeholders_previews_with_an_empty_body(shared_api, sample_service, tokens, db):
    import requests

    with db.session() as session:
        plain = provisioning.create_template(session, service_id=sample_service.id, name="plain",
                                             template_type="sms", content="No placeholders").id

    response = requests.post(f"{shared_api}/v2/template/{plain}/preview", timeout=5,
                             headers=tokens.bearer(sample_service.api_key))

    assert (response.status_code, response.json()["body"]) == (200, "No placeholders")


def test_preview_body_errors(notify_client, sample_service):
    client = notify_client(sample_service.api_key)

    with pytest.raises(HTTPError) as not_an_object:
        client.post_template_preview(str(sample_service.sms_template_id), "Ada")
    with pytest.raises(HTTPError) as bad_id:
        client.post_template_preview("nope", {})

    assert not_an_object.value.message == [
        {"error": "ValidationError", "message": "personalisation should contain key value pairs"}]
    assert bad_id.value.message == [{"error": "ValidationError", "message": "id is not a valid UUID"}]
