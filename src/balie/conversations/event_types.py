"""Every kind of event a socket receives, each shape written once.

An event is a JSON object with a ``type``; the builders here are the only places that write
one, and ``docs/realtime.md`` describes each. The objects inside (a message, a conversation)
come from :mod:`balie.conversations.events` (``message_payload``, ``conversation_payload``).
:data:`BUILDERS` lists them all; tests/realtime/test_event_shapes.py produces each one through
the real actions and sockets and fails when a type has no test.

``ack`` is no fan-out event but the sender's own answer; it carries the same message object,
so its shape lives here too.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

__all__ = [
    "BUILDERS",
    "ack_event",
    "agent_status_event",
    "conversation_event",
    "conversations_event",
    "delivery_event",
    "message_event",
    "message_updated_event",
    "presence_event",
    "read_event",
    "status_event",
    "typing_event",
]

Event = dict[str, Any]


def message_event(message: dict[str, Any]) -> Event:
    """A new message (``message`` from ``events.message_payload``)."""
    return {"type": "message", "message": message}


def message_updated_event(message: dict[str, Any]) -> Event:
    """A message was edited or deleted; ``message`` is its new state."""
    return {"type": "message_updated", "message": message}


def ack_event(message: dict[str, Any], *, duplicate: bool) -> Event:
    """The answer to a ``send``: committed (or, ``duplicate``, stored by an earlier send)."""
    return {
        "type": "ack",
        "client_id": message["client_id"],
        "duplicate": duplicate,
        "message": message,
    }


def conversation_event(conversation: dict[str, Any]) -> Event:
    """An inbox update (``conversation`` from ``events.conversation_payload``)."""
    return {"type": "conversation", "conversation": conversation}


def conversations_event(conversations: list[dict[str, Any]]) -> Event:
    """Coalesced inbox updates: the latest state of each conversation that changed."""
    return {"type": "conversations", "conversations": conversations}


def status_event(conversation_id: int, status: str) -> Event:
    return {"type": "status", "conversation": conversation_id, "status": status}


def read_event(conversation_id: int, *, side: str, seq: int) -> Event:
    """``side`` ("agent" or "resident") has read everything up to ``seq``."""
    return {"type": "read", "side": side, "conversation": conversation_id, "seq": seq}


def typing_event(
    conversation_id: int, *, side: str, user: int | None = None, name: str = ""
) -> Event:
    """Someone types. To the resident: only the side. To the other agents of the
    conversation: also which agent (``user``, ``name``), so two do not answer at once."""
    event: Event = {"type": "typing", "side": side, "conversation": conversation_id}
    if user is not None:
        event.update(user=user, name=name)
    return event


def presence_event(
    conversation_id: int, *, user: int, name: str, state: str, ask: bool = False
) -> Event:
    """An agent has the conversation open (``state`` "viewing", repeated while it stays open)
    or closed it ("left"); ``ask`` (on opening) asks the others who have it open to say so.
    Only to the conversation's staff sockets; a console forgets a viewer not repeated in time,
    so a node that stopped leaves no ghost behind (docs/realtime.md)."""
    return {
        "type": "presence",
        "conversation": conversation_id,
        "user": user,
        "name": name,
        "state": state,
        "ask": ask,
    }


def agent_status_event(
    organisation_id: int, *, user: int, availability: str, max_open: int
) -> Event:
    """An agent's availability or capacity changed (routing): to the organisation's staff
    sockets (the inbox group), so consoles show it."""
    return {
        "type": "agent_status",
        "organisation": organisation_id,
        "user": user,
        "availability": availability,
        "max_open": max_open,
    }


def delivery_event(
    conversation_id: int, *, message_id: int, seq: int, status: str, error: str
) -> Event:
    """An outbound message's delivery status changed (an external channel took it or not)."""
    return {
        "type": "delivery",
        "conversation": conversation_id,
        "message": message_id,
        "seq": seq,
        "delivery_status": status,
        "error": error,
    }


BUILDERS: dict[str, Callable[..., Event]] = {
    "message": message_event,
    "message_updated": message_updated_event,
    "ack": ack_event,
    "conversation": conversation_event,
    "conversations": conversations_event,
    "status": status_event,
    "read": read_event,
    "typing": typing_event,
    "presence": presence_event,
    "delivery": delivery_event,
    "agent_status": agent_status_event,
}
