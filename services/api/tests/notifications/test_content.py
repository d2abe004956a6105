import pytest

from notify_api.notifications import content
from notify_shared.errors import BadRequestError


def test_sanitising_escapes_markdown_and_breaks_links_only_in_named_values():
    values, changed = content.sanitise_personalisation(
        {"name": "[click](https://x.example)", "code": "a*b", "plain": "Ada"}, ["name", "plain"])

    assert values == {"name": "\\[click\\]\\(x\\.example\\)", "code": "a*b", "plain": "Ada"}
    assert changed == {"name": {"unsanitised": "[click](https://x.example)",
                                "sanitised": "\\[click\\]\\(x\\.example\\)"}}


def test_the_sms_limit_leaves_out_the_service_name_prefix_as_notify_does():
    body = "x" * 918

    assert content.render_sms(body, {}).body == body
    with pytest.raises(BadRequestError) as excinfo:
        content.render_sms(body + "x", {})
    assert excinfo.value.message.endswith("Your message is 919 characters long.")


def test_an_empty_message_is_refused():
    with pytest.raises(BadRequestError) as excinfo:
        content.render_sms("((name))", {"name": "  "})

    assert excinfo.value.message == "Your message is empty."


def test_email_subjects_are_one_line():
    rendered = content.render_email("Body", "Hello\n((name))  there", {"name": "Ada"})

    assert rendered.subject == "Hello Ada there"


@pytest.mark.parametrize("number, simulated", [("447700900000", True), ("447700900111", True),
                                               ("447700900222", True), ("447700900333", False)])
def test_notify_smoke_test_numbers_are_simulated(number, simulated):
    assert content.is_simulated_phone_number(number) is simulated


def test_simulated_email_addresses_match_case_insensitively():
    assert content.is_simulated_email_address("Simulate-Delivered-2@notifications.service.gov.uk")
    assert not content.is_simulated_email_address("simulate-delivered-4@notifications.service.gov.uk")
