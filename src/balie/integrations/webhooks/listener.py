"""The archive listener: every conversation and message event becomes a delivery for each
enabled subscription of its organisation that wants it, in the transaction that records the
event (a transactional outbox), together with the task that sends it.

Per batch of archive events (one call per batch, also on the group commit's write path): no
query at all when none of them is of a type that is sent, otherwise one indexed query for the
enabled subscriptions of the batch's organisations; only when one wants an event, one INSERT
of the deliveries and one task per subscription, inside a savepoint.

The task is enqueued in the transaction, not after it: the task backend is the database
(decision 0004), so the deliveries and the task that sends them are committed together or not
at all — a rolled-back change sends nothing, and a crash right after the commit loses nothing.

A problem of this listener's own never undoes the change it heard of (the archive's rule for
listeners): it is logged, and the change is committed without its webhooks.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from balie.integrations.webhooks.events import SENT, from_archive, matches, short_name
from balie.integrations.webhooks.models import Delivery, Subscription
from balie.integrations.webhooks.tasks import send_deliveries

__all__ = ["TASK_BATCH", "do_queue_deliveries"]

logger = logging.getLogger(__name__)

TASK_BATCH = 100  # deliveries per task at most


def do_queue_deliveries(events: Sequence[Any]) -> None:
    """Called by the archive with the ``ArchiveEvent`` rows just appended."""
    sent = [e for e in events if e.event_type in SENT and e.conversation_id is not None]
    if not sent:
        return
    organisations = {event.organisation_id for event in sent}
    subscriptions = list(
        Subscription.objects.filter(organisation_id__in=organisations, enabled=True)
        .select_related("organisation")
        .order_by("pk")
    )
    if not subscriptions:
        return
    try:
        with transaction.atomic():  # a savepoint: undoes only what is written here
            _write(sent, subscriptions)
    except Exception:
        logger.exception("webhook outbox not written", extra={"events": [e.pk for e in sent]})


def _write(events: list[Any], subscriptions: list[Subscription]) -> None:
    by_organisation: dict[int, list[Subscription]] = {}
    for subscription in subscriptions:
        by_organisation.setdefault(subscription.organisation_id, []).append(subscription)
    now = timezone.now()
    rows: list[Delivery] = []
    for event in events:
        wanting = [
            s
            for s in by_organisation.get(event.organisation_id, [])
            if matches(s.event_types, short_name(event.event_type))
        ]
        built = from_archive(event, wanting[0].organisation) if wanting else None
        if built is None:
            continue
        rows += [
            Delivery(
                organisation_id=event.organisation_id,
                subscription=subscription,
                event_id=built.id,
                event_type=built.type,
                subject=built.subject,
                seq=built.seq,
                body=built.body,
                next_attempt_at=now,
                created_at=now,
            )  # fmt: skip
            for subscription in wanting
        ]
    if not rows:
        return
    Delivery.objects.bulk_create(rows)
    per_subscription: dict[int, list[int]] = {}
    for row in rows:
        per_subscription.setdefault(row.subscription_id, []).append(row.pk)
    for ids in per_subscription.values():
        for start in range(0, len(ids), TASK_BATCH):
            send_deliveries.enqueue(ids[start : start + TASK_BATCH])
