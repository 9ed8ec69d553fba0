"""A stand-in channel for the connector core's tests (Telegram's kind, which has no adapter):
it checks a shared token, stores what it is sent, and can be told to refuse."""

from __future__ import annotations

import json

import pytest

from balie.connectors import accounts, registry
from balie.connectors.inbound import Inbound, do_receive
from balie.connectors.outbound import send_outbound
from balie.conversations import tasks
from balie.conversations.models import Channel

SECRET = "stand-in-secret-7Qx2-never-shown"


class StandIn(registry.Connector):
    kind = Channel.TELEGRAM
    settings = (registry.Field("bot", "The bot's name."),)
    secrets = (registry.Field("token", "The bot's token."),)

    def __init__(self):
        self.sent: list[tuple[str, str]] = []
        self.fail: tasks.DeliveryFailed | None = None

    def handle_webhook(self, account, request):
        if request.headers.get("x-token") != accounts.secret_of(account, "token"):
            return registry.WebhookResponse(401)
        data = json.loads(request.body)
        do_receive(account, Inbound(data["id"], data["from"], data["text"], name="Inwoner"))
        return registry.WebhookResponse(200, b"ok")

    def send(self, account, message, *, address):
        if self.fail:
            raise self.fail
        self.sent.append((address, message.body))
        return f"out-{message.pk}"


@pytest.fixture
def stand_in():
    connector = StandIn()
    registry.register(connector)
    tasks.register_sender(Channel.TELEGRAM, send_outbound)
    yield connector
    registry._registry.pop(Channel.TELEGRAM, None)


@pytest.fixture
def account(utrecht, utrecht_team, stand_in):
    return accounts.do_add_channel(
        utrecht.pk, actor=None, kind="telegram", name="Gemeente Utrecht bot",
        settings={"bot": "utrecht_bot"}, secrets={"token": SECRET},
    )  # fmt: skip
