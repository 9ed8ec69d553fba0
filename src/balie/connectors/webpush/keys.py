"""The installation's VAPID key pair (RFC 8292): push services know Balie's pushes by it.

The private key is ``BALIE_VAPID_PRIVATE_KEY`` when set (32 bytes, base64url); otherwise one
is generated once and kept in ``BALIE_DATA_DIR/vapid-private-key``, readable by its owner
only, so that ``make demo`` and a single server work without configuration. Several nodes
share one key: set the setting on each. The public key goes to the resident page, whose
browser subscribes with it; a subscription made with another key is refused by the push
service, so rotating the key ends every subscription (docs/guides/resident-app.md).
"""

from __future__ import annotations

import base64
import os
from functools import cache
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured
from py_vapid import Vapid02

__all__ = [
    "KEY_FILE",
    "b64url",
    "check_key",
    "generate_private_key",
    "public_key",
    "subject",
    "vapid",
]

KEY_FILE = "vapid-private-key"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def generate_private_key() -> str:
    """A new P-256 private key as 32 bytes, base64url (what the setting holds)."""
    key = ec.generate_private_key(ec.SECP256R1())
    return b64url(key.private_numbers().private_value.to_bytes(32, "big"))


def _key_file() -> Path:
    return Path(settings.DATA_DIR) / KEY_FILE


def _stored_or_new() -> str:
    """The key kept in the data directory, written there (mode 0600) the first time."""
    path = _key_file()
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process wrote it just now
        return path.read_text().strip()
    with os.fdopen(descriptor, "w") as file:
        file.write(generate_private_key() + "\n")
    return path.read_text().strip()


@cache
def _vapid(private_key: str) -> Vapid02:
    try:
        if len(base64.urlsafe_b64decode(private_key + "=" * (-len(private_key) % 4))) != 32:
            raise ValueError("not 32 bytes")
        return Vapid02.from_raw(private_key.encode("ascii"))
    except (ValueError, UnicodeError):
        raise ImproperlyConfigured(
            "BALIE_VAPID_PRIVATE_KEY must be a P-256 private key of 32 bytes in base64url "
            "(`balie webpush keys` makes one)."
        ) from None


def check_key(app_configs=None, **kwargs) -> list[checks.CheckMessage]:
    """The system check (``balie check``, and every start): the key can be used."""
    try:
        vapid()
    except ImproperlyConfigured as problem:
        return [checks.Error(str(problem), id="balie.webpush.E001")]
    except OSError as problem:  # the data directory cannot hold the generated key
        return [checks.Error(f"VAPID key not kept: {problem}", id="balie.webpush.E002")]
    return []


def vapid() -> Vapid02:
    """The signer, from the setting or the kept key."""
    return _vapid(settings.VAPID_PRIVATE_KEY.strip() or _stored_or_new())


def public_key() -> str:
    """The public key as the browser's ``applicationServerKey``: the uncompressed point,
    base64url."""
    point = vapid().public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url(point)


def subject() -> str:
    """The JWT's ``sub``: the setting, the public https address, or a placeholder."""
    if settings.VAPID_SUBJECT:
        return settings.VAPID_SUBJECT
    public = urlsplit(settings.PUBLIC_URL)
    if public.scheme == "https" and public.hostname:
        return f"https://{public.netloc}"
    return "mailto:webpush@localhost"
