import pytest

from notify_shared.templates import missing_personalisation, placeholder_names, render, sms_fragment_count


def test_placeholders_are_found_once_in_order_of_appearance():
    assert placeholder_names("Hi ((name)), ((Name)) ((code??Your code))", "((date))") == ["name", "code", "date"]


def test_missing_personalisation_lists_names_not_provided():
    assert missing_personalisation({"name": "Ada"}, "((name)) ((code)) ((day))") == ["code", "day"]


def test_render_substitutes_and_handles_conditionals():
    text = "Hello ((name))((vip?? - welcome back))"
    assert render(text, {"name": "Ada", "vip": "yes"}) == "Hello Ada - welcome back"
    assert render(text, {"name": "Ada", "vip": "no"}) == "Hello Ada"


def test_render_escapes_html_in_email_personalisation():
    assert render("((x))", {"x": "<b>&"}, escape_html=True) == "&lt;b&gt;&amp;"


@pytest.mark.parametrize(("text", "fragments"), [
    ("a" * 160, 1), ("a" * 161, 2), ("a" * 306, 2), ("a" * 307, 3),
    ("€" * 80, 1), ("€" * 81, 2),
    ("é" * 160, 1), ("ŵ" * 70, 1), ("ŵ" * 71, 2), ("ŵ" * 134, 2), ("ŵ" * 135, 3),
])
def test_sms_fragments_follow_gsm7_and_ucs2_part_sizes(text, fragments):
    assert sms_fragment_count(text) == fragments
