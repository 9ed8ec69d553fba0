"""Issue 10, finding 4: logout, deactivation, a new password and a change of role or team close
the user's open staff sockets (before, an open /ws/agent/ kept subscribing and sending)."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from balie.accounts.actions import (
    do_remove_membership,
    do_set_active,
    do_set_membership,
    do_set_password,
)
from balie.conf.routing import websocket_application
from balie.conversations import actions
from balie.conversations.models import Message
from balie.realtime.sessions import ACCESS_CHANGED, SESSION_ENDED
from tests.realtime.communicator import WebsocketCommunicator
from tests.realtime.helpers import ORIGIN, receive_until

pytestmark = pytest.mark.django_db(transaction=True)


def _logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


async def _socket(client: Client) -> WebsocketCommunicator:
    cookie = client.cookies["sessionid"].value
    socket = WebsocketCommunicator(
        websocket_application,
        "/ws/agent/",
        headers=[ORIGIN, (b"cookie", f"sessionid={cookie}".encode())],
    )
    connected, _ = await socket.connect()
    assert connected
    assert (await socket.receive_json_from())["type"] == "hello"
    return socket


async def _closed_with(socket: WebsocketCommunicator, timeout: float = 3) -> int:
    """The close code the socket ends with, skipping the frames before it."""
    while True:
        output = await socket.receive_output(timeout)
        if output["type"] == "websocket.close":
            return output["code"]
        assert output["type"] == "websocket.send", output


async def _stays_open(socket: WebsocketCommunicator) -> None:
    await socket.send_json_to({"type": "typing", "conversation": 1})
    frame = json.loads((await socket.receive_output(3))["text"])
    assert frame["type"] == "error" and frame["code"] == "not_subscribed"


async def test_logout_closes_the_sessions_socket_and_spares_the_other_session(agent_anna):
    laptop, phone = (
        await sync_to_async(_logged_in)(agent_anna),
        await sync_to_async(_logged_in)(agent_anna),
    )
    on_laptop, on_phone = await _socket(laptop), await _socket(phone)
    response = await sync_to_async(laptop.post)(reverse("console:logout"))
    assert response.status_code == 302
    assert await _closed_with(on_laptop) == SESSION_ENDED
    await _stays_open(on_phone)
    await on_phone.disconnect()


async def test_after_logout_the_socket_can_no_longer_subscribe_or_send(webchat, agent_anna):
    conversation, _token = webchat
    client = await sync_to_async(_logged_in)(agent_anna)
    socket = await _socket(client)
    await socket.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    await receive_until(socket, "subscribed")
    await sync_to_async(client.post)(reverse("console:logout"))
    assert await _closed_with(socket) == SESSION_ENDED
    # The console comes back with the same cookie: refused.
    again = WebsocketCommunicator(
        websocket_application,
        "/ws/agent/",
        headers=[ORIGIN, (b"cookie", f"sessionid={client.cookies['sessionid'].value}".encode())],
    )
    assert await again.connect() == (False, SESSION_ENDED)


@pytest.mark.parametrize(
    "end",
    [
        pytest.param(lambda user: do_set_active(user, False), id="deactivated"),
        pytest.param(
            lambda user: do_set_password(user, "een-heel-nieuw-wachtwoord"), id="password"
        ),
    ],
)
async def test_deactivation_and_a_new_password_end_every_session(agent_anna, end):
    clients = [await sync_to_async(_logged_in)(agent_anna) for _ in range(2)]
    sockets = [await _socket(client) for client in clients]
    await database_sync_to_async(end)(agent_anna)
    for socket in sockets:
        assert await _closed_with(socket) == SESSION_ENDED


async def test_a_new_role_makes_the_socket_reconnect_to_what_it_may_see(
    webchat, groningen_webchat, agent_anna, groningen
):
    groningen_conversation, _ = groningen_webchat
    client = await sync_to_async(_logged_in)(agent_anna)
    socket = await _socket(client)
    await database_sync_to_async(do_set_membership)(agent_anna, groningen, "supervisor")
    assert await _closed_with(socket) == ACCESS_CHANGED
    socket = await _socket(client)  # what the console does on 4409
    await socket.send_json_to(
        {"type": "subscribe", "conversation": groningen_conversation.pk, "last_seq": 0}
    )
    assert (await receive_until(socket, "subscribed"))["conversation"]["organisation"] == (
        groningen.pk
    )
    await socket.disconnect()


async def test_leaving_the_organisation_stops_the_inbox_at_once(webchat, agent_anna, utrecht):
    conversation, _token = webchat
    client = await sync_to_async(_logged_in)(agent_anna)
    socket = await _socket(client)
    await socket.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    await receive_until(socket, "subscribed")
    await database_sync_to_async(do_remove_membership)(agent_anna, utrecht)
    assert await _closed_with(socket) == ACCESS_CHANGED
    socket = await _socket(client)
    await socket.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    assert (await receive_until(socket, "error"))["code"] == "not_found"
    await socket.disconnect()


async def test_joining_a_team_reconnects_the_agent(webchat, agent_bram, utrecht):
    conversation, _token = webchat
    client = await sync_to_async(_logged_in)(agent_bram)
    socket = await _socket(client)
    await database_sync_to_async(actions.do_create_team)(utrecht, name="Wmo", members=[agent_bram])
    assert await _closed_with(socket) == ACCESS_CHANGED
    await socket.disconnect()


async def test_an_unchanged_role_keeps_the_socket_open(agent_anna, utrecht):
    client = await sync_to_async(_logged_in)(agent_anna)
    socket = await _socket(client)
    await database_sync_to_async(do_set_membership)(agent_anna, utrecht, "agent")
    await _stays_open(socket)
    await socket.disconnect()


async def test_a_lost_notice_is_caught_on_the_next_frame(webchat, agent_anna, settings):
    """The session disappears without any notice (expired, or removed from the database):
    the socket reads it again on its next frame and closes before handling that frame."""
    settings.STAFF_SESSION_RECHECK_SECONDS = 0
    conversation, _token = webchat
    client = await sync_to_async(_logged_in)(agent_anna)
    socket = await _socket(client)
    await socket.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    await receive_until(socket, "subscribed")
    await database_sync_to_async(lambda: Session.objects.all().delete())()
    await socket.send_json_to(
        {"type": "send", "conversation": conversation.pk, "client_id": "na-uitlog", "body": "x"}
    )
    assert await _closed_with(socket) == SESSION_ENDED
    assert not await database_sync_to_async(Message.objects.filter(client_id="na-uitlog").exists)()
