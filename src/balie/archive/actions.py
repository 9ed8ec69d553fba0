"""Writes to the archive. Called inside the transaction of the change they record."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils import timezone

from balie.archive.actors import ActorRef
from balie.archive.models import ArchiveEvent


def record_event(
    *,
    organisation_id: int,
    event_type: str,
    payload: dict[str, Any],
    conversation_id: int | None = None,
    actor: ActorRef,
) -> ArchiveEvent:
    """Append one archive event. Must run inside the transaction that makes the change."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_event must run inside the transaction of the change")
    return ArchiveEvent.objects.create(
        organisation_id=organisation_id,
        conversation_id=conversation_id,
        event_type=event_type,
        payload=payload,
        actor_id=actor.user_id,
        api_key_id=actor.api_key_id,
        actor_kind=actor.kind,
        created_at=timezone.now(),
    )


def record_events(rows: list[dict[str, Any]]) -> list[ArchiveEvent]:
    """Append several archive events with one INSERT (the group-commit write path).

    Each row holds ArchiveEvent's fields: organisation_id, conversation_id, event_type,
    payload, actor_id, api_key_id, actor_kind, created_at.
    """
    if not rows:
        return []
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("record_events must run inside the transaction of the change")
    return ArchiveEvent.objects.bulk_create([ArchiveEvent(**row) for row in rows])
