"""One bad frame never harms another sender: checked before the writer, isolated in it."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid

import pytest
from channels.db import database_sync_to_async

from balie.conversations.models import Direction, Message
from balie.realtime import writer
from tests.factories import send
from tests.realtime.helpers import agent_socket, receive_until, resident_socket

pytestmark = pytest.mark.django_db(transaction=True)


async def _resident(slug, token):
    socket = await resident_socket(slug)
    await socket.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(socket, "ready")
    return socket


def _bodies():
    return sorted(Message.objects.values_list("body", flat=True))


def _raw_send(body: str, **extra) -> str:
    """A send frame as a client may write it: JSON escapes such as \\udc80 stay escapes."""
    frame = {"type": "send", "client_id": uuid.uuid4().hex, "body": body, "ref": "r1", **extra}
    return json.dumps(frame)  # ensure_ascii: a lone surrogate becomes the escape "\udc80"


async def _sends_in_one_batch(bad, good, bad_frame, good_frame):
    await asyncio.gather(bad.send_to(bad_frame), good.send_to(good_frame))
    # Generous timeouts: a failed batch is written again, with tracebacks logged, on a busy CI.
    return await receive_until(bad, "error", 10), await receive_until(good, "ack", 10)


async def _still_open(socket):
    await socket.send_json_to({"type": "typing"})
    await socket.send_json_to({"type": "explode"})
    assert (await receive_until(socket, "error"))["code"] == "unknown_type"


@pytest.mark.parametrize(
    ("bad_frame", "code"),
    [
        (_raw_send("hallo \udc80"), "invalid_text"),
        (_raw_send("hallo \x00 daar"), "invalid_text"),
        (_raw_send("met bijlage", attachments=[2**70]), "invalid_field"),
        (_raw_send("met bijlage", attachments=[1, -(2**70)]), "invalid_field"),
        (_raw_send("hallo", pad={"\udc80": 1}), "invalid_text"),
        (json.dumps({"type": "hello", "token": None, "last_seq": 2**64}), "invalid_field"),
    ],
)
async def test_a_bad_frame_is_refused_and_the_other_organisations_send_goes_through(
    webchat, groningen_webchat, bad_frame, code
):
    bad = await _resident("utrecht", webchat[1])
    good = await _resident("groningen", groningen_webchat[1])

    error, ack = await _sends_in_one_batch(bad, good, bad_frame, _raw_send("goedemiddag"))

    assert error["code"] == code and "\\u" not in error["detail"]
    assert ack["message"]["body"] == "goedemiddag"
    assert await database_sync_to_async(_bodies)() == ["goedemiddag"]
    await _still_open(bad)
    await _still_open(good)
    await bad.disconnect()
    await good.disconnect()


async def test_a_failing_send_fails_alone_in_its_batch(
    webchat, groningen_webchat, monkeypatch, caplog
):
    """A failure the checks did not foresee: the batch is written again one by one."""
    payload = writer._payload

    def breaks_on_boom(result, for_resident):
        if result.message.body == "boem":
            raise RuntimeError("unforeseen")
        return payload(result, for_resident)

    monkeypatch.setattr(writer, "_payload", breaks_on_boom)
    bad = await _resident("utrecht", webchat[1])
    good = await _resident("groningen", groningen_webchat[1])

    with caplog.at_level(logging.ERROR, logger="balie.realtime"):
        error, ack = await _sends_in_one_batch(bad, good, _raw_send("boem"), _raw_send("goed"))

    assert error == {
        "type": "error",
        "code": "internal_error",
        "detail": "Er ging iets mis. Probeer het opnieuw.",
        "ref": "r1",
    }
    assert ack["message"]["body"] == "goed"
    assert await database_sync_to_async(_bodies)() == ["goed"]
    assert any(r.exc_info for r in caplog.records if r.name == "balie.realtime.protocol")
    await _still_open(bad)
    await bad.disconnect()
    await good.disconnect()


async def test_agent_socket_refuses_bad_fields(webchat, agent_anna):
    conversation, _token = webchat
    socket = await agent_socket(agent_anna)
    for frame, code in [
        ({"conversation": 2**70}, "invalid_field"),
        ({"conversation": conversation.pk, "body": "a\x00b"}, "invalid_text"),
        ({"conversation": conversation.pk, "body": "a", "attachments": [2**63]}, "invalid_field"),
    ]:
        await socket.send_to(json.dumps({"type": "send", "client_id": uuid.uuid4().hex, **frame}))
        assert (await receive_until(socket, "error"))["code"] == code
    await socket.send_to(json.dumps({"type": "subscribe", "conversation": 2**63 - 1}))
    assert (await receive_until(socket, "error"))["code"] == "not_found"
    assert await database_sync_to_async(_bodies)() == []
    await socket.disconnect()


async def test_a_resident_using_a_notes_client_id_gets_an_error_frame(webchat, agent_anna):
    conversation, token = webchat
    await database_sync_to_async(send)(
        conversation, "geheim", direction=Direction.NOTE, author=agent_anna, client_id="note-0001"
    )
    socket = await _resident("utrecht", token)

    await socket.send_json_to({"type": "send", "client_id": "note-0001", "body": "hallo"})

    error = await receive_until(socket, "error")
    assert error["code"] == "client_id_conflict" and "geheim" not in json.dumps(error)
    await _still_open(socket)
    await socket.disconnect()
