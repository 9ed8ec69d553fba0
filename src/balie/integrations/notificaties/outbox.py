"""What Balie publishes: one notificatie per conversation event, built from the archive
event in the transaction that records it, and the body sent to ``POST /notificaties``.

A notificatie names the conversation's REST resource in Balie (``hoofdObject``; a message's
``resourceUrl`` is the one message in the conversation's history) and carries kenmerken
that say nothing about the resident: the channel (``kanaal``), the conversation's status
and, for a message, its direction (``richting``). Never a text, a name or an address.
Only messages between the resident and the municipality are announced: not internal notes,
nor system lines (the "Status: …" line a status change adds: the change itself is).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from balie.conversations.models import RESIDENT_VISIBLE
from balie.integrations.notificaties.connection import public_url
from balie.integrations.notificaties.models import SentNotification

if TYPE_CHECKING:
    from balie.archive.models import ArchiveEvent

__all__ = ["EVENTS", "message_of", "relevant", "row_for"]

# archive event type: (resource, actie)
EVENTS = {
    "conversation.created": ("conversation", "create"),
    "conversation.status_changed": ("conversation", "update"),
    "conversation.assigned": ("conversation", "update"),
    "message.created": ("message", "create"),
}


def relevant(events: Sequence[ArchiveEvent]) -> list[ArchiveEvent]:
    """The events that become notificaties, if their organisation publishes."""
    return [
        event
        for event in events
        if event.event_type in EVENTS
        and event.conversation_id is not None
        and (event.event_type != "message.created" or _announced(_payload(event)))
    ]


def _announced(payload: dict[str, Any]) -> bool:
    return payload.get("direction") in RESIDENT_VISIBLE


def row_for(event: ArchiveEvent, channel: str, status: str) -> SentNotification:
    """The outbox row of one event; ``channel`` and ``status`` are the conversation's now."""
    resource, actie = EVENTS[event.event_type]
    payload = _payload(event)
    conversation_id = event.conversation_id
    if conversation_id is None:
        raise ValueError("an event without a conversation")
    conversation = public_url("conversation", conversation_id=conversation_id)
    kenmerken = {"kanaal": channel, "status": str(payload.get("to") or status)}
    resource_url = conversation
    if resource == "message":
        kenmerken["richting"] = str(payload.get("direction") or "")
        seq = payload.get("seq")
        if isinstance(seq, int) and seq > 0:
            messages = public_url("messages", conversation_id=conversation_id)
            resource_url = f"{messages}?after_seq={seq - 1}&limit=1"
    return SentNotification(
        organisation_id=event.organisation_id,
        event_id=event.pk,
        event_type=event.event_type,
        conversation_id=conversation_id,
        resource=resource,
        actie=actie,
        hoofd_object=conversation,
        resource_url=resource_url,
        kenmerken=kenmerken,
        aanmaakdatum=event.created_at,
    )


def message_of(row: SentNotification, kanaal: str) -> dict[str, Any]:
    """The notificatie as the API takes it (its ``Message``); the same for every attempt."""
    return {
        "kanaal": kanaal,
        "hoofdObject": row.hoofd_object,
        "resource": row.resource,
        "resourceUrl": row.resource_url,
        "actie": row.actie,
        "aanmaakdatum": row.aanmaakdatum.isoformat(),
        "kenmerken": dict(row.kenmerken),
    }


def _payload(event: ArchiveEvent) -> dict[str, Any]:
    return event.payload if isinstance(event.payload, dict) else {}
