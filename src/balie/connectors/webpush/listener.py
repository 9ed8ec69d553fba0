"""The archive listener: an agent's answer in a conversation with push subscriptions
queues that conversation's push, after the answer is committed; a destruction list carried
out (``destruction.executed``) removes the destroyed conversations' subscriptions in the same
transaction, so no browser address outlives its conversation.

Per batch of archive events: no query when none is an outbound message (an answer to the
resident), otherwise one indexed query for which of their conversations have a
subscription; the task is enqueued on commit, so a rolled-back answer pushes nothing. The
push itself is coalesced per conversation by the task.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from functools import partial
from typing import Any

from django.db import transaction

from balie.connectors.webpush.models import PushSubscription
from balie.connectors.webpush.tasks import send_push

__all__ = ["queue_pushes"]

logger = logging.getLogger(__name__)


def queue_pushes(events: Sequence[Any]) -> None:
    """Called by the archive with the ``ArchiveEvent`` rows just appended."""
    _forget_destroyed(events)
    answered: dict[int, Any] = {}
    organisations: set[int] = set()
    for event in events:
        if (
            event.event_type == "message.created"
            and event.conversation_id is not None
            and (event.payload or {}).get("direction") == "outbound"
        ):
            organisations.add(event.organisation_id)
            answered[event.conversation_id] = max(
                event.created_at, answered.get(event.conversation_id, event.created_at)
            )
    if not answered:
        return
    try:
        with transaction.atomic():  # a savepoint: a failed read leaves the answer's intact
            subscribed = set(
                PushSubscription.objects.filter(
                    organisation_id__in=organisations, conversation_id__in=answered
                )
                .values_list("conversation_id", flat=True)
                .distinct()
            )
    except Exception:  # never undo the answer for a problem of the push's own
        logger.exception("push subscriptions not read")
        return
    for conversation_id in sorted(subscribed):
        transaction.on_commit(
            partial(send_push.enqueue, conversation_id, answered[conversation_id].isoformat()),
            robust=True,
        )


def _forget_destroyed(events: Sequence[Any]) -> None:
    """The subscriptions of conversations a destruction list destroyed. Not caught: a
    destruction that cannot remove them fails as a whole (and is carried out again)."""
    for event in events:
        if event.event_type == "destruction.executed":
            destroyed = (event.payload or {}).get("conversations") or []
            PushSubscription.objects.filter(
                organisation_id=event.organisation_id, conversation_id__in=destroyed
            ).delete()
