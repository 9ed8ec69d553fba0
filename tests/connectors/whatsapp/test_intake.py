"""The webhooks' intake: requests that arrive together are taken in one transaction, and a
bad one costs the others nothing; the ASGI path before Django answers as the Django view
does; many notifications at once through the real ASGI application, none lost and none
twice."""

from __future__ import annotations

import asyncio
import time
from datetime import timedelta

import pytest
from asgiref.sync import sync_to_async
from django.utils import timezone

from balie.connectors import intake
from balie.connectors.inbound import Inbound, do_receive
from balie.connectors.intake import WebhookCall, take_webhook, take_webhooks
from balie.connectors.models import ChannelThread, ExternalMessage
from balie.connectors.registry import WebhookRequest
from balie.connectors.whatsapp.webhook import SIGNATURE_HEADER
from balie.conversations.models import Conversation, Direction, Message
from balie.errors import BalieError
from balie.realtime.batching import GroupCommit
from balie.web.hooks import HooksApp
from tests.asgi import request
from tests.connectors.whatsapp import payloads
from tests.connectors.whatsapp.conftest import APP_SECRET, RESIDENT


def _call(account, messages, *, secret=APP_SECRET, public_id=None, contacts=()) -> WebhookCall:
    body, signature = payloads.signed(
        payloads.notification(messages=messages, contacts=contacts), secret
    )
    return WebhookCall(
        public_id or account.public_id,
        WebhookRequest("POST", {SIGNATURE_HEADER: signature}, {}, body),
    )


def _text(n: int, sender: str = RESIDENT, **extra):
    return payloads.text(f"wamid.INTAKE{n:04d}", sender, f"Bericht {n}", **extra)


def test_a_batch_of_requests_fails_only_the_bad_ones(account, groningen_account):
    calls = [
        _call(account, [_text(1)]),
        _call(account, [_text(2)], secret="wrong-secret"),  # noqa: S106
        _call(account, [_text(3, "31687654321")]),
        _call(account, [_text(4)], public_id="no-such-channel"),
        WebhookCall(account.public_id, WebhookRequest("POST", {}, {}, b"[")),
        _call(account, [_text(5)], public_id=groningen_account.public_id),  # not its secret
        _call(account, [_text(1)]),  # the first again, in the same batch
        WebhookCall(account.public_id, WebhookRequest("POST", {}, {}, b"x" * (4 * 1024 * 1024))),
    ]
    outcomes, _events = take_webhooks(calls)
    assert [o.status for o in outcomes] == [200, 403, 200, 404, 401, 403, 200, 413]
    stored = Message.objects.filter(direction=Direction.INBOUND)
    assert sorted(stored.values_list("body", flat=True)) == ["Bericht 1", "Bericht 3"]
    assert ExternalMessage.objects.filter(account=account).count() == 2


def test_two_first_messages_of_a_resident_in_one_batch_start_one_conversation(account):
    outcomes, _ = take_webhooks([_call(account, [_text(n)]) for n in range(1, 6)])
    assert all(o.status == 200 for o in outcomes)
    assert Conversation.objects.count() == 1
    assert list(Message.objects.order_by("seq").values_list("seq", flat=True)) == [1, 2, 3, 4, 5]


@pytest.mark.django_db(transaction=True)
def test_a_batch_that_breaks_is_taken_again_one_by_one(account, monkeypatch):
    """One request whose storing raises what no check foresaw: the group commit takes the
    requests again one at a time, so the others are stored and only it fails (and Meta
    sends it again)."""
    real_receive_many = intake.do_receive_many

    def breaks_on_poison(account_, inbounds):
        if any("gif" in inbound.body for inbound in inbounds):
            raise RuntimeError("unforeseen")
        return real_receive_many(account_, inbounds)

    monkeypatch.setattr("balie.connectors.intake.do_receive_many", breaks_on_poison)
    commit = GroupCommit(take_webhooks, name="webhook", hop=sync_to_async)
    poison = payloads.text("wamid.P", RESIDENT, "gif")
    calls = [_call(account, [_text(1)]), _call(account, [poison]),
             _call(account, [_text(2)])]  # fmt: skip

    async def submit_all():
        return await asyncio.gather(*(commit.submit(c) for c in calls), return_exceptions=True)

    outcomes = asyncio.run(submit_all())
    assert outcomes[0].status == 200 and outcomes[2].status == 200
    assert isinstance(outcomes[1], RuntimeError)
    assert sorted(Message.objects.values_list("body", flat=True)) == ["Bericht 1", "Bericht 2"]


def test_a_late_redelivery_does_not_reopen_the_window(account):
    take_webhook(account.public_id, _call(account, [_text(1)]).request)
    thread = ChannelThread.objects.get()
    opened = thread.last_inbound_at
    assert abs((timezone.now() - opened).total_seconds()) < 60
    old = str(int(time.time()) - 3 * 86400)  # Meta retries for up to 7 days
    take_webhook(account.public_id, _call(account, [_text(2, sent=old)]).request)
    thread.refresh_from_db()
    assert thread.last_inbound_at == opened
    late = ExternalMessage.objects.get(external_id="wamid.INTAKE0002")
    assert late.sent_at is not None and timezone.now() - late.sent_at > timedelta(days=2)


def test_a_resident_on_whatsapp_gets_their_phone_number(account):
    take_webhook(
        account.public_id,
        _call(account, [_text(1)], contacts=[payloads.contact(RESIDENT, "Fatima")]).request,
    )
    contact = Conversation.objects.get().contact
    assert contact.phone == f"+{RESIDENT}" and contact.name == "Fatima"


def test_do_receive_raises_what_refused_the_message(account):
    first = do_receive(account, Inbound("wamid.R1", RESIDENT, "Vraag"))
    Conversation.objects.filter(pk=first.conversation_id).update(kind="imported")
    with pytest.raises(BalieError) as refused:  # the write path's own refusal
        do_receive(account, Inbound("wamid.R2", RESIDENT, "Nog een"))
    assert refused.value.code == "imported_conversation"
    assert not ExternalMessage.objects.filter(external_id="wamid.R2").exists()


# The ASGI path, through the real application as uvicorn hands requests over.


async def _asgi(method: str, path: str, body: bytes = b"", headers=()) -> tuple[int, dict, bytes]:
    from balie.conf.asgi import application

    answer = await request(application, method, path, body, tuple(headers))
    return answer.status, answer.headers, answer.body


def _signed_post(account, messages, secret=APP_SECRET):
    body, signature = payloads.signed(payloads.notification(messages=messages), secret)
    return ("POST", f"/hooks/{account.public_id}/", body,
            [(b"x-hub-signature-256", signature.encode())])  # fmt: skip


@pytest.mark.django_db(transaction=True)
def test_the_asgi_path_answers_as_the_view_does(account):
    path = f"/hooks/{account.public_id}/"
    status, headers, body = asyncio.run(_asgi(*_signed_post(account, [_text(1)])))
    assert (status, body) == (200, b"ok")
    assert headers["x-content-type-options"] == "nosniff"
    assert headers["cache-control"] == "no-store"
    assert "default-src 'none'" in headers["content-security-policy"]
    assert "set-cookie" not in headers
    assert asyncio.run(_asgi(*_signed_post(account, [_text(2)], "wrong")))[0] == 403
    assert asyncio.run(_asgi("PUT", path))[0] == 405
    assert asyncio.run(_asgi("POST", "/hooks/no-such-channel/", b"{}"))[0] == 404
    big = b"x" * (4 * 1024 * 1024)  # over WhatsApp's 3 MB
    assert asyncio.run(_asgi("POST", path, big))[0] == 413
    assert list(Message.objects.values_list("body", flat=True)) == ["Bericht 1"]
    # Everything else goes on to the application behind.
    behind = []

    async def inner(scope, receive, send):
        behind.append(scope["path"])

    for other in ("/healthz", "/hooks/", "/hooks/a/b/", "/api/v1/hooks/x/"):
        asyncio.run(HooksApp(inner)({"type": "http", "path": other}, None, None))
    assert behind == ["/healthz", "/hooks/", "/hooks/a/b/", "/api/v1/hooks/x/"]


@pytest.mark.django_db(transaction=True)
def test_many_notifications_at_once_none_lost_none_twice(account):
    """60 requests in flight: 40 residents' messages, each delivered twice (Meta retries),
    and 20 with a wrong signature. Every good message is stored once, in its resident's
    one conversation; every bad request gets 403."""
    residents = [f"3161{n:07d}" for n in range(8)]
    good = [_signed_post(account, [_text(n, residents[n % 8])]) for n in range(40)]
    bad = [_signed_post(account, [_text(100 + n)], "wrong") for n in range(20)]
    requests = good + bad + good

    async def all_at_once():
        return await asyncio.gather(*(_asgi(*r) for r in requests))

    statuses = [status for status, _, _ in asyncio.run(all_at_once())]
    assert statuses == [200] * 40 + [403] * 20 + [200] * 40
    assert Message.objects.filter(direction=Direction.INBOUND).count() == 40
    assert Conversation.objects.count() == 8
    for conversation in Conversation.objects.all():
        seqs = list(conversation.messages.order_by("seq").values_list("seq", flat=True))
        assert seqs == list(range(1, 6))
