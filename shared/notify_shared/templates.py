"""Template rules shared by the API (validation, previews) and the sender (rendering).

Placeholders are `((name))`; `((name??text))` shows `text` when `name` is truthy (Notify's
conditional placeholder). Names match case-insensitively and ignore spaces, as in Notify.
"""
from __future__ import annotations

import html
import math
import re
from collections.abc import Mapping
from typing import Any

PLACEHOLDER = re.compile(r"\(\(([^()]+?)\)\)")

SMS_CHAR_LIMIT = 918
# GSM 03.38 basic set plus the extension characters (which count twice).
GSM_BASIC = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = set("^{}\\[~]|€")


def _key(name: str) -> str:
    return name.split("??", 1)[0].strip().lower().replace(" ", "")


def placeholder_names(*texts: str | None) -> list[str]:
    """Placeholder names in order of first appearance, without duplicates."""
    seen: dict[str, str] = {}
    for text in texts:
        for match in PLACEHOLDER.finditer(text or ""):
            name = match.group(1).split("??", 1)[0].strip()
            seen.setdefault(_key(name), name)
    return list(seen.values())


def missing_personalisation(personalisation: Mapping[str, Any], *texts: str | None) -> list[str]:
    provided = {_key(k) for k, v in personalisation.items() if v is not None}
    return [name for name in placeholder_names(*texts) if _key(name) not in provided]


def render(text: str | None, personalisation: Mapping[str, Any], *, escape_html: bool = False) -> str:
    values = {_key(k): v for k, v in personalisation.items()}

    def substitute(match: re.Match) -> str:
        raw = match.group(1)
        key = _key(raw)
        if "??" in raw:
            shown = raw.split("??", 1)[1]
            return shown if _truthy(values.get(key)) else ""
        if key not in values or values[key] is None:
            return match.group(0)
        value = values[key]
        if isinstance(value, list):
            value = "\n".join(f"* {v}" for v in value)
        value = str(value)
        return html.escape(value, quote=False) if escape_html else value

    return PLACEHOLDER.sub(substitute, text or "")


def _truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip().lower() not in {"", "no", "false", "0"}
    return bool(value)


def is_gsm(text: str) -> bool:
    return all(c in GSM_BASIC or c in GSM_EXTENSION for c in text)


def sms_character_count(text: str) -> int:
    if is_gsm(text):
        return sum(2 if c in GSM_EXTENSION else 1 for c in text)
    return len(text)


def sms_fragment_count(text: str) -> int:
    """Billable SMS parts: GSM-7 160/153 per part, UCS-2 70/67 per part."""
    count = sms_character_count(text)
    single, multi = (160, 153) if is_gsm(text) else (70, 67)
    if count <= single:
        return 1
    return math.ceil(count / multi)
