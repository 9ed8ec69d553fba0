"""The demo's WhatsApp channel: residents' messages arrive through the real webhook path, and
an answer goes out through the stand-in Graph API and comes back as read."""

from __future__ import annotations

import pytest
from django.db import connections
from django_tasks_db.models import DBTaskResult

from balie.connectors.models import ChannelThread
from balie.connectors.whatsapp.demo import demo_whatsapp, report_demo_statuses
from balie.conversations import tasks
from balie.conversations.models import Conversation, DeliveryStatus, Direction, Message
from tests.factories import send


@pytest.fixture(autouse=True)
def _english(settings):
    settings.LANGUAGE_CODE = "en"


@pytest.fixture
def short_lived_connections():
    """The live server's request threads close their database connection after each request
    (CONN_MAX_AGE=0), so none is left open when the test database is flushed or dropped."""
    database = connections.settings["default"]
    before = database.get("CONN_MAX_AGE")
    database["CONN_MAX_AGE"] = 0
    yield
    database["CONN_MAX_AGE"] = before


def test_the_demo_shows_a_whatsapp_conversation_arriving(utrecht, utrecht_team):
    account = demo_whatsapp(utrecht)
    conversations = Conversation.objects.filter(organisation=utrecht, channel="whatsapp")
    assert conversations.count() == 2
    fatima = ChannelThread.objects.get(address="31612345670").conversation
    assert fatima.contact.name == "Fatima Bakker"
    bodies = list(fatima.messages.order_by("seq").values_list("body", flat=True))
    assert bodies[0].startswith("Goedemiddag, de lantaarnpaal")
    assert bodies[1].startswith("Location: Kerkstraat 12")
    assert bodies[2].startswith("In reply to: “Goedemiddag, de lantaarnpaal")
    # Once: calling it again adds nothing.
    assert demo_whatsapp(utrecht).pk == account.pk
    assert Message.objects.filter(conversation__in=conversations).count() == 4


@pytest.mark.urls("tests.connectors.whatsapp.urls")
@pytest.mark.django_db(transaction=True)
def test_an_answer_goes_out_through_the_stand_in_and_comes_back_read(
    short_lived_connections, live_server, settings, utrecht, utrecht_team, agent_anna
):
    settings.PUBLIC_URL = live_server.url
    demo_whatsapp(utrecht)
    fatima = ChannelThread.objects.get(address="31612345670").conversation
    answer = send(fatima, "Dank u, we sturen iemand langs.", direction=Direction.OUTBOUND,
                  author=agent_anna)  # fmt: skip
    assert tasks.deliver_outbound.call(answer.pk) == DeliveryStatus.SENT
    row = DBTaskResult.objects.get(task_path__endswith="report_demo_statuses")
    assert row.run_after is not None
    assert report_demo_statuses.call(*row.args_kwargs["args"]) == "reported"
    answer.refresh_from_db()
    assert answer.delivery_status == DeliveryStatus.READ


@pytest.mark.urls("tests.connectors.whatsapp.urls")
def test_the_stand_in_answers_only_in_a_demo_and_only_the_demo_token(client, settings, utrecht):
    account = demo_whatsapp(utrecht)
    url = f"/demo/whatsapp-graph/v21.0/{account.settings['phone_number_id']}/messages"
    body = {"messaging_product": "whatsapp", "to": "31612345670", "type": "text"}
    assert client.post(url, body, content_type="application/json").status_code == 404
    from balie.connectors.accounts import secret_of

    auth = {"HTTP_AUTHORIZATION": f"Bearer {secret_of(account, 'access_token')}"}
    assert client.post(url, body, content_type="application/json", **auth).status_code == 200
    settings.DEMO = False
    assert client.post(url, body, content_type="application/json", **auth).status_code == 404
