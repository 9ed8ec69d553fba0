"""The resident's notifications switch: ``POST /c/<slug>/push/`` turns Web Push on for this
browser, ``DELETE /c/<slug>/push/`` turns it off. Both are authenticated by the device
token (``X-Balie-Token``, decision 0009) and reach only that conversation's own
subscriptions: another resident's browser cannot be turned off, another organisation's
conversation is not found.

Bodies are JSON: ``PushSubscription.toJSON()`` to turn on, ``{"endpoint": …}`` to turn off.
Every refusal is a domain error answered here, once, as ``{"code", "detail", "fields"}``.
"""

from __future__ import annotations

import json
from functools import wraps

from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from balie.connectors.webpush.subscriptions import check_subscription, do_subscribe, do_unsubscribe
from balie.conversations import selectors
from balie.errors import BalieError, Invalid, TooLarge

__all__ = ["MAX_BODY", "push_subscription"]

MAX_BODY = 4096  # bytes: an endpoint of at most 1000 characters and two keys fit easily
TOKEN_HEADER = "X-Balie-Token"  # noqa: S105 - a header name, not a secret


def _resident_json(view):
    """Turn a domain error into its JSON answer: the resident endpoints' one mapping."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except BalieError as refused:
            return JsonResponse(refused.as_dict(), status=refused.status)

    return wrapper


def _body(request) -> dict:
    declared = request.headers.get("Content-Length", "")
    if (declared.isdigit() and int(declared) > MAX_BODY) or len(request.body) > MAX_BODY:
        raise TooLarge("too_large", _("The request is too large."))
    try:
        body = json.loads(request.body or b"")
    except (ValueError, RecursionError):
        raise Invalid("malformed_json", _("This is not valid JSON.")) from None
    if not isinstance(body, dict):
        raise Invalid("malformed_json", _("Send a JSON object."))
    return body


@csrf_exempt  # authenticated by the device token header, never by a cookie
@require_http_methods(["POST", "DELETE"])
@_resident_json
def push_subscription(request, slug: str):
    body = _body(request)
    conversation = selectors.access_conversation_by_token(slug, request.headers.get(TOKEN_HEADER))
    if request.method == "DELETE":
        do_unsubscribe(conversation, body.get("endpoint"))
        return HttpResponse(status=204)
    do_subscribe(conversation, check_subscription(body))
    return JsonResponse({"subscribed": True}, status=201)
