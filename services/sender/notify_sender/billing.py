"""Billing facts for an SMS: the international prefix and its rate multiplier.

Notify bills an international text as `billable_units x rate_multiplier`, the multiplier coming from
the country prefix of the number (notifications-utils, international_billing_rates.yml: the
`billable_units` of each prefix). The API prices UK numbers when it stores them (prefix 44, rate 1);
the sender stores prefix and rate for international numbers when it hands them over.
"""
from __future__ import annotations

from dataclasses import dataclass

from notify_shared.recipients import UK_PREFIX

# Rate multiplier -> the country prefixes billed at it (from Notify's international billing rates).
_PREFIXES_BY_MULTIPLIER: dict[int, str] = {
    1: (
        "1 44 56 57 60 63 65 254 255 263 375 381 389 423 593 598 673 677 692 853 968 974 1721"
    ),
    2: (
        "27 30 33 34 39 40 41 45 46 48 51 52 53 55 58 61 62 66 82 84 86 90 92 94 95 98 211 212 213 216 "
        "218 220 221 222 223 225 228 230 231 232 233 237 239 240 241 246 248 249 250 251 252 253 256 258 "
        "260 261 262 264 265 266 267 268 269 298 299 350 351 352 354 355 356 357 370 371 372 376 377 382 "
        "385 386 387 421 500 503 504 506 507 508 590 592 594 595 596 670 674 675 676 678 679 689 691 856 "
        "886 960 961 962 964 965 966 967 971 975 976 977 992 993 994 995 996 998 1242"
    ),
    3: (
        "20 31 32 36 43 47 54 64 81 91 93 224 226 227 229 235 236 238 242 243 244 245 257 297 353 358 373 "
        "374 378 501 502 505 509 591 599 672 680 682 685 687 852 855 880 963 972 973 1246 1264 1268 1284 "
        "1345 1441 1473 1649 1664 1684 1758 1767 1784 1868 1869 1876"
    ),
    4: (
        "7 49 234 291 359 380 383 420 597 681 683 686 690 970"
    ),
}
RATE_MULTIPLIERS: dict[str, int] = {
    prefix: multiplier for multiplier, prefixes in _PREFIXES_BY_MULTIPLIER.items() for prefix in prefixes.split()
}
LONGEST_PREFIX = max(len(prefix) for prefix in RATE_MULTIPLIERS)


@dataclass(frozen=True)
class SmsRate:
    phone_prefix: str | None
    rate_multiplier: float | None


def sms_rate(number: str, *, international: bool) -> SmsRate:
    """`number` as providers get it (digits, country code first). Unknown prefixes get no rate.

    The longest matching prefix wins, as in Notify (1 is North America, 1876 is Jamaica).
    """
    if not international:
        return SmsRate(UK_PREFIX, 1.0)
    for length in range(min(LONGEST_PREFIX, len(number)), 0, -1):
        multiplier = RATE_MULTIPLIERS.get(number[:length])
        if multiplier is not None:
            return SmsRate(number[:length], float(multiplier))
    return SmsRate(None, None)
