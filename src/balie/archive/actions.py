"""Writes to the archive. Called inside the transaction of the change they record.

Every event is appended to its organisation's hash chain (``chain.py``): the chain head is
locked (SQLite's IMMEDIATE transaction already holds the write lock), the events get the next
sequence numbers and their hashes, and the head moves on — all in the caller's transaction.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from balie.archive import chain, listeners
from balie.archive.actors import ActorRef
from balie.archive.heads import lock_heads
from balie.archive.models import ArchiveEvent, ChainHead


def record_event(
    *,
    organisation_id: int,
    event_type: str,
    payload: dict[str, Any],
    conversation_id: int | None = None,
    actor: ActorRef,
) -> ArchiveEvent:
    """Append one archive event. Must run inside the transaction that makes the change."""
    (event,) = record_events(
        [
            {
                "organisation_id": organisation_id,
                "conversation_id": conversation_id,
                "event_type": event_type,
                "payload": payload,
                "actor_id": actor.user_id,
                "api_key_id": actor.api_key_id,
                "actor_kind": actor.kind,
                "created_at": timezone.now(),
            }
        ]
    )
    return event


def record_events(rows: list[dict[str, Any]]) -> list[ArchiveEvent]:
    """Append several archive events with one INSERT (the group-commit write path).

    Each row holds ArchiveEvent's fields: organisation_id, conversation_id, event_type,
    payload, actor_id, api_key_id, actor_kind, created_at.
    """
    if not rows:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_events must run inside the transaction of the change")
    events = [ArchiveEvent(**row) for row in rows]
    heads = lock_heads(ChainHead, {event.organisation_id for event in events})
    for event in events:
        head = heads[event.organisation_id]
        head.last_seq += 1
        event.seq = head.last_seq
        event.payload_hash = chain.payload_hash(event.payload)
        event.previous_hash = head.last_hash
        event.event_hash = chain.event_hash(
            organisation_id=event.organisation_id,
            seq=event.seq,
            event_type=event.event_type,
            conversation_id=event.conversation_id,
            actor_id=event.actor_id,
            api_key_id=event.api_key_id,
            actor_kind=event.actor_kind,
            created_at=event.created_at,
            payload_hash=event.payload_hash,
            previous_hash=event.previous_hash,
        )
        head.last_hash = event.event_hash
    ArchiveEvent.objects.bulk_create(events)
    for head in heads.values():
        ChainHead.objects.filter(pk=head.pk).update(
            last_seq=head.last_seq, last_hash=head.last_hash
        )
    listeners.notify(events)  # integrations' outboxes, in this same transaction
    return events


def record_creation(sender, *, organisation, **kwargs) -> None:
    """A new organisation's chain starts with its creation (connected to
    ``balie.tenants.actions.organisation_created``)."""
    record_event(
        organisation_id=organisation.pk,
        event_type="organisation.created",
        payload={
            "name": organisation.name,
            "slug": organisation.slug,
            "gemeentecode": organisation.gemeentecode,
            "oin": organisation.oin,
        },
        actor=ActorRef("system"),
    )
