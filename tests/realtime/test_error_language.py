"""Error frames speak the reader's language: the resident page's, the console's choice."""

from __future__ import annotations

import pytest
from asgiref.sync import sync_to_async
from django.test import Client

from balie.accounts.languages import SESSION_KEY
from balie.conf.routing import websocket_application
from tests.realtime.communicator import WebsocketCommunicator
from tests.realtime.helpers import ORIGIN, agent_socket, receive_until, resident_socket

pytestmark = pytest.mark.django_db(transaction=True)

UNKNOWN = {"type": "explode"}


async def test_resident_errors_are_dutch_by_default(utrecht):
    socket = await resident_socket("utrecht")
    await socket.send_json_to(UNKNOWN)
    assert (await socket.receive_json_from())["detail"].startswith("Onbekend berichttype")
    await socket.disconnect()


async def test_resident_errors_follow_the_pages_language(utrecht):
    socket = await resident_socket("utrecht")
    await socket.send_json_to({"type": "hello", "token": None, "last_seq": 0, "language": "en"})
    await receive_until(socket, "ready")
    await socket.send_json_to(UNKNOWN)
    assert (await socket.receive_json_from())["detail"].startswith("Unknown message type")
    await socket.send_json_to({"type": "language", "language": "nl"})  # switched back
    await socket.send_json_to(UNKNOWN)
    assert (await socket.receive_json_from())["detail"].startswith("Onbekend berichttype")
    await socket.send_json_to({"type": "language", "language": "fr"})
    refused = await socket.receive_json_from()
    assert refused["code"] == "invalid_field" and "language" in refused["detail"]
    await socket.disconnect()


async def test_resident_errors_in_an_english_conversation_are_english(webchat_en):
    _conversation, token = webchat_en
    socket = await resident_socket("utrecht")
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(socket, "ready")
    await socket.send_json_to(UNKNOWN)
    assert (await socket.receive_json_from())["detail"].startswith("Unknown message type")
    await socket.disconnect()


def _english_session_cookie(user) -> str:
    client = Client()
    client.force_login(user)
    session = client.session
    session[SESSION_KEY] = "en"
    session.save()
    return client.cookies["sessionid"].value


async def test_staff_errors_follow_the_consoles_language(webchat, agent_anna):
    dutch = await agent_socket(agent_anna)
    await dutch.send_json_to(UNKNOWN)
    assert (await receive_until(dutch, "error"))["detail"].startswith("Onbekend berichttype")
    await dutch.disconnect()

    cookie = await sync_to_async(_english_session_cookie)(agent_anna)
    english = WebsocketCommunicator(
        websocket_application,
        "/ws/agent/",
        headers=[ORIGIN, (b"cookie", f"sessionid={cookie}".encode())],
    )
    assert (await english.connect())[0]
    await receive_until(english, "hello")
    await english.send_json_to(UNKNOWN)
    assert (await receive_until(english, "error"))["detail"].startswith("Unknown message type")
    await english.disconnect()


@pytest.fixture
def webchat_en(utrecht):
    from balie.conversations import actions

    return actions.do_start_webchat(utrecht, language="en")
