"""Limits that hold however many sockets a resident opens: per device token, per
conversation, per address (IPv6 by /64), and open sockets per address."""

from __future__ import annotations

import asyncio
import time
import types
import uuid

import pytest
from channels.db import database_sync_to_async
from django.test import override_settings

from balie.conf.routing import websocket_application
from balie.conversations import actions, limits
from balie.conversations.limits import address_scope
from balie.conversations.models import Message
from balie.realtime.resident import TOO_MANY_SOCKETS
from balie.tenants.models import Organisation
from tests.realtime.communicator import WebsocketCommunicator
from tests.realtime.helpers import ORIGIN, receive_until, resident_socket

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def one_window(monkeypatch):
    """The counters are fixed windows (``<limit>:<scope>:<now // window>``): a test that ran
    across a window's edge saw its counts start again. Here the clock of the windows stands
    still, 3 s into one; expiry in the process keeps the real monotonic clock."""
    monkeypatch.setattr(
        limits, "time", types.SimpleNamespace(time=lambda: 1_000_003.0, monotonic=time.monotonic)
    )


ROOMY = {  # every shared limit far away, so that a test meets only the one it sets
    "LIMIT_FRAMES_PER_TOKEN": 1000,
    "LIMIT_MESSAGES_PER_CONVERSATION": 1000,
    "LIMIT_FRAMES_PER_IP": 1000,
    "LIMIT_SOCKETS_PER_IP": 1000,
}


def roomy(**limits):
    return override_settings(**{**ROOMY, **limits})


@database_sync_to_async
def start_chat(slug="utrecht"):
    return actions.do_start_webchat(Organisation.objects.get(slug=slug))


@database_sync_to_async
def stored(conversation=None) -> int:
    messages = Message.objects.all()
    return (messages.filter(conversation=conversation) if conversation else messages).count()


async def joined(token, slug="utrecht", client="127.0.0.1"):
    socket = await resident_socket(slug, client=client)
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(socket, "ready")
    return socket


async def send(socket, body="hallo"):
    await socket.send_json_to({"type": "send", "client_id": uuid.uuid4().hex, "body": body})


async def answers(socket, count: int) -> list[dict]:
    """The next ``count`` acks or errors (other frames, like the echoed message, skipped)."""
    found: list[dict] = []
    while len(found) < count:
        frame = await socket.receive_json_from(timeout=10)
        if frame["type"] in ("ack", "error"):
            found.append(frame)
    return found


async def close_all(sockets):
    await asyncio.gather(*(socket.disconnect() for socket in sockets))


@roomy(LIMIT_FRAMES_PER_TOKEN=10)
async def test_many_sockets_on_one_token_store_no_more_than_the_tokens_limit(utrecht_team):
    conversation, token = await start_chat()
    sockets = [await joined(token) for _ in range(20)]

    for socket in sockets:  # 60 messages, 3 per socket: far within each socket's own limit
        for n in range(3):
            await send(socket, f"bericht {n}")
    frames = [frame for socket in sockets for frame in await answers(socket, 3)]

    assert await stored(conversation) == 10
    refused = [frame for frame in frames if frame["type"] == "error"]
    assert len(refused) == 50
    assert {frame["code"] for frame in refused} == {"rate_limited"}
    assert all(1 <= frame["retry_after"] <= 10 for frame in refused)
    await sockets[0].send_json_to({"type": "typing"})  # refused, and the socket still answers
    assert (await receive_until(sockets[0], "error"))["code"] == "rate_limited"
    await close_all(sockets)


@roomy(LIMIT_FRAMES_PER_IP=15)
async def test_many_tokens_from_one_address_share_its_limit(utrecht_team):
    chats = [await start_chat() for _ in range(5)]
    sockets = [await joined(token) for _conversation, token in chats]  # 5 frames: hello

    for socket in sockets:
        for _ in range(4):
            await send(socket)
    frames = [frame for socket in sockets for frame in await answers(socket, 4)]

    assert await stored() == 10
    assert sum(frame["type"] == "error" for frame in frames) == 10
    await close_all(sockets)


@roomy(LIMIT_FRAMES_PER_IP=4)
async def test_ipv6_addresses_count_by_their_64_block(utrecht):
    same_block = [await resident_socket("utrecht", client=f"2001:db8:1:2::{n}") for n in (1, 2)]
    other_block = await resident_socket("utrecht", client="2001:db8:1:3::1")
    language = {"type": "language", "language": "en"}  # answered with nothing when it passes

    for _ in range(4):
        await same_block[0].send_json_to(language)
    assert await same_block[0].receive_nothing(timeout=0.3)
    await same_block[1].send_json_to(language)
    assert (await receive_until(same_block[1], "error"))["code"] == "rate_limited"
    await other_block.send_json_to(language)
    assert await other_block.receive_nothing(timeout=0.3)
    await close_all([*same_block, other_block])


def test_addresses_are_counted_as_ipv4_or_an_ipv6_64_block():
    assert address_scope("192.0.2.7") == "192.0.2.7"
    assert address_scope("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert address_scope("2001:db8:1:2:bbbb::9") == "2001:db8:1:2::/64"
    assert address_scope("::ffff:192.0.2.7") == "192.0.2.7"
    assert address_scope("fe80::1%eth0") == "fe80::/64"
    assert address_scope(None) == address_scope("not an address") == "unknown"


@roomy(LIMIT_MESSAGES_PER_CONVERSATION=3)
async def test_a_conversation_takes_a_limited_number_of_messages(utrecht_team):
    conversation, token = await start_chat()
    sockets = [await joined(token) for _ in range(2)]

    for socket in sockets:
        for _ in range(3):
            await send(socket)
    frames = [frame for socket in sockets for frame in await answers(socket, 3)]

    assert await stored(conversation) == 3
    assert [frame["code"] for frame in frames if frame["type"] == "error"] == ["rate_limited"] * 3
    await sockets[0].send_json_to({"type": "typing"})  # not a message: still let through
    await sockets[0].send_json_to({"type": "explode"})
    assert (await receive_until(sockets[0], "error"))["code"] == "unknown_type"
    await close_all(sockets)


@roomy(LIMIT_FRAMES_PER_TOKEN=3, LIMIT_MESSAGES_PER_CONVERSATION=3)
async def test_one_municipalitys_residents_at_their_limit_leave_anothers_alone(
    utrecht_team, groningen_team
):
    utrecht_chat, utrecht_token = await start_chat("utrecht")
    groningen_chat, groningen_token = await start_chat("groningen")
    utrecht_socket = await joined(utrecht_token, "utrecht")
    for _ in range(5):
        await send(utrecht_socket)
    assert [f["type"] for f in await answers(utrecht_socket, 5)].count("error") == 2

    groningen_socket = await joined(groningen_token, "groningen")
    for _ in range(3):
        await send(groningen_socket)

    assert [f["type"] for f in await answers(groningen_socket, 3)] == ["ack"] * 3
    assert await stored(groningen_chat) == 3
    await close_all([utrecht_socket, groningen_socket])


@roomy(LIMIT_SOCKETS_PER_IP=3)
async def test_sockets_per_address_are_refused_beyond_the_limit_and_freed_on_close(utrecht):
    sockets = [await resident_socket("utrecht") for _ in range(3)]

    refused = WebsocketCommunicator(websocket_application, "/ws/c/utrecht/", headers=[ORIGIN])
    assert await refused.connect() == (True, None)  # accepted, so the close code arrives
    closed = await refused.receive_output(3)
    assert (closed["type"], closed["code"]) == ("websocket.close", TOO_MANY_SOCKETS)
    elsewhere = await resident_socket("utrecht", client="192.0.2.8")  # another address

    await sockets[0].disconnect()
    again = await resident_socket("utrecht")  # the closed socket's place is free again
    await close_all([*sockets[1:], elsewhere, again])
