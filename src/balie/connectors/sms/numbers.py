"""Phone numbers in their one stored form: E.164 (``+31612345678``).

Residents and providers write numbers in many ways (``06-12345678``, ``+31 6 1234 5678``,
``0031612345678``, ``(06) 1234 5678``); a number without a country code is read as Dutch.
:func:`normalise` turns each into E.164 with ``phonenumbers`` and refuses what is not a valid
number (too short, an unknown range, an extension, letters, no digits at all) with
:class:`InvalidNumber`, which never repeats the input in its message.
"""

from __future__ import annotations

import re

import phonenumbers
from django.utils.translation import gettext_lazy as _

from balie.errors import Invalid

__all__ = ["DEFAULT_REGION", "InvalidNumber", "normalise"]

DEFAULT_REGION = "NL"
MAX_INPUT = 64  # longer is no phone number, however it is written
# Digits and how people group them: spaces (also no-break and thin ones), - . / ( ).
WRITTEN = re.compile(r"[0-9+()./ \t\u00a0\u2009\u202f-]+")


class InvalidNumber(Invalid):
    default_code = "invalid_phone_number"
    default_message = _(
        "%(name)s is not a valid phone number. Write it with a country code "
        "(+31 6 12345678) or as a Dutch number (06 12345678)."
    )


def normalise(raw: object, *, name: str = "number", region: str = DEFAULT_REGION) -> str:
    """``raw`` as E.164, or :class:`InvalidNumber` naming the field ``name``."""
    refused = InvalidNumber(field=name, params={"name": name})
    if not isinstance(raw, str) or not raw.strip() or len(raw) > MAX_INPUT:
        raise refused
    written = raw.strip()
    if written[:4].lower() == "tel:":
        written = written[4:]
    if not WRITTEN.fullmatch(written):  # phonenumbers would skip letters ("whatsapp:+31…")
        raise refused
    try:
        number = phonenumbers.parse(written, region)
    except phonenumbers.NumberParseException:
        raise refused from None
    if number.extension or not phonenumbers.is_valid_number(number):
        raise refused
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
