"""Notify's email formatting: a template's markdown subset turned into the HTML body of an email.

What Notify's users can write (GOV.UK Notify "formatting" guidance, notifications-utils' email renderer):
paragraphs (a blank line) with a hard line break for every newline, `#` and `##` headings (deeper ones
are plain paragraphs), bullet lists (`*`, `-` or `•`) and numbered lists (`1.`), inset text (`^`),
horizontal rules (`---`, `***`), `[text](https://...)` links and bare http(s) URLs turned into links.
Bold, italics, code and images are not part of the subset and stay as typed. `\\X` shows X literally,
which is how `sanitise_content_for` keeps personalisation from being read as formatting.

Every piece of text (template and personalisation alike) is HTML-escaped as it is emitted, so
personalisation can never add markup. The inline styles are Notify's, so previews look like its emails.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

LINK_STYLE = "word-wrap: break-word; color: #1D70B8;"
PARAGRAPH = '<p style="Margin: 0 0 20px 0; font-size: 19px; line-height: 25px; color: #0B0C0C;">{}</p>'
HEADING_1 = ('<h2 style="Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 27px; line-height: 35px; '
             'font-weight: bold; color: #0B0C0C;">{}</h2>')
HEADING_2 = ('<h3 style="Margin: 0 0 15px 0; padding: 10px 0 0 0; font-size: 19px; line-height: 25px; '
             'font-weight: bold; color: #0B0C0C;">{}</h3>')
HORIZONTAL_RULE = '<hr style="border: 0; height: 1px; background: #B1B4B6; Margin: 30px 0 30px 0;">'
INSET = ('<blockquote style="Margin: 0 0 20px 0; border-left: 10px solid #B1B4B6; padding: 15px 0 0.1px 15px; '
         'font-size: 19px; line-height: 25px;">{}</blockquote>')
LIST = ('<table role="presentation" style="padding: 0 0 20px 0;"><tr>'
        '<td style="font-family: Helvetica, Arial, sans-serif;">{}</td></tr></table>')
BULLETS = '<ul style="Margin: 0 0 0 20px; padding: 0; list-style-type: disc;">{}</ul>'
NUMBERS = '<ol style="Margin: 0 0 0 20px; padding: 0; list-style-type: decimal;">{}</ol>'
LIST_ITEM = ('<li style="Margin: 5px 0 5px; padding: 0 0 0 5px; font-size: 19px; line-height: 25px; '
             'color: #0B0C0C;">{}</li>')
LINE_BREAK = "<br />"

# No lazy groups: personalisation lands in these lines, so every pattern must stay linear in their length.
HEADING_LINE = re.compile(r"^ {0,3}(#{1,6})(.*)$")
RULE_LINE = re.compile(r"^ {0,3}(?:(?:\*[ \t]*){3,}|(?:-[ \t]*){3,}|(?:_[ \t]*){3,})$")
BULLET_LINE = re.compile(r"^ {0,3}[*•-][ \t]+(.*)$")
NUMBER_LINE = re.compile(r"^ {0,3}\d{1,9}\.[ \t]+(.*)$")
INSET_LINE = re.compile(r"^ {0,3}\^ ?(.*)$")

# Inline: a backslash escape, a [text](url) link, or a bare http(s) URL (trailing punctuation left out).
INLINE = re.compile(
    r"\\(?P<escaped>[\\`*{}\[\]()#+\-.!_>~|^])"
    r"|\[(?P<text>[^\[\]\n]+)\]\((?P<href>[^()\s]+)\)"
    r"|(?P<url>https?://[^\s<>\"]*[^\s<>\".,:;'!?)\]])",
    re.IGNORECASE,
)


def _escape(text: str) -> str:
    return html.escape(text, quote=True)


def _link(href: str, content: str) -> str:
    return f'<a style="{LINK_STYLE}" href="{_escape(href)}">{content}</a>'


def render_inline(text: str) -> str:
    """Escape `text` and turn its links into anchors; newlines become hard line breaks."""
    out: list[str] = []
    position = 0
    for match in INLINE.finditer(text):
        out.append(_escape(text[position:match.start()]))
        if match.group("escaped") is not None:
            out.append(_escape(match.group("escaped")))
        elif match.group("href") is not None:
            out.append(_link(match.group("href"), _escape(match.group("text"))))
        else:
            url = match.group("url")
            out.append(_link(url, _escape(url)))
        position = match.end()
    out.append(_escape(text[position:]))
    return "".join(out).replace("\n", LINE_BREAK)


@dataclass
class _List:
    ordered: bool
    items: list[list[str]] = field(default_factory=list)


def _list_html(block: _List) -> str:
    items = "".join(LIST_ITEM.format(render_inline("\n".join(lines).strip())) for lines in block.items)
    return LIST.format((NUMBERS if block.ordered else BULLETS).format(items))


def _blocks(lines: list[str]) -> list[str]:
    rendered: list[str] = []
    paragraph: list[str] = []
    current_list: _List | None = None
    index = 0

    def end_paragraph() -> None:
        if paragraph and "".join(paragraph).strip():
            rendered.append(PARAGRAPH.format(render_inline("\n".join(line.strip() for line in paragraph))))
        paragraph.clear()

    def end_list() -> None:
        nonlocal current_list
        if current_list is not None:
            rendered.append(_list_html(current_list))
        current_list = None

    while index < len(lines):
        line = lines[index]
        bullet, number = BULLET_LINE.match(line), NUMBER_LINE.match(line)
        if not line.strip():
            end_paragraph()
            # A list carries on over a blank line only if the next line is another item.
            following = lines[index + 1] if index + 1 < len(lines) else ""
            if current_list is not None and not (BULLET_LINE.match(following) or NUMBER_LINE.match(following)):
                end_list()
        elif RULE_LINE.match(line):
            end_paragraph()
            end_list()
            rendered.append(HORIZONTAL_RULE)
        elif bullet or number:
            end_paragraph()
            ordered = number is not None and bullet is None
            if current_list is None or current_list.ordered != ordered:
                end_list()
                current_list = _List(ordered)
            current_list.items.append([(bullet or number).group(1)])
        elif current_list is not None:
            current_list.items[-1].append(line.strip())
        elif (heading := HEADING_LINE.match(line)) and heading.group(2).strip(" \t#"):
            end_paragraph()
            # Closing #s are decoration, as in Markdown: "## Title ##" is "Title".
            level, text = len(heading.group(1)), heading.group(2).strip(" \t").rstrip(" \t#")
            if level == 1:
                rendered.append(HEADING_1.format(render_inline(text)))
            elif level == 2:
                rendered.append(HEADING_2.format(render_inline(text)))
            else:
                rendered.append(PARAGRAPH.format(render_inline(text)))
        elif INSET_LINE.match(line):
            end_paragraph()
            inset = [INSET_LINE.match(line).group(1)]
            # Inset text runs to the next blank line, whether or not each line starts with ^.
            while index + 1 < len(lines) and lines[index + 1].strip():
                index += 1
                continuation = INSET_LINE.match(lines[index])
                inset.append(continuation.group(1) if continuation else lines[index])
            rendered.append(INSET.format("".join(_blocks(inset))))
        else:
            paragraph.append(line)
        index += 1
    end_paragraph()
    end_list()
    return rendered


def email_html_body(markdown: str) -> str:
    """The HTML body for an email whose text (placeholders already filled in) is `markdown`."""
    lines = markdown.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "".join(_blocks(lines))
