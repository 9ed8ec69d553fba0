"""The console's conversation pane shows the conversation's registration in Open Klant: what
opening a conversation (the staff socket's ``subscribed``) and the console's answers carry,
for whoever may see the conversation and nobody else."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from django.db import connections
from django.test import Client

from balie.accounts.languages import SESSION_KEY
from balie.conf.routing import websocket_application
from balie.integrations.klantinteracties.connection import do_configure_connection
from balie.integrations.klantinteracties.models import Registration
from tests.realtime.communicator import WebsocketCommunicator
from tests.realtime.helpers import ORIGIN, agent_socket, receive_until


@pytest.fixture
async def consumer_connections_closed():
    """Consumers keep their database connection in asgiref's sync thread: close it after a
    socket test, so that the test database can be dropped (as tests/realtime do)."""
    yield
    await sync_to_async(connections.close_all)()


@pytest.fixture
def registered(chat, connected, resolve, run_queued):
    resolve(chat)
    assert run_queued() == ["registered"]
    return Registration.objects.get(conversation=chat)


@pytest.fixture
def failed(chat, utrecht, admin_ada, openklant, resolve, run_queued):
    """Open Klant refuses the token (401): the registration fails at once."""
    do_configure_connection(
        utrecht.pk, actor=admin_ada, url=openklant.api + "/", token="a-wrong-token"
    )
    resolve(chat)
    assert run_queued() == ["failed"]
    return Registration.objects.get(conversation=chat)


async def _opened(socket, conversation_id: int) -> dict:
    """What the pane gets as it opens the conversation."""
    await socket.send_json_to({"type": "subscribe", "conversation": conversation_id})
    return (await receive_until(socket, "subscribed"))["conversation"]


def _post_details(client, conversation_id: int):
    return client.post(
        f"/console/conversations/{conversation_id}/details/",
        json.dumps({"subject": "Container niet geleegd"}),
        content_type="application/json",
    )


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("consumer_connections_closed")
@pytest.mark.parametrize("who", ["agent_anna", "auditor_aziz"])
async def test_opening_a_registered_conversation_shows_its_klantcontact(request, registered, who):
    person = await sync_to_async(request.getfixturevalue)(who)
    socket = await agent_socket(person)
    shown = (await _opened(socket, registered.conversation_id))["klantinteracties"]
    assert shown == {
        "state": "registered",
        "round": 1,
        "klantcontact_url": registered.klantcontact_url,
        "error": "",
        "next_attempt_at": None,
        "registered_at": registered.registered_at.isoformat(),
    }
    assert shown["klantcontact_url"].startswith("http://127.0.0.1:")
    await socket.disconnect()


def test_resolving_in_the_console_shows_the_registration_waiting(
    client, agent_anna, chat, connected
):
    client.force_login(agent_anna)
    answer = client.post(
        f"/console/conversations/{chat.pk}/status/",
        json.dumps({"status": "resolved"}),
        content_type="application/json",
    )
    shown = answer.json()["conversation"]["klantinteracties"]
    assert (shown["state"], shown["klantcontact_url"], shown["error"]) == ("queued", "", "")


def test_a_conversation_never_registered_shows_nothing(client, agent_anna, chat):
    client.force_login(agent_anna)
    assert _post_details(client, chat.pk).json()["conversation"]["klantinteracties"] is None


def test_a_failed_registration_shows_why_without_a_link(client, agent_anna, failed):
    client.force_login(agent_anna)
    shown = _post_details(client, failed.conversation_id).json()["conversation"]
    assert shown["klantinteracties"]["state"] == "failed"
    assert shown["klantinteracties"]["klantcontact_url"] == ""
    assert shown["klantinteracties"]["error"].startswith("Open Klant antwoordde met status 401")


def _english_session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = "en"
    session.save()
    return client.cookies["sessionid"].value


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("consumer_connections_closed")
async def test_the_failure_is_told_in_the_consoles_language(agent_anna, failed):
    cookie = await sync_to_async(_english_session_cookie)(agent_anna)
    socket = WebsocketCommunicator(
        websocket_application,
        "/ws/agent/",
        headers=[ORIGIN, (b"cookie", f"sessionid={cookie}".encode())],
    )
    assert (await socket.connect())[0]
    await receive_until(socket, "hello")
    shown = (await _opened(socket, failed.conversation_id))["klantinteracties"]
    assert shown["error"].startswith("Open Klant answered with status 401")
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("consumer_connections_closed")
@pytest.mark.parametrize("who", ["agent_gerrit", "agent_bram"])
async def test_staff_who_may_not_see_the_conversation_never_see_its_registration(
    request, registered, who
):
    """Groningen's agent (another organisation) and Utrecht's agent outside the team."""
    person = await sync_to_async(request.getfixturevalue)(who)
    socket = await agent_socket(person)
    await socket.send_json_to(
        {"type": "subscribe", "conversation": registered.conversation_id, "ref": "sub:1"}
    )
    refused = await receive_until(socket, "error")
    assert (refused["code"], refused["ref"]) == ("not_found", "sub:1")
    assert await socket.receive_nothing(timeout=0.2)
    await socket.disconnect()

    client = Client()
    await sync_to_async(client.force_login)(person)
    for answer in (
        await sync_to_async(_post_details)(client, registered.conversation_id),
        await sync_to_async(client.get)(
            f"/console/utrecht/klantinteracties/conversations/{registered.conversation_id}/"
        ),
    ):
        assert answer.status_code == 404
        assert registered.klantcontact_url not in answer.content.decode()
