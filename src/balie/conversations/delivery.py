"""Recording what an external channel did with an outbound message.

The one write of the outbound-delivery task (``tasks.deliver_outbound``), an action like the
others and exported from ``balie.conversations.actions``. It lives outside that package
because the package enqueues the task (``actions.sending`` imports ``tasks``): the task
importing the package back would make a circle.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations import event_types, events
from balie.conversations.models import DeliveryStatus, Message


def do_record_delivery(message: Message, status: str, *, error: str = "") -> Message:
    """Store ``status`` (sent, delivered or failed) on ``message``, archive it, and tell the
    staff who have the conversation open after commit. ``error`` says why it failed; it is
    archived and shown to staff, so it must not hold the message's text."""
    status = DeliveryStatus(status)
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(delivery_status=status)
        message.delivery_status = status
        record_event(
            organisation_id=message.organisation_id,
            conversation_id=message.conversation_id,
            event_type="message.delivery",
            payload={
                "message_id": message.pk,
                "seq": message.seq,
                "status": status,
                "error": error,
            },
            actor=actor_ref(None),
        )
        event = event_types.delivery_event(
            message.conversation_id,
            message_id=message.pk,
            seq=message.seq,
            status=status,
            error=error,
        )
        transaction.on_commit(
            partial(events.send_event, event, [events.staff_group(message.conversation_id)])
        )
    return message
