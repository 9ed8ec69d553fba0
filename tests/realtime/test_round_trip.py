"""Resident ↔ agent over real WebSockets: round trip, resume without gap or duplicate."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async

from balie.conversations.models import Direction, Message
from tests.factories import send
from tests.realtime.helpers import agent_socket, drain, receive_until, resident_socket

pytestmark = pytest.mark.django_db(transaction=True)


def _cid() -> str:
    return uuid.uuid4().hex


async def test_resident_and_agent_round_trip(utrecht, utrecht_team, agent_anna):
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": None, "last_seq": 0})
    assert (await resident.receive_json_from())["conversation"] is None
    await resident.send_json_to({"type": "start", "language": "nl"})
    started = await resident.receive_json_from()
    assert started["type"] == "started" and len(started["token"]) > 30
    conversation_id = started["conversation"]["id"]

    agent = await agent_socket(agent_anna)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation_id, "last_seq": 0})
    subscribed = await receive_until(agent, "subscribed")
    assert subscribed["messages"] == []

    await resident.send_json_to({"type": "send", "client_id": _cid(), "body": "Mijn pas is kwijt"})
    ack = await receive_until(resident, "ack")
    assert ack["message"]["seq"] == 1 and ack["duplicate"] is False
    incoming = await receive_until(agent, "message")
    assert incoming["message"]["body"] == "Mijn pas is kwijt"
    assert incoming["message"]["direction"] == "inbound"

    await agent.send_json_to(
        {
            "type": "send",
            "conversation": conversation_id,
            "client_id": _cid(),
            "body": "Collega: BSN checken",
            "internal": True,
        }
    )
    await receive_until(agent, "ack")
    await agent.send_json_to(
        {
            "type": "send",
            "conversation": conversation_id,
            "client_id": _cid(),
            "body": "Dat regelen we. U kunt een nieuwe aanvragen.",
        }
    )
    await receive_until(agent, "ack")
    reply = await receive_until(resident, "message")
    assert reply["message"]["body"] == "Dat regelen we. U kunt een nieuwe aanvragen."
    assert reply["message"]["author"] == "Anna"
    # The note was never sent to the resident: nothing else is waiting.
    assert not [f for f in await drain(resident) if f["type"] == "message"]

    await resident.disconnect()
    await agent.disconnect()


async def test_typing_and_read_receipts_reach_the_other_side(webchat, agent_anna):
    conversation, token = webchat
    await database_sync_to_async(send)(conversation, "Hallo")
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(resident, "ready")
    agent = await agent_socket(agent_anna)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    await receive_until(agent, "subscribed")

    await resident.send_json_to({"type": "typing"})
    typing = await receive_until(agent, "typing")
    assert typing["side"] == "resident"
    await agent.send_json_to({"type": "typing", "conversation": conversation.pk})
    assert (await receive_until(resident, "typing"))["side"] == "agent"

    await agent.send_json_to({"type": "read", "conversation": conversation.pk, "seq": 1})
    read = await receive_until(resident, "read")
    assert read == {"type": "read", "side": "agent", "conversation": conversation.pk, "seq": 1}
    await resident.disconnect()
    await agent.disconnect()


async def test_reconnect_with_last_seq_gets_exactly_the_missed_messages(webchat, agent_anna):
    conversation, token = webchat
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(resident, "ready")
    await resident.send_json_to({"type": "send", "client_id": _cid(), "body": "Eerste vraag"})
    last_seen = (await receive_until(resident, "ack"))["message"]["seq"]
    await resident.disconnect()

    # While the resident is away: two replies, one internal note.
    for body, direction in [
        ("Antwoord 1", Direction.OUTBOUND),
        ("Notitie", Direction.NOTE),
        ("Antwoord 2", Direction.OUTBOUND),
    ]:
        await database_sync_to_async(send)(
            conversation, body, direction=direction, author=agent_anna
        )

    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": last_seen})
    ready = await receive_until(resident, "ready")
    assert [m["body"] for m in ready["messages"]] == ["Antwoord 1", "Antwoord 2"]
    assert [m["seq"] for m in ready["messages"]] == [2, 4]

    # Replay plus live equals a fresh fetch: a new message arrives once, nothing repeats.
    await database_sync_to_async(send)(
        conversation, "Antwoord 3", direction=Direction.OUTBOUND, author=agent_anna
    )
    live = await receive_until(resident, "message")
    assert live["message"]["seq"] == 5
    assert not [f for f in await drain(resident) if f["type"] == "message"]

    fresh = await resident_socket("utrecht")
    await fresh.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    all_messages = (await receive_until(fresh, "ready"))["messages"]
    replayed = [m["seq"] for m in ready["messages"]] + [live["message"]["seq"]]
    assert [m["seq"] for m in all_messages if m["seq"] > last_seen] == replayed
    await resident.disconnect()
    await fresh.disconnect()


async def test_resend_after_lost_ack_returns_the_stored_message(webchat):
    conversation, token = webchat
    client_id = _cid()
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(resident, "ready")
    await resident.send_json_to({"type": "send", "client_id": client_id, "body": "Hallo"})
    first = await receive_until(resident, "ack")
    await resident.disconnect()  # the client never saw the ack, say

    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(resident, "ready")
    await resident.send_json_to({"type": "send", "client_id": client_id, "body": "Hallo"})
    second = await receive_until(resident, "ack")

    assert second["duplicate"] is True
    assert second["message"]["id"] == first["message"]["id"]
    count = await database_sync_to_async(Message.objects.filter(conversation=conversation).count)()
    assert count == 1
    await resident.disconnect()
