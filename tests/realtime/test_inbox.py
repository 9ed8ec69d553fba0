"""The staff socket's inbox stays live, shows only what the agent may see, and resumes."""

from __future__ import annotations

import uuid

import pytest
from channels.db import database_sync_to_async

from balie.conversations import actions
from balie.conversations.models import Direction
from tests.conversations.test_files import png
from tests.factories import send
from tests.realtime.helpers import agent_socket, drain, receive_until, resident_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_inbox_update_for_a_new_resident_message(webchat, agent_anna):
    conversation, _token = webchat
    agent = await agent_socket(agent_anna)
    await database_sync_to_async(send)(conversation, "Nieuwe vraag")
    update = await receive_until(agent, "conversation")
    assert update["conversation"]["id"] == conversation.pk
    assert update["conversation"]["last_seq"] == 1
    await agent.disconnect()


async def test_inbox_skips_conversations_of_other_teams(webchat, agent_bram, lead_lotte):
    conversation, _token = webchat  # in team "Algemeen", which Bram is not in
    bram = await agent_socket(agent_bram)
    lotte = await agent_socket(lead_lotte)
    await database_sync_to_async(send)(conversation, "Alleen voor het team")
    assert (await receive_until(lotte, "conversation"))["conversation"]["id"] == conversation.pk
    assert not [f for f in await drain(bram) if f["type"] == "conversation"]
    await bram.disconnect()
    await lotte.disconnect()


async def test_agent_resubscribe_replays_exactly_what_was_missed(webchat, agent_anna, lead_lotte):
    conversation, _token = webchat
    agent = await agent_socket(agent_anna)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    await receive_until(agent, "subscribed")
    await database_sync_to_async(send)(conversation, "Een")
    seen = (await receive_until(agent, "message"))["message"]["seq"]
    await agent.disconnect()

    await database_sync_to_async(send)(conversation, "Twee")
    await database_sync_to_async(actions.do_change_status)(
        conversation, actor=lead_lotte, status="pending"
    )
    await database_sync_to_async(send)(
        conversation, "Notitie", direction=Direction.NOTE, author=lead_lotte
    )

    agent = await agent_socket(agent_anna)
    await agent.send_json_to(
        {"type": "subscribe", "conversation": conversation.pk, "last_seq": seen}
    )
    replay = await receive_until(agent, "subscribed")
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    fresh = await receive_until(agent, "subscribed")
    # Staff see notes and system lines too; the replay is the fresh history after `seen`.
    assert [m["seq"] for m in replay["messages"]] == [2, 3, 4]
    assert [m["direction"] for m in replay["messages"]] == ["inbound", "system", "note"]
    assert replay["conversation"]["status"] == "pending"
    # Re-subscribing from 0 on the same socket adds only what this socket had not seen:
    # together they are the full history, nothing twice.
    assert [m["seq"] for m in fresh["messages"]] == [1]
    await agent.disconnect()


async def test_send_with_attachment_over_the_socket(webchat, agent_anna):
    conversation, token = webchat
    attachment = await database_sync_to_async(actions.do_store_attachment)(
        conversation, data=png(), filename="melding.png"
    )
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(resident, "ready")
    await resident.send_json_to(
        {"type": "send", "client_id": uuid.uuid4().hex, "body": "", "attachments": [attachment.pk]}
    )
    ack = await receive_until(resident, "ack")
    (sent,) = ack["message"]["attachments"]
    assert sent["content_type"] == "image/png" and sent["url"].startswith("/c/a/")
    # The same attachment cannot be sent twice.
    await resident.send_json_to(
        {"type": "send", "client_id": uuid.uuid4().hex, "body": "", "attachments": [attachment.pk]}
    )
    assert (await receive_until(resident, "error"))["code"] == "unknown_attachment"
    await resident.disconnect()


async def test_socket_sends_reach_the_inbox_coalesced(webchat, agent_anna, agent_bram):
    conversation, token = webchat
    anna = await agent_socket(agent_anna)
    bram = await agent_socket(agent_bram)  # not in the conversation's team
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(resident, "ready")
    for n in range(5):
        await resident.send_json_to({"type": "send", "client_id": uuid.uuid4().hex, "body": f"{n}"})
        await receive_until(resident, "ack")

    update = await receive_until(anna, "conversations")
    # The latest state, once per conversation, however many messages came in the window.
    assert [c["id"] for c in update["conversations"]] == [conversation.pk]
    later = [f for f in await drain(anna) if f["type"] == "conversations"]
    assert [c["last_seq"] for f in [update, *later] for c in f["conversations"]][-1] == 5
    assert len(later) <= 1
    assert not [f for f in await drain(bram) if f["type"].startswith("conversation")]
    for socket in (anna, bram, resident):
        await socket.disconnect()
