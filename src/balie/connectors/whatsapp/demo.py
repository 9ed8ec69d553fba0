"""WhatsApp in ``balie demo``: a channel for the demo organisation, residents' messages that
arrive through the real webhook path, and a stand-in for Meta's Graph API so that answers
go out and come back as delivered and read.

:func:`demo_whatsapp` adds the channel (once), an approved template, and feeds signed
notifications (signed with the channel's own app secret) to the connector's
``handle_webhook``: the same checks, parsing and storing as Meta's would get.

The stand-in (:data:`urlpatterns`, to be mounted at ``demo/whatsapp-graph/`` only when
``settings.DEMO``) answers ``POST /{version}/{phone number id}/messages`` and ``/media`` for
the demo channel's token with a new message or media id, and a moment later reports the
message delivered and read through the webhook path (:func:`report_demo_statuses`). It
answers 404 outside a demo. Without it mounted, answers in the demo fail visibly on the
message (``http_404``).
"""

from __future__ import annotations

import json
import secrets
from datetime import timedelta

from django.conf import settings
from django.http import HttpResponse, JsonResponse
from django.urls import path
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST
from django_tasks import task

from balie.connectors.accounts import do_add_channel, secret_of
from balie.connectors.intake import take_webhook
from balie.connectors.models import ChannelAccount
from balie.connectors.registry import WebhookRequest
from balie.connectors.whatsapp.templates import do_add_template
from balie.connectors.whatsapp.webhook import SIGNATURE_HEADER, sign
from balie.conversations.models import Channel
from balie.tenants.models import Organisation

__all__ = ["demo_whatsapp", "report_demo_statuses", "urlpatterns"]

NAME = "WhatsApp (demo)"
PHONE_NUMBER_ID = "100000000000001"
GRAPH_PATH = "demo/whatsapp-graph/v21.0"
# Two residents writing in (WhatsApp ids, profile names) and what they send.
FATIMA, JOHAN = ("31612345670", "Fatima Bakker"), ("31687654320", "Johan de Wit")


def demo_whatsapp(organisation: Organisation) -> ChannelAccount:
    """The demo organisation's WhatsApp channel with a few residents' messages; once."""
    found = ChannelAccount.objects.filter(
        organisation=organisation, kind=Channel.WHATSAPP, name=NAME
    ).first()
    if found is not None:
        return found
    account = do_add_channel(
        organisation.pk, actor=None, kind=Channel.WHATSAPP, name=NAME,
        settings={"phone_number_id": PHONE_NUMBER_ID,
                  "graph_url": f"{settings.PUBLIC_URL.rstrip('/')}/{GRAPH_PATH}"},
        secrets={"access_token": secrets.token_urlsafe(24),
                 "app_secret": secrets.token_urlsafe(24),
                 "verify_token": secrets.token_urlsafe(12)},
    )  # fmt: skip
    do_add_template(
        account, actor=None, name="melding_opvolging", language="nl",
        body="Goedendag {{1}}, heeft u nog vragen over uw melding? U kunt hier antwoorden.",
        approved=True,
    )  # fmt: skip
    for notification in _arrivals():
        _deliver(account, notification)
    return account


def _arrivals() -> list[dict]:
    first = "wamid.DEMO-FATIMA-1"
    return [
        _notification(
            [FATIMA],
            [_message(first, FATIMA[0], "text", {
                "body": "Goedemiddag, de lantaarnpaal bij Kerkstraat 12 doet het al een week "
                        "niet. Het is 's avonds echt donker op de stoep."})],
        ),
        _notification(
            [FATIMA],
            [_message("wamid.DEMO-FATIMA-2", FATIMA[0], "location", {
                "latitude": 52.0894, "longitude": 5.1180, "name": "Kerkstraat 12",
                "address": "Kerkstraat 12, Utrecht"}),
             _message("wamid.DEMO-FATIMA-3", FATIMA[0], "text",
                      {"body": "Hier staat hij, tegenover de bakker."},
                      context={"from": PHONE_NUMBER_ID, "id": first})],
        ),
        _notification(
            [JOHAN],
            [_message("wamid.DEMO-JOHAN-1", JOHAN[0], "text", {
                "body": "Hallo, kan ik mijn rijbewijs ook op zaterdag ophalen?"})],
        ),
    ]  # fmt: skip


def _notification(
    contacts: list[tuple[str, str]], messages: list[dict], statuses: list[dict] | None = None
) -> dict:
    value: dict = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31300000000", "phone_number_id": PHONE_NUMBER_ID},
    }
    if contacts:
        value["contacts"] = [
            {"profile": {"name": name}, "wa_id": wa_id} for wa_id, name in contacts
        ]
    if messages:
        value["messages"] = messages
    if statuses:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "0", "changes": [{"field": "messages", "value": value}]}],
    }


def _message(wamid: str, sender: str, kind: str, content: dict, **extra) -> dict:
    stamp = str(int(timezone.now().timestamp()))
    return {"from": sender, "id": wamid, "timestamp": stamp, "type": kind, kind: content, **extra}


def _deliver(account: ChannelAccount, notification: dict) -> None:
    """As Meta would: POST the notification signed with the channel's app secret."""
    body = json.dumps(notification).encode()
    answer = take_webhook(
        account.public_id,
        WebhookRequest(
            method="POST",
            headers={SIGNATURE_HEADER: sign(body, secret_of(account, "app_secret"))},
            query={},
            body=body,
        ),
    )
    if answer.status != 200:
        raise RuntimeError(f"the demo's notification was refused ({answer.status})")


# the stand-in Graph API


def _demo_account(request, phone_number_id: str) -> ChannelAccount | None:
    if not settings.DEMO:
        return None
    account = ChannelAccount.objects.filter(
        kind=Channel.WHATSAPP, name=NAME, settings__phone_number_id=phone_number_id
    ).first()
    token = request.headers.get("Authorization", "")
    if account is None or token != f"Bearer {secret_of(account, 'access_token')}":
        return None
    return account


@csrf_exempt
@require_POST
def graph_messages(request, phone_number_id: str):
    account = _demo_account(request, phone_number_id)
    if account is None:
        return HttpResponse(status=404)
    try:
        to = json.loads(request.body)["to"]
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": {"message": "Invalid parameter", "code": 100}}, status=400)
    wamid = f"wamid.DEMO-{secrets.token_hex(8)}"
    later = timezone.now() + timedelta(seconds=3)
    report_demo_statuses.using(run_after=later).enqueue(account.pk, wamid, str(to))
    return JsonResponse({"messaging_product": "whatsapp", "messages": [{"id": wamid}]})


@csrf_exempt
@require_POST
def graph_media(request, phone_number_id: str):
    if _demo_account(request, phone_number_id) is None:
        return HttpResponse(status=404)
    return JsonResponse({"id": str(secrets.randbelow(10**15))})


@task()
def report_demo_statuses(account_id: int, wamid: str, recipient: str) -> str:
    """The stand-in's "delivered" and "read" for ``wamid``, through the webhook path."""
    account = ChannelAccount.objects.filter(pk=account_id, kind=Channel.WHATSAPP).first()
    if account is None:
        return "no_account"
    stamp = str(int(timezone.now().timestamp()))
    statuses = [
        {"id": wamid, "status": state, "timestamp": stamp, "recipient_id": recipient}
        for state in ("delivered", "read")
    ]
    _deliver(account, _notification([], [], statuses))
    return "reported"


urlpatterns = [
    path("v21.0/<str:phone_number_id>/messages", graph_messages, name="demo_graph_messages"),
    path("v21.0/<str:phone_number_id>/media", graph_media, name="demo_graph_media"),
]
