"""WebSockets refuse bad frames with a clear error and never cross tenants."""

from __future__ import annotations

import pytest
from channels.db import database_sync_to_async

from balie.archive.models import ArchiveEvent
from balie.conf.routing import websocket_application
from balie.conversations.models import Message
from tests.factories import send
from tests.realtime.communicator import WebsocketCommunicator
from tests.realtime.helpers import ORIGIN, agent_socket, receive_until, resident_socket

pytestmark = pytest.mark.django_db(transaction=True)


def _counts():
    return Message.objects.count(), ArchiveEvent.objects.count()


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ("{not json", "malformed_json"),
        ("[1, 2]", "malformed_frame"),
        ('{"no_type": 1}', "malformed_frame"),
        ('{"type": "explode"}', "unknown_type"),
        ('{"type": "send", "client_id": "abcdefgh", "body": "x"}', "not_ready"),
        (
            '{"type": "hello", "token": "nonsense-token-that-does-not-exist", "last_seq": 0}',
            "unknown_token",
        ),
        ('{"type": "hello", "token": null, "last_seq": -1}', "invalid_field"),
        ('{"type": "hello", "token": null, "last_seq": "7"}', "invalid_field"),
        ("[" * 5000 + "]" * 5000, "malformed_json"),
        ('{"type": "hello", "pad": "' + "x" * 70_000 + '"}', "frame_too_large"),
    ],
)
async def test_resident_socket_answers_bad_frames_with_error_and_stays_open(utrecht, raw, code):
    before = await database_sync_to_async(_counts)()
    socket = await resident_socket("utrecht")
    await socket.send_to(raw)
    error = await socket.receive_json_from()
    assert error["type"] == "error" and error["code"] == code and error["detail"]
    # Still usable afterwards.
    await socket.send_json_to({"type": "hello", "token": None, "last_seq": 0})
    assert (await socket.receive_json_from())["type"] == "ready"
    assert await database_sync_to_async(_counts)() == before
    await socket.disconnect()


async def test_invalid_send_stores_nothing(webchat):
    _conversation, token = webchat
    socket = await resident_socket("utrecht")
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(socket, "ready")
    before = await database_sync_to_async(_counts)()
    for frame in [
        {"type": "send", "client_id": "abcdefgh", "body": "x" * 5000},
        {"type": "send", "client_id": "abcdefgh", "body": "hoi", "attachments": [424242]},
        {"type": "send", "client_id": 12345678, "body": "hoi"},
    ]:
        await socket.send_json_to(frame)
        assert (await receive_until(socket, "error"))["code"] in {
            "body_too_long",
            "unknown_attachment",
            "invalid_client_id",
        }
    assert await database_sync_to_async(_counts)() == before
    await socket.disconnect()


async def test_resident_token_is_bound_to_its_organisation(webchat, groningen):
    _conversation, token = webchat
    socket = await resident_socket("groningen")
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    error = await socket.receive_json_from()
    assert error["code"] == "unknown_token"
    await socket.disconnect()


async def test_agent_cannot_subscribe_or_send_to_another_tenant(
    webchat, groningen_webchat, agent_gerrit
):
    conversation, _token = webchat
    await database_sync_to_async(send)(conversation, "Utrechts geheim")
    agent = await agent_socket(agent_gerrit)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    assert (await receive_until(agent, "error"))["code"] == "not_found"
    await agent.send_json_to(
        {"type": "send", "conversation": conversation.pk, "client_id": "abcdefgh1", "body": "hoi"}
    )
    assert (await receive_until(agent, "error"))["code"] == "not_found"
    await agent.send_json_to({"type": "read", "conversation": conversation.pk, "seq": 1})
    assert (await receive_until(agent, "error"))["code"] == "not_found"
    await agent.send_json_to({"type": "typing", "conversation": conversation.pk})
    assert (await receive_until(agent, "error"))["code"] == "not_subscribed"
    # Utrecht's traffic never reaches Groningen's inbox.
    await database_sync_to_async(send)(conversation, "Nog een Utrechts bericht")
    assert await agent.receive_nothing(timeout=0.3)
    await agent.disconnect()


async def test_agent_outside_the_team_does_not_see_the_conversation(webchat, agent_bram):
    conversation, _token = webchat
    agent = await agent_socket(agent_bram)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    assert (await receive_until(agent, "error"))["code"] == "not_found"
    await agent.disconnect()


async def test_read_only_role_cannot_send(webchat, auditor_aziz):
    conversation, _token = webchat
    agent = await agent_socket(auditor_aziz)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    await receive_until(agent, "subscribed")
    await agent.send_json_to(
        {"type": "send", "conversation": conversation.pk, "client_id": "abcdefgh1", "body": "hoi"}
    )
    assert (await receive_until(agent, "error"))["code"] == "permission_denied"
    await agent.disconnect()


async def test_staff_socket_without_session_is_closed(utrecht):
    socket = WebsocketCommunicator(
        websocket_application,
        "/ws/agent/",
        headers=[ORIGIN],
    )
    connected, code = await socket.connect()
    assert not connected and code == 4401


async def test_socket_from_a_foreign_origin_is_refused(utrecht):
    socket = WebsocketCommunicator(
        websocket_application, "/ws/c/utrecht/", headers=[(b"origin", b"https://evil.example")]
    )
    connected, _code = await socket.connect()
    assert not connected


async def test_one_address_cannot_start_unlimited_chats(utrecht, settings):
    settings.NEW_CHATS_PER_HOUR = 2
    codes = []
    for _ in range(3):
        socket = await resident_socket("utrecht")
        await socket.send_json_to({"type": "start"})
        codes.append((await socket.receive_json_from())["type"])
        await socket.disconnect()
    assert codes == ["started", "started", "error"]


async def test_a_flooding_socket_is_slowed_down(webchat, settings):
    settings.RESIDENT_FRAMES_PER_10S = 5
    _conversation, token = webchat
    socket = await resident_socket("utrecht")
    for _ in range(5):
        await socket.send_json_to({"type": "hello", "token": token, "last_seq": 0})
        assert (await socket.receive_json_from())["type"] == "ready"
    await socket.send_json_to({"type": "typing"})
    assert (await socket.receive_json_from())["code"] == "rate_limited"
    await socket.disconnect()
