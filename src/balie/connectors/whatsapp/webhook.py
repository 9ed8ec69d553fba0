"""Meta's two checks at a webhook: the verification handshake when the webhook is set up
(GET with ``hub.mode=subscribe``, ``hub.verify_token`` and ``hub.challenge``: answer the
challenge when the token is ours) and the signature on every notification
(``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body with the app secret>``,
compared in constant time). https://developers.facebook.com/docs/graph-api/webhooks/getting-started
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping

from balie.connectors.registry import WebhookResponse

__all__ = ["SIGNATURE_HEADER", "handshake", "sign", "signature_valid"]

SIGNATURE_HEADER = "x-hub-signature-256"
MAX_CHALLENGE = 200


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta sends with ``body``: ``sha256=<hex>``."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def signature_valid(body: bytes, header: str | None, app_secret: str) -> bool:
    """Whether ``header`` is the signature of ``body`` with ``app_secret``; False without a
    secret, so an account whose secret is not set accepts nothing."""
    if not app_secret or not header:
        return False
    return hmac.compare_digest(sign(body, app_secret).encode(), header.strip().encode())


def handshake(query: Mapping[str, str], verify_token: str) -> WebhookResponse:
    """The answer to Meta's verification request: the challenge, or 403."""
    given = query.get("hub.verify_token", "")
    challenge = query.get("hub.challenge", "")
    if (
        query.get("hub.mode") != "subscribe"
        or not verify_token
        or not hmac.compare_digest(given.encode(), verify_token.encode())
        or not challenge
        or len(challenge) > MAX_CHALLENGE
        or not challenge.isascii()
        or not challenge.isprintable()
    ):
        return WebhookResponse(403, b"forbidden")
    return WebhookResponse(200, challenge.encode())
