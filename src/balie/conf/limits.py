"""Refuse request bodies larger than any endpoint accepts, while they stream in.

Views refuse a too large *declared* Content-Length before parsing (with their own error
shape). A chunked request declares nothing, so Django would spool it whole before any view
could look: for those this ASGI layer reads the body itself, up to the limit, and answers
413 past it; a body within the limit is handed on unchanged.
"""

from __future__ import annotations

import json

from django.conf import settings
from django.utils.translation import gettext

# Room for the multipart envelope around the largest allowed file.
MULTIPART_OVERHEAD = 64 * 1024


def max_body_bytes() -> int:
    return settings.MAX_UPLOAD_BYTES + MULTIPART_OVERHEAD


def declared_too_large(request) -> bool:
    """True when the request says its body is larger than any upload may be.

    Upload views ask this before touching ``request.FILES`` (or the CSRF check, which would
    parse the body), so an oversized upload is refused without reading it.
    """
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return False
    return length > max_body_bytes()


def too_large_detail() -> str:
    """In the active language: call it while building the response."""
    limit_mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
    return gettext("The file is too large. The maximum is %(limit)s MB.") % {"limit": limit_mb}


class BodySizeLimit:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http" or _declares_length(scope):
            # A declared length is enforced by the server (h11) and checked by the views.
            return await self.app(scope, receive, send)
        limit = max_body_bytes()
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] != "http.request":
                return  # the client went away
            size += len(message.get("body", b""))
            if size > limit:
                return await _too_large(send, limit)
            chunks.append(message.get("body", b""))
            if not message.get("more_body", False):
                break
        replayed = False

        async def replay():
            nonlocal replayed
            if not replayed:
                replayed = True
                return {"type": "http.request", "body": b"".join(chunks), "more_body": False}
            return await receive()

        await self.app(scope, replay, send)


def _declares_length(scope) -> bool:
    return any(name == b"content-length" for name, _ in scope.get("headers", []))


async def _too_large(send, limit: int) -> None:
    body = json.dumps({"code": "too_large", "detail": too_large_detail(), "fields": {}}).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
