"""How many SMS a text takes: what staff see before a long reply is sent, and what the
provider will bill.

One SMS carries 140 bytes. A text of only GSM-7 characters (3GPP TS 23.038: the basic table,
and the extension table whose characters take two septets, an escape and the character)
fits 160 septets in one SMS; longer, each part loses 7 septets to the concatenation header
(UDH) and carries 153. A text with any other character is sent as UCS-2 (UTF-16): 70 code
units in one SMS, 67 per part; a character outside the Basic Multilingual Plane (most emoji)
takes two. Providers never split a two-septet character or a surrogate pair across parts,
so neither does the count here. Balie does not split outbound texts itself: the provider
does (Twilio, up to 1600 characters), and this is the count it will come to.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["GSM7", "UCS2", "Segments", "count_segments"]

GSM7 = "GSM-7"
UCS2 = "UCS-2"

# The GSM 03.38 basic character set in table order, 0x00-0x7F, without 0x1B (the escape
# to the extension table).
_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅå"
    "Δ_ΦΓΛΩΠΨΣΘΞÆæßÉ"
    " !\"#¤%&'()*+,-./"
    "0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNO"
    "PQRSTUVWXYZÄÖÑÜ§"
    "¿abcdefghijklmno"
    "pqrstuvwxyzäöñüà"
)
_EXTENSION = "\f^{}\\[~]|€"
GSM_BASIC = frozenset(_BASIC)
GSM_EXTENSION = frozenset(_EXTENSION)

LIMITS = {GSM7: (160, 153), UCS2: (70, 67)}  # one SMS, each part of a longer one


@dataclass(frozen=True)
class Segments:
    """``count`` SMS in ``encoding``; ``units`` septets (GSM-7) or UTF-16 code units
    (UCS-2) in all; ``per_segment`` what each carries at this length (160 or 153, 70 or
    67)."""

    encoding: str
    count: int
    units: int
    per_segment: int


def _widths(text: str) -> tuple[str, list[int]]:
    if all(c in GSM_BASIC or c in GSM_EXTENSION for c in text):
        return GSM7, [2 if c in GSM_EXTENSION else 1 for c in text]
    return UCS2, [2 if ord(c) > 0xFFFF else 1 for c in text]


def count_segments(text: str) -> Segments:
    """The SMS ``text`` takes (0 for an empty text)."""
    encoding, widths = _widths(text)
    single, part = LIMITS[encoding]
    total = sum(widths)
    if total <= single:
        return Segments(encoding, 1 if text else 0, total, single)
    count, room = 1, part
    for width in widths:
        if width > room:  # a character never straddles two parts
            count, room = count + 1, part
        room -= width
    return Segments(encoding, count, total, part)
