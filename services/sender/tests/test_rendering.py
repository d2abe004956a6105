"""What the provider receives: rendered text, fragments, escaped HTML."""
from __future__ import annotations

import json

import pytest

from notify_sender.rendering import RenderError, decrypt_personalisation, render_email, render_sms
from notify_shared.crypto import SecretBox


def test_sms_is_rendered_and_prefixed_with_the_service_name_when_asked():
    rendered = render_sms("Hi ((name))", {"name": "Ada"}, service_name="Tax Office", prefix=True)

    assert rendered.content == "Tax Office: Hi Ada"
    assert rendered.fragments == 1


def test_sms_fragments_count_unicode_at_70_characters():
    assert render_sms("é" * 10 + "😀" * 61, {}, service_name="s", prefix=False).fragments == 2


def test_email_html_escapes_personalisation_and_keeps_paragraphs():
    rendered = render_email("Hello ((name))", "Dear ((name)),\n\nLine one\nline two", {"name": "<b>Ada</b>"})

    assert rendered.subject == "Hello <b>Ada</b>"
    assert rendered.text_body == "Dear <b>Ada</b>,\n\nLine one\nline two"
    assert "Dear &lt;b&gt;Ada&lt;/b&gt;," in rendered.html_body
    assert "Line one<br>line two" in rendered.html_body
    assert "<b>Ada</b>" not in rendered.html_body


def test_a_subject_cannot_gain_line_breaks_from_personalisation():
    assert render_email("Hi ((name))", "x", {"name": "Ada\r\nBcc: x@example.com"}).subject == \
        "Hi Ada Bcc: x@example.com"


def test_personalisation_is_decrypted_with_the_secret_key():
    box = SecretBox("k1")

    assert decrypt_personalisation(box, box.encrypt(json.dumps({"a": 1}))) == {"a": 1}
    assert decrypt_personalisation(box, None) == {}
    with pytest.raises(RenderError):
        decrypt_personalisation(SecretBox("other"), box.encrypt("{}"))
