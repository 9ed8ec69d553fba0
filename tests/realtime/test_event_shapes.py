"""Every event type, produced through the real actions and sockets, has exactly its documented
keys and value types (docs/realtime.md); a new type in event_types.BUILDERS without a case here
fails. And one message looks the same over REST as over the staff socket."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

import pytest
from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from rest_framework.test import APIClient

from balie.accounts.actions import do_create_staff_user, do_set_membership
from balie.accounts.models import Role
from balie.conversations import actions, event_types, tasks
from balie.conversations.models import Channel, Conversation, Direction
from tests.api.helpers import png_bytes
from tests.conftest import PASSWORD
from tests.factories import send
from tests.realtime.helpers import agent_socket, receive_until, resident_socket

pytestmark = pytest.mark.django_db(transaction=True)

NoneType = type(None)
OptionalInt, OptionalStr = (int, NoneType), (str, NoneType)

ATTACHMENT = {
    "id": int,
    "filename": str,
    "content_type": str,
    "size": int,
    "width": OptionalInt,
    "height": OptionalInt,
    "url": str,
}
RESIDENT_MESSAGE = {
    "id": int,
    "conversation": int,
    "seq": int,
    "direction": str,
    "author": OptionalStr,
    "body": str,
    "edited": bool,
    "deleted": bool,
    "client_id": str,
    "delivery_status": str,
    "created_at": str,
    "attachments": [ATTACHMENT],
}
STAFF_MESSAGE = RESIDENT_MESSAGE | {"author_id": OptionalInt, "delivery_error": str}
CONVERSATION = {
    "id": int,
    "organisation": int,
    "channel": str,
    "status": str,
    "team": OptionalInt,
    "assignee": OptionalInt,
    "assignee_name": OptionalStr,
    "subject": str,
    "case_reference": str,
    "contact": str,
    "last_seq": int,
    "agent_read_seq": int,
    "resident_read_seq": int,
    "last_message_at": OptionalStr,
}


def _shape(value, spec, where="event"):
    """Assert ``value`` matches ``spec``: a dict of specs (exact keys), a one-item list (every
    item), or a type / tuple of types."""
    if isinstance(spec, dict):
        assert isinstance(value, dict), where
        assert set(value) == set(spec), f"{where}: {sorted(value)} != {sorted(spec)}"
        for key, item_spec in spec.items():
            _shape(value[key], item_spec, f"{where}.{key}")
    elif isinstance(spec, list):
        assert isinstance(value, list), where
        for item in value:
            _shape(item, spec[0], f"{where}[]")
    else:
        assert isinstance(value, spec) and not (
            isinstance(value, bool) and spec in (int, OptionalInt)
        ), f"{where}: {value!r} is not {spec}"


def _cid() -> str:
    return uuid.uuid4().hex


async def _open(conversation, token, agent_user):
    """A resident socket in the conversation and an agent socket subscribed to it."""
    resident = await resident_socket("utrecht")
    await resident.send_json_to({"type": "hello", "token": token, "last_seq": 0})
    await receive_until(resident, "ready")
    agent = await agent_socket(agent_user)
    await agent.send_json_to({"type": "subscribe", "conversation": conversation.pk})
    await receive_until(agent, "subscribed")
    return resident, agent


def _stored_attachment(conversation, user):
    return actions.do_store_attachment(
        conversation, data=png_bytes(), filename="foto.png", uploaded_by=user
    ).pk


# Each case produces events of one type through the sockets and returns (event, spec) pairs.
Case = Callable[..., Awaitable[list[tuple[dict, dict]]]]
CASES: dict[str, Case] = {}


def case(event_type: str):
    def register(function: Case) -> Case:
        CASES[event_type] = function
        return function

    return register


@case("message")
async def _message(conversation, token, agent_anna):
    resident, agent = await _open(conversation, token, agent_anna)
    attachment = await database_sync_to_async(_stored_attachment)(conversation, agent_anna)
    await resident.send_json_to({"type": "send", "client_id": _cid(), "body": "Vraag"})
    staff = await receive_until(agent, "message")
    await agent.send_json_to(
        {
            "type": "send",
            "conversation": conversation.pk,
            "client_id": _cid(),
            "body": "Zie bijlage",
            "attachments": [attachment],
        }
    )
    to_resident = await receive_until(resident, "message")
    assert to_resident["message"]["attachments"]  # the attachment's shape is checked too
    message = {"type": str, "message": STAFF_MESSAGE}
    return [(staff, message), (to_resident, message | {"message": RESIDENT_MESSAGE})]


@case("message_updated")
async def _message_updated(conversation, token, agent_anna):
    resident, agent = await _open(conversation, token, agent_anna)
    await agent.send_json_to(
        {"type": "send", "conversation": conversation.pk, "client_id": _cid(), "body": "Eerst"}
    )
    ack = await receive_until(agent, "ack")
    await agent.send_json_to(
        {
            "type": "edit",
            "conversation": conversation.pk,
            "message": ack["message"]["id"],
            "body": "Daarna",
        }
    )
    staff = await receive_until(agent, "message_updated")
    to_resident = await receive_until(resident, "message_updated")
    assert staff["message"]["edited"] and to_resident["message"]["body"] == "Daarna"
    return [
        (staff, {"type": str, "message": STAFF_MESSAGE}),
        (to_resident, {"type": str, "message": RESIDENT_MESSAGE}),
    ]


@case("ack")
async def _ack(conversation, token, agent_anna):
    resident, agent = await _open(conversation, token, agent_anna)
    await resident.send_json_to({"type": "send", "client_id": _cid(), "body": "Vraag"})
    to_resident = await receive_until(resident, "ack")
    await agent.send_json_to(
        {"type": "send", "conversation": conversation.pk, "client_id": _cid(), "body": "Antwoord"}
    )
    staff = await receive_until(agent, "ack")
    ack = {"type": str, "client_id": str, "duplicate": bool}
    return [
        (staff, ack | {"message": STAFF_MESSAGE}),
        (to_resident, ack | {"message": RESIDENT_MESSAGE}),
    ]


@case("conversation")
async def _conversation(conversation, token, agent_anna):
    agent = await agent_socket(agent_anna)
    await database_sync_to_async(actions.do_update_details)(
        conversation, actor=agent_anna, subject="Paspoort"
    )
    event = await receive_until(agent, "conversation")
    assert event["conversation"]["subject"] == "Paspoort"
    return [(event, {"type": str, "conversation": CONVERSATION})]


@case("conversations")
async def _conversations(conversation, token, agent_anna):
    resident, agent = await _open(conversation, token, agent_anna)
    await resident.send_json_to({"type": "send", "client_id": _cid(), "body": "Vraag"})
    event = await receive_until(agent, "conversations")
    return [(event, {"type": str, "conversations": [CONVERSATION]})]


@case("status")
async def _status(conversation, token, agent_anna):
    resident, _agent = await _open(conversation, token, agent_anna)
    await database_sync_to_async(actions.do_change_status)(
        conversation, actor=agent_anna, status="resolved"
    )
    event = await receive_until(resident, "status")
    assert event["status"] == "resolved"
    return [(event, {"type": str, "conversation": int, "status": str})]


@case("read")
async def _read(conversation, token, agent_anna):
    await database_sync_to_async(send)(conversation, "Vraag")
    resident, agent = await _open(conversation, token, agent_anna)
    await agent.send_json_to({"type": "read", "conversation": conversation.pk, "seq": 1})
    to_resident = await receive_until(resident, "read")
    own = await receive_until(agent, "read")  # the other consoles hear of it too
    await resident.send_json_to({"type": "read", "seq": 1})
    staff = await receive_until(agent, "read")
    assert [e["side"] for e in (to_resident, own, staff)] == ["agent", "agent", "resident"]
    read = {"type": str, "side": str, "conversation": int, "seq": int}
    return [(to_resident, read), (own, read), (staff, read)]


@case("typing")
async def _typing(conversation, token, agent_anna):
    resident, agent = await _open(conversation, token, agent_anna)
    await resident.send_json_to({"type": "typing"})
    staff = await receive_until(agent, "typing")
    await agent.send_json_to({"type": "typing", "conversation": conversation.pk})
    to_resident = await receive_until(resident, "typing")
    typing = {"type": str, "side": str, "conversation": int}
    # A second agent with the conversation open learns which agent types (the resident not).
    lotte = await database_sync_to_async(_second_agent)(conversation)
    colleague = await agent_socket(lotte)
    await colleague.send_json_to({"type": "subscribe", "conversation": conversation.pk})
    await receive_until(colleague, "subscribed")
    await agent.send_json_to({"type": "typing", "conversation": conversation.pk})
    named = await receive_until(colleague, "typing")
    assert (named["user"], named["name"]) == (agent_anna.pk, "Anna")
    typing_named = typing | {"user": int, "name": str}
    return [(staff, typing), (to_resident, typing), (named, typing_named)]


def _second_agent(conversation):
    user = do_create_staff_user(username="agent_lotte2", password=PASSWORD, first_name="Lotte")
    do_set_membership(user, conversation.organisation, Role.SUPERVISOR)
    return user


@case("presence")
async def _presence(conversation, token, agent_anna):
    _resident, agent = await _open(conversation, token, agent_anna)
    lotte = await database_sync_to_async(_second_agent)(conversation)
    colleague = await agent_socket(lotte)
    await colleague.send_json_to({"type": "subscribe", "conversation": conversation.pk})
    opened = await receive_until(agent, "presence")  # Lotte opened it and asks who is here
    answered = await receive_until(colleague, "presence")  # Anna's socket says she is
    await colleague.send_json_to({"type": "unsubscribe", "conversation": conversation.pk})
    left = await receive_until(agent, "presence")
    assert (opened["user"], opened["state"], opened["ask"]) == (lotte.pk, "viewing", True)
    assert (answered["user"], answered["state"], answered["ask"]) == (
        agent_anna.pk,
        "viewing",
        False,
    )
    assert (left["user"], left["state"]) == (lotte.pk, "left")
    spec = {"type": str, "conversation": int, "user": int, "name": str, "state": str, "ask": bool}
    return [(opened, spec), (answered, spec), (left, spec)]


@case("delivery")
async def _delivery(conversation, token, agent_anna):
    await database_sync_to_async(Conversation.objects.filter(pk=conversation.pk).update)(
        channel=Channel.SMS
    )
    await database_sync_to_async(conversation.refresh_from_db)()
    _resident, agent = await _open(conversation, token, agent_anna)
    message = await database_sync_to_async(send)(
        conversation, "Antwoord", direction=Direction.OUTBOUND, author=agent_anna
    )
    tasks.register_sender(Channel.SMS, lambda message: None)
    try:
        await database_sync_to_async(tasks.deliver_outbound.call)(message.pk)
    finally:
        tasks.OUTBOUND_SENDERS.pop(Channel.SMS, None)
    event = await receive_until(agent, "delivery")
    assert (event["message"], event["delivery_status"]) == (message.pk, "sent")
    spec = {
        "type": str,
        "conversation": int,
        "message": int,
        "seq": int,
        "delivery_status": str,
        "error": str,
    }
    return [(event, spec)]


@case("agent_status")
async def _agent_status(conversation, token, agent_anna):
    _resident, agent = await _open(conversation, token, agent_anna)
    await database_sync_to_async(actions.do_set_availability)(
        conversation.organisation, agent_anna, "online", actor=agent_anna
    )
    event = await receive_until(agent, "agent_status")
    assert (event["user"], event["availability"]) == (agent_anna.pk, "online")
    spec = {"type": str, "organisation": int, "user": int, "availability": str, "max_open": int}
    return [(event, spec)]


def test_every_event_type_has_a_case():
    assert sorted(CASES) == sorted(event_types.BUILDERS)


@pytest.mark.parametrize("event_type", sorted(CASES))
async def test_event_shape(event_type, webchat, agent_anna):
    conversation, token = webchat
    produced = await CASES[event_type](conversation, token, agent_anna)
    assert produced
    for event, spec in produced:
        assert event["type"] == event_type
        _shape(event, spec, event_type)


def _rest_messages(user, conversation_id) -> list[dict]:
    client = APIClient()
    client.force_login(user)
    response = client.get(f"/api/v1/conversations/{conversation_id}/messages/")
    assert response.status_code == 200
    return response.json()["results"]


async def test_a_message_over_rest_equals_the_staff_socket(webchat, agent_anna):
    conversation, token = webchat
    resident, agent = await _open(conversation, token, agent_anna)
    await resident.send_json_to({"type": "send", "client_id": _cid(), "body": "Vraag"})
    inbound = (await receive_until(agent, "message"))["message"]
    await agent.send_json_to(
        {"type": "send", "conversation": conversation.pk, "client_id": _cid(), "body": "Ja"}
    )
    outbound = (await receive_until(agent, "ack"))["message"]

    over_rest = await sync_to_async(_rest_messages)(agent_anna, conversation.pk)

    assert over_rest == [inbound, outbound]
    assert (outbound["author"], outbound["author_id"]) == ("Anna", agent_anna.pk)
