"""The burgerservicenummer (BSN) a resident's DigiD login gives: its check, and the keyed
digest by which Balie finds the resident's contact again.

The digest is HMAC-SHA256 of the BSN under a key of the organisation's own, derived with
HKDF-SHA256 from ``settings.RESIDENT_BSN_DIGEST_KEY`` (or ``SECRET_KEY`` when that is not
set) and the organisation's id: the same BSN has another digest in every organisation, and
without the key a digest cannot be turned back into a BSN by trying all of them (there are
only about a billion). The BSN itself is stored only sealed (tenants.secrets).
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

__all__ = ["bsn_digest", "bsn_problem"]

# Changing it makes every stored digest unfindable: it names the purpose and version.
CONTEXT = b"balie.accounts.bsn/v1: digest key of organisation "
WEIGHTS = (9, 8, 7, 6, 5, 4, 3, 2, -1)


def bsn_problem(value: str) -> str | None:
    """None for a BSN that passes the 11-test (elfproef); otherwise what is wrong with it:
    ``bsn_not_nine_digits`` or ``bsn_elfproef``. Eight digits are the older form of the
    same number with a leading zero; the caller pads them."""
    if len(value) != 9 or not value.isascii() or not value.isdigit():
        return "bsn_not_nine_digits"
    total = sum(int(digit) * weight for digit, weight in zip(value, WEIGHTS, strict=True))
    if total % 11 != 0 or value == "000000000":
        return "bsn_elfproef"
    return None


def _organisation_key(organisation_id: int) -> bytes:
    master = settings.RESIDENT_BSN_DIGEST_KEY or settings.SECRET_KEY
    return HKDF(
        algorithm=hashes.SHA256(),
        length=32,
        salt=None,
        info=CONTEXT + str(organisation_id).encode(),
    ).derive(master.encode())


def bsn_digest(organisation_id: int, bsn: str) -> str:
    """The organisation's digest of ``bsn`` (64 hexadecimal characters)."""
    return hmac.new(_organisation_key(organisation_id), bsn.encode(), hashlib.sha256).hexdigest()
