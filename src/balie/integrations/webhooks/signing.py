"""Signing a webhook request, so the receiver knows it came from Balie and is recent.

Every request carries two headers:

- ``Balie-Webhook-Timestamp``: the moment of sending, in whole seconds since 1970-01-01 UTC;
- ``Balie-Webhook-Signature``: ``v1=<hex>``, where ``<hex>`` is the HMAC-SHA256, in lowercase
  hexadecimal, of ``<timestamp>.<body>`` (the timestamp header's value, a full stop, and the
  request body's raw bytes) under the subscription's secret (the whole text as shown,
  ``whsec_`` included, as UTF-8 bytes). Just after the secret was rotated with an overlap,
  the header holds two signatures separated by a comma, the new secret's first; a receiver
  accepts the request when one of them matches.

A receiver recomputes the signature with its copy of the secret, compares in constant time
(``hmac.compare_digest``), refuses a timestamp more than :data:`TOLERANCE` seconds from its own
clock (a recorded request replayed later), and deduplicates on the CloudEvent's ``id``. The
recipe for receivers is in the webhooks guide of the documentation.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Sequence

__all__ = [
    "SIGNATURE_HEADER",
    "TIMESTAMP_HEADER",
    "TOLERANCE",
    "new_secret",
    "sign",
    "signed_headers",
]

TIMESTAMP_HEADER = "Balie-Webhook-Timestamp"
SIGNATURE_HEADER = "Balie-Webhook-Signature"
TOLERANCE = 300  # seconds a receiver accepts between the timestamp and its own clock
SECRET_PREFIX = "whsec_"  # noqa: S105 - a prefix, not a secret


def new_secret() -> str:
    """A new signing secret: 256 random bits, recognisable by its prefix."""
    return SECRET_PREFIX + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature of ``body`` sent at ``timestamp``, as lowercase hexadecimal."""
    message = str(timestamp).encode("ascii") + b"." + body
    return hmac.new(secret.encode("utf-8"), message, hashlib.sha256).hexdigest()


def signed_headers(secrets_: Sequence[str], timestamp: int, body: bytes) -> dict[str, str]:
    """The two headers for a request signed with each of ``secrets_`` (the current first)."""
    signatures = ",".join(f"v1={sign(secret, timestamp, body)}" for secret in secrets_)
    return {TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signatures}
