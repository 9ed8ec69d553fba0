"""Channels' webhooks: ``/hooks/<public id>/``, one address per channel account.

Answered at the ASGI level, before Django (:class:`HooksApp`, in ``conf/asgi.py``), or by
the Django view :func:`channel_webhook` — the same answers. Both are thin: they refuse what
is no webhook (a method other than GET or POST 405, a body over the largest any channel
sends 413), then queue the request for the intake's group commit
(``balie.connectors.intake``): requests arriving together are taken in one transaction,
where the account is found by its unguessable public id (404 for an unknown or switched-off
one, so a guess learns nothing) and its connector checks the channel's signature over the
raw body, reads and stores. Each request is answered after that commit with what its
connector says. No session, no CSRF (the channel signs instead), no cookies set.
"""

from __future__ import annotations

import json
import logging
import re
from urllib.parse import parse_qs

from asgiref.sync import sync_to_async
from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse
from django.views.decorators.csrf import csrf_exempt

from balie.connectors.intake import WebhookCall, body_limit, take_webhooks
from balie.connectors.registry import WebhookRequest, WebhookResponse, connectors
from balie.errors import BalieError
from balie.realtime.batching import GroupCommit, per_loop

log = logging.getLogger(__name__)

HOOK_PATH = re.compile(r"/hooks/(?P<public_id>[^/]{1,100})/")
_intake = per_loop(lambda: GroupCommit(take_webhooks, name="webhook", hop=sync_to_async))


def largest_body() -> int:
    """The largest webhook body any channel sends: more is refused before it is read."""
    return max([body_limit(c) for c in connectors().values()] or [0])


@csrf_exempt
async def channel_webhook(request, public_id: str):
    """The webhook as a Django view: what reaches Django (the test client; a deployment
    that routes around :class:`HooksApp`) gets the same answers."""
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > largest_body():
        return HttpResponse(status=413)
    try:
        body = request.body
    except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        return HttpResponse(status=413)
    webhook = WebhookRequest(
        method=request.method,
        headers={k.lower(): v for k, v in request.headers.items()},
        query={k: request.GET.get(k, "") for k in request.GET},
        body=body,
    )
    answer = await take(public_id, webhook)
    response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    for name, value in answer.headers.items():
        response[name] = value
    return response


async def take(public_id: str, webhook: WebhookRequest) -> WebhookResponse:
    """Queue ``webhook`` for the intake's next batch; its answer after the commit."""
    try:
        return await _intake().submit(WebhookCall(public_id, webhook))
    except BalieError as error:  # refused input: the channel should not send it again
        if error.status >= 500:
            raise
        body = json.dumps({"code": error.code, "detail": str(error.message)}).encode()
        return WebhookResponse(error.status, body, "application/json")


class HooksApp:
    """ASGI middleware: ``/hooks/<public id>/`` answered here, before Django; everything
    else to ``app``.

    A channel's webhook needs none of what Django's middleware gives a page (sessions,
    CSRF, language, messages) and Meta sends many at once: here a request costs no thread
    hop of its own, only its share of the intake's batch. The host is not checked against
    ALLOWED_HOSTS (nothing is built from it); the answer carries the headers every answer
    of Balie has that matter for a non-page (no sniffing, no framing, nothing cached)."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        found = HOOK_PATH.fullmatch(scope["path"]) if scope["type"] == "http" else None
        if found is None:
            return await self.app(scope, receive, send)
        method = scope["method"]
        if method not in ("GET", "POST"):
            return await _send(send, WebhookResponse(405, headers={"Allow": "GET, POST"}))
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        limit = largest_body()
        declared = headers.get("content-length", "0")
        if not declared.isdigit() or int(declared) > limit:
            return await _send(send, WebhookResponse(413))
        body = await _read_body(receive, limit)
        if body is None:  # over the limit, or the channel went away
            return await _send(send, WebhookResponse(413))
        query = {
            k: v[0] for k, v in parse_qs(scope.get("query_string", b"").decode("latin-1")).items()
        }
        webhook = WebhookRequest(method=method, headers=headers, query=query, body=body)
        try:
            answer = await take(found["public_id"], webhook)
        except Exception:
            log.exception("channel webhook failed")
            answer = WebhookResponse(500, b"error")
        await _send(send, answer)


async def _read_body(receive, limit: int) -> bytes | None:
    chunks, size = [], 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return None
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            return None
        chunks.append(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks)


async def _send(send, answer: WebhookResponse) -> None:
    headers = [
        (b"content-type", answer.content_type.encode("latin-1")),
        (b"content-length", str(len(answer.body)).encode()),
        (b"cache-control", b"no-store"),
        (b"x-content-type-options", b"nosniff"),
        (b"x-frame-options", b"DENY"),
        (b"content-security-policy", b"default-src 'none'; frame-ancestors 'none'"),
        (b"referrer-policy", b"no-referrer"),
        *((k.encode("latin-1"), v.encode("latin-1")) for k, v in answer.headers.items()),
    ]
    await send({"type": "http.response.start", "status": answer.status, "headers": headers})
    await send({"type": "http.response.body", "body": answer.body})
