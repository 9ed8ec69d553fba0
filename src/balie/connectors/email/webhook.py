"""Mail posted to the account's webhook by a mail server or gateway, instead of IMAP.

``POST /hooks/<public id>/`` with ``Content-Type: message/rfc822`` and the raw mail as the
body, signed: ``X-Balie-Signature: sha256=<hex HMAC-SHA256 of the body, keyed with the
account's webhook_secret>``. The answer: 200 ``{"outcome": "stored"|"report"|"ignored"}``
(posting the same mail again is harmless); 401 for a missing or wrong signature; 404 while
the account has no webhook_secret; 405 for another method; 415 for another content type;
413 for a mail too large; 422 ``{"code", "detail"}`` for a mail Balie does not take (no
sender address): the gateway keeps or returns it. An error of Balie's own is a 5xx: post
it again later.
"""

from __future__ import annotations

import hashlib
import hmac
import json

from balie.connectors.accounts import secret_of
from balie.connectors.email.errors import MailRejected
from balie.connectors.email.receiving import take
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import WebhookRequest, WebhookResponse

__all__ = ["SIGNATURE_HEADER", "handle", "signature"]

SIGNATURE_HEADER = "x-balie-signature"
CONTENT_TYPE = "message/rfc822"
_JSON = "application/json"


def signature(secret: str, body: bytes) -> str:
    """The header's value for ``body``."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def _answer(status: int, data: dict) -> WebhookResponse:
    return WebhookResponse(status, json.dumps(data).encode(), content_type=_JSON)


def handle(account: ChannelAccount, request: WebhookRequest) -> WebhookResponse:
    secret = secret_of(account, "webhook_secret")
    if not secret:
        return WebhookResponse(404)
    if request.method != "POST":
        return WebhookResponse(405, headers={"Allow": "POST"})
    given = request.headers.get(SIGNATURE_HEADER, "").strip().lower()
    if not hmac.compare_digest(given.encode(), signature(secret, request.body).encode()):
        return _answer(401, {"code": "bad_signature", "detail": "X-Balie-Signature is wrong."})
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != CONTENT_TYPE:
        return _answer(415, {"code": "unsupported_media_type", "detail": CONTENT_TYPE})
    try:
        taken = take(account, request.body)
    except MailRejected as rejected:
        return _answer(rejected.status, {"code": rejected.code, "detail": rejected.message})
    return _answer(200, {"outcome": taken.outcome})
