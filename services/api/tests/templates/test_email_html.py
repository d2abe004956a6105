"""Notify's email formatting, rule by rule (pure functions)."""
from __future__ import annotations

import time

from notify_api.templates.email_html import email_html_body, render_inline

P = '<p style="Margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0B0C0C;">'
LI = '<li style="Margin: 5px 0 5px; padding: 0 0 0 5px; font-size: 19px; line-height: 25px; color: #0B0C0C;">'
A = '<a style="word-wrap: break-word; color: #1D70B8;" href="'


def test_blank_lines_make_paragraphs_and_newlines_make_line_breaks():
    assert email_html_body("one\ntwo\n\n\nthree") == f"{P}one<br />two</p>{P}three</p>"


def test_one_hash_is_a_big_heading_two_a_smaller_one_and_more_a_paragraph():
    html = email_html_body("# Big\n## Small\n### Plain")

    assert html.startswith('<h2 style="Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 27px;')
    assert '">Big</h2><h3 style="Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 19px;' in html
    assert html.endswith(f">Small</h3>{P}Plain</p>")


def test_bullets_with_star_dash_or_dot_make_one_list_and_numbers_an_ordered_one():
    bullets = email_html_body("* one\n- two\n• three")
    numbers = email_html_body("1. first\n2. second")

    assert bullets.count("<li ") == 3 and "<ul " in bullets and f"{LI}two</li>" in bullets
    assert numbers.count("<li ") == 2 and '<ol style="Margin: 0 0 0 20px; padding: 0; list-style-type: decimal;">' \
        in numbers


def test_a_list_continues_over_a_blank_line_only_into_another_item():
    html = email_html_body("* one\n\n* two\n\nafter")

    assert html.count("<ul ") == 1 and html.endswith(f"{P}after</p>")


def test_inset_text_runs_to_the_next_blank_line():
    html = email_html_body("^ inset\nstill inset\n\nnormal")

    assert html == ('<blockquote style="Margin: 0 0 20px 0; border-left: 10px solid #B1B4B6; '
                    'padding: 15px 0 0.1px 15px; font-size: 19px; line-height: 25px;">'
                    f"{P}inset<br />still inset</p></blockquote>{P}normal</p>")


def test_three_dashes_or_stars_are_a_horizontal_rule():
    rule = '<hr style="border: 0; height: 1px; background: #B1B4B6; Margin: 30px 0 30px 0;">'

    assert email_html_body("a\n\n---\n\nb") == f"{P}a</p>{rule}{P}b</p>"
    assert email_html_body("***") == rule


def test_links_and_bare_urls_become_anchors_without_trailing_punctuation():
    html = render_inline("See [the guide](https://www.gov.uk/a?b=1&c=2) or https://example.com/x.")

    assert html == (f'See {A}https://www.gov.uk/a?b=1&amp;c=2">the guide</a> or '
                    f'{A}https://example.com/x">https://example.com/x</a>.')


def test_markup_is_always_escaped_and_backslash_escapes_show_the_character():
    assert render_inline('<script>alert("x")</script>') == "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"
    assert email_html_body("\\* not a bullet \\[x\\](y)") == f"{P}* not a bullet [x](y)</p>"
    assert render_inline('[x](javascript:alert(1))') == "[x](javascript:alert(1))"


def test_emphasis_is_not_part_of_notify_formatting():
    assert email_html_body("**bold** _it_") == f"{P}**bold** _it_</p>"


def test_closing_hashes_are_dropped_and_a_line_of_hashes_is_text():
    assert email_html_body("## Title ##").endswith(">Title</h3>")
    assert email_html_body("#") == f"{P}#</p>"


def test_long_lines_of_formatting_characters_render_in_linear_time():
    started = time.monotonic()
    email_html_body("# " + "#" * 200_000 + "x\n" + "* " * 100_000 + "\n" + "[a" * 100_000 + "\n" + "http://" * 50_000)

    assert time.monotonic() - started < 2
