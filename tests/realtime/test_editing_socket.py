"""Edits and deletions travel over the sockets to whoever may see the message."""

from __future__ import annotations

import uuid

import pytest

from tests.realtime.helpers import agent_socket, drain, receive_until, resident_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def test_resident_edit_reaches_the_agent_and_agent_note_deletion_stays_internal(
    webchat, agent_anna
):
    conversation, token = webchat
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(resident, "ready")
    agent = await agent_socket(agent_anna)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk, "last_seq": 0})
    await receive_until(agent, "subscribed")

    await resident.send_json_to({"type": "send", "client_id": uuid.uuid4().hex, "body": "Hallo"})
    sent = (await receive_until(resident, "ack"))["message"]
    await resident.send_json_to({"type": "edit", "message": sent["id"], "body": "Hallo!"})
    own = await receive_until(resident, "message_updated")
    assert (own["message"]["body"], own["message"]["edited"]) == ("Hallo!", True)
    seen = await receive_until(agent, "message_updated")
    assert seen["message"]["body"] == "Hallo!"

    await agent.send_json_to(
        {"type": "send", "conversation": conversation.pk, "client_id": uuid.uuid4().hex,
         "body": "Notitie", "internal": True}
    )  # fmt: skip
    note = (await receive_until(agent, "ack"))["message"]
    await agent.send_json_to(
        {"type": "delete", "conversation": conversation.pk, "message": note["id"]}
    )
    assert (await receive_until(agent, "message_updated"))["message"]["deleted"] is True
    drained = await drain(resident)
    assert not [f for f in drained if f.get("message", {}).get("id") == note["id"]]

    # Someone else's message, or another conversation's id: refused.
    await agent.send_json_to(
        {"type": "delete", "conversation": conversation.pk, "message": sent["id"]}
    )
    assert (await receive_until(agent, "error"))["code"] == "not_your_message"
    await resident.send_json_to({"type": "delete", "message": note["id"] + 999})
    assert (await receive_until(resident, "error"))["code"] == "not_found"
    await resident.disconnect()
    await agent.disconnect()
