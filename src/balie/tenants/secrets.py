"""Secrets an organisation configures (an API token of a service it connects), sealed at rest.

``seal(text)`` returns a Fernet token (AES-128-CBC with HMAC-SHA256, authenticated) that is
safe to store in a database column; ``unseal(token)`` gives the text back. The key is derived
with HKDF-SHA256 from ``settings.SECRET_KEY`` and a fixed context label, so a database dump
alone does not reveal the secrets, and no second key has to be kept. Tokens sealed under a
key in ``settings.SECRET_KEY_FALLBACKS`` still open after the secret key is rotated; seal
them again (set the secret again) before removing the fallback.

A sealed secret is never shown back: surfaces say only whether one is set.
"""

from __future__ import annotations

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from balie.errors import Conflict

__all__ = ["SecretUnreadable", "seal", "unseal"]

# Changing the label makes every stored secret unreadable: it names the purpose and version.
CONTEXT = b"balie.tenants.secrets/v1: organisation secrets at rest"


class SecretUnreadable(Conflict):
    """A stored secret does not open with the current secret key (rotated without a
    fallback, or the column was changed): it has to be set again."""

    default_code = "secret_unreadable"
    default_message = _("A stored secret can no longer be read: set it again.")


def _key(secret_key: str | bytes) -> bytes:
    material = secret_key.encode() if isinstance(secret_key, str) else secret_key
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=CONTEXT).derive(material)
    return base64.urlsafe_b64encode(derived)


def _fernet() -> MultiFernet:
    keys = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return MultiFernet([Fernet(_key(key)) for key in keys])


def seal(text: str) -> str:
    """``text`` encrypted and authenticated under the current secret key."""
    return _fernet().encrypt(text.encode("utf-8")).decode("ascii")


def unseal(token: str) -> str:
    """The text sealed in ``token``; :class:`SecretUnreadable` when no key opens it."""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode("utf-8")
    except (InvalidToken, UnicodeError, ValueError):
        raise SecretUnreadable() from None
