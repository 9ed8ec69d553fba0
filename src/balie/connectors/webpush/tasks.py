"""The push task: one conversation's push after an agent's answer, coalesced
(:mod:`balie.connectors.webpush.sending`)."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from django_tasks import task

from balie.connectors.webpush import sending
from balie.connectors.webpush.models import PushSubscription
from balie.conversations.models import Conversation

__all__ = ["send_push"]


@task()
def send_push(conversation_id: int, answered_at: str) -> dict[str, int]:
    """Push to every subscription of the conversation, or plan it for when ``COALESCE``
    has passed. Returns the count per outcome (``deferred``/``covered`` when none was sent)."""
    conversation = (
        Conversation.objects.select_related("organisation").filter(pk=conversation_id).first()
    )
    if conversation is None:
        return {"gone": 1}
    plan = sending.plan_push(conversation, datetime.fromisoformat(answered_at))
    if not plan.push:
        if plan.later is not None:
            send_push.using(run_after=plan.later).enqueue(conversation_id, answered_at)
            return {"deferred": 1}
        return {"covered": 1}
    data = sending.payload(conversation)
    counts: Counter[str] = Counter()
    subscriptions = PushSubscription.objects.for_organisation(conversation.organisation_id).filter(
        conversation=conversation
    )
    for subscription in subscriptions.order_by("pk"):
        counts[sending.do_record_outcome(subscription, sending.send_one(subscription, data))] += 1
    return dict(counts)
