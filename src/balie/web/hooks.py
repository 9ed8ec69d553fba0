"""Channels' webhooks: ``/hooks/<public id>/``, one address per channel account.

The view is thin: it finds the account by its unguessable public id (404 for an unknown or
switched-off one, so a guess learns nothing), hands the raw body, headers and query to the
account's connector — which checks the channel's signature over the raw body, parses, and
stores through ``balie.connectors.inbound`` — and answers what the connector says. No
session, no CSRF (the channel signs instead), no cookies set.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpResponse, JsonResponse
from django.views.decorators.csrf import csrf_exempt

from balie.conf.limits import max_body_bytes
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import WebhookRequest, connector_for
from balie.errors import BalieError


@csrf_exempt
def channel_webhook(request, public_id: str):
    account = (
        ChannelAccount.objects.filter(public_id=public_id, enabled=True)
        .select_related("organisation")
        .first()
    )
    connector = connector_for(account.kind) if account else None
    if account is None or connector is None:
        return HttpResponse(status=404)
    if request.method not in ("GET", "POST"):
        return HttpResponse(status=405, headers={"Allow": "GET, POST"})
    length = request.META.get("CONTENT_LENGTH") or "0"
    if not length.isdigit() or int(length) > max_body_bytes():
        return HttpResponse(status=413)
    try:
        body = request.body
    except RequestDataTooBig:  # over DATA_UPLOAD_MAX_MEMORY_SIZE
        return HttpResponse(status=413)
    try:
        answer = connector.handle_webhook(
            account,
            WebhookRequest(
                method=request.method,
                headers={k.lower(): v for k, v in request.headers.items()},
                query={k: request.GET.get(k, "") for k in request.GET},
                body=body,
            ),
        )
    except BalieError as error:  # refused input: the channel should not send it again
        if error.status >= 500:
            raise
        return JsonResponse({"code": error.code, "detail": error.message}, status=error.status)
    response = HttpResponse(answer.body, status=answer.status, content_type=answer.content_type)
    for name, value in answer.headers.items():
        response[name] = value
    return response
