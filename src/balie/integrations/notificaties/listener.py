"""Hearing of conversation events: registered with ``balie.archive.listeners`` (in
``apps.py``), called inside the transaction that records them, once per batch.

A batch without conversation events costs nothing; one with them costs one indexed query
when no organisation in it publishes. For the organisations that publish, the batch's
notificaties are written to the outbox in the same transaction (so a change that commits is
announced, and one that rolls back is not) with one task to send them, enqueued in that
transaction too (the tasks live in the database).
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import TYPE_CHECKING

from balie.conversations.models import Conversation
from balie.integrations.notificaties.models import Connection, SentNotification
from balie.integrations.notificaties.outbox import relevant, row_for
from balie.integrations.notificaties.tasks import send_notifications

if TYPE_CHECKING:
    from balie.archive.models import ArchiveEvent

__all__ = ["do_queue_notifications"]

logger = logging.getLogger(__name__)


def do_queue_notifications(events: Sequence[ArchiveEvent]) -> None:
    """The archive's listener: write the batch's notificaties to the outbox, with their task."""
    heard = relevant(events)
    if not heard:
        return
    publishing = set(
        Connection.objects.filter(
            organisation_id__in={event.organisation_id for event in heard}, enabled=True
        )
        .exclude(kanaal_url="")
        .values_list("organisation_id", flat=True)
    )
    heard = [event for event in heard if event.organisation_id in publishing]
    if not heard:
        return
    conversations = {
        pk: (channel, status)
        for pk, channel, status in Conversation.objects.filter(
            pk__in={event.conversation_id for event in heard}
        ).values_list("pk", "channel", "status")
    }
    rows = []
    for event in heard:
        channel, status = conversations.get(event.conversation_id, ("", ""))
        try:
            rows.append(row_for(event, channel, status))
        except Exception:  # a problem of ours never undoes the change: logged, skipped
            logger.exception("notificatie not built", extra={"event_id": event.pk})
    if rows:
        SentNotification.objects.bulk_create(rows)
        send_notifications.enqueue([row.pk for row in rows])
