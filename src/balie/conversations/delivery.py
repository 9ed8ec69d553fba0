"""Recording what an external channel did with an outbound message.

The writes of the outbound-delivery task (``tasks.deliver_outbound``) and of the channels'
status reports, actions like the others and exported from ``balie.conversations.actions``.
They live outside that package because the package enqueues the task (``actions.sending``
imports ``tasks``): the task importing the package back would make a circle.

A channel reports statuses in whatever order its reports arrive (WhatsApp may report *read*
before *delivered*); :func:`do_record_channel_status` never moves a message backwards:
sent < delivered < read, and *failed* counts only for a message not known to have arrived.
"""

from __future__ import annotations

from functools import partial

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations import event_types, events
from balie.conversations.models import DeliveryAttempt, DeliveryStatus, Direction, Message
from balie.errors import Conflict

__all__ = [
    "INTERRUPTED",
    "do_begin_attempt",
    "do_end_attempt",
    "do_record_channel_status",
    "do_record_delivery",
    "do_retry_delivery",
]

# The error of a message whose delivery was cut off while the channel had it.
INTERRUPTED = "delivery_interrupted"

MAX_ERROR = 300

# A status a channel reports, and the statuses it may replace.
REPLACES = {
    DeliveryStatus.SENT: {DeliveryStatus.PENDING},
    DeliveryStatus.DELIVERED: {DeliveryStatus.PENDING, DeliveryStatus.SENT, DeliveryStatus.FAILED},
    DeliveryStatus.READ: {
        DeliveryStatus.PENDING,
        DeliveryStatus.SENT,
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
    },
    DeliveryStatus.FAILED: {DeliveryStatus.PENDING, DeliveryStatus.SENT},
}


def do_record_delivery(
    message: Message, status: str, *, error: str = "", event_type: str = "message.delivery"
) -> Message:
    """Store ``status`` (pending, sent, delivered, read or failed) on ``message``, archive
    it, and tell the staff who have the conversation open after commit. ``error`` says why
    it failed or is tried again; it is archived and shown to staff, so it must not hold the
    message's text."""
    status = DeliveryStatus(status)
    error = error[:MAX_ERROR]
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(delivery_status=status, delivery_error=error)
        _recorded(message, status, error, event_type)
    return message


def do_begin_attempt(message: Message) -> bool:
    """Before handing ``message`` to its channel: committed at once. False when an earlier
    attempt was cut off in between; the message is then marked failed (:data:`INTERRUPTED`)
    and must not be sent without someone checking first."""
    with transaction.atomic():
        attempt, created = DeliveryAttempt.objects.get_or_create(
            message=message, defaults={"started_at": timezone.now()}
        )
        if created:
            return True
        attempt.delete()
        do_record_delivery(message, DeliveryStatus.FAILED, error=INTERRUPTED)
        return False


def do_end_attempt(message: Message) -> None:
    """The channel answered (or refused) and that is stored, or it was never reached."""
    DeliveryAttempt.objects.filter(message=message).delete()


def do_record_channel_status(message: Message, status: str, *, error: str = "") -> bool:
    """A status the channel reported for ``message``; False (and nothing written) when the
    message is already further (a report that arrived late, or the same report twice)."""
    status = DeliveryStatus(status)
    if status not in REPLACES:
        raise ValueError(f"a channel does not report {status}")
    error = error[:MAX_ERROR] if status == DeliveryStatus.FAILED else ""
    with transaction.atomic():
        changed = Message.objects.filter(
            pk=message.pk, delivery_status__in=REPLACES[status]
        ).update(delivery_status=status, delivery_error=error)
        if not changed:
            return False
        _recorded(message, status, error, "message.delivery")
    return True


def do_retry_delivery(message: Message, *, actor) -> Message:
    """Send a failed outbound message again (staff, after the channel's problem is fixed)."""
    if message.direction != Direction.OUTBOUND or message.delivery_status != DeliveryStatus.FAILED:
        raise Conflict("not_failed", _("Only a message whose delivery failed is sent again."))
    from balie.conversations.tasks import deliver_outbound  # noqa: PLC0415 (see module doc)

    with transaction.atomic():
        do_record_delivery(message, DeliveryStatus.PENDING, event_type="message.delivery_retried")
        record_event(
            organisation_id=message.organisation_id,
            conversation_id=message.conversation_id,
            event_type="message.retry_requested",
            payload={"message_id": message.pk, "seq": message.seq},
            actor=actor_ref(actor),
        )
        deliver_outbound.enqueue(message.pk)
    return message


def _recorded(message: Message, status: DeliveryStatus, error: str, event_type: str) -> None:
    message.delivery_status = status
    message.delivery_error = error
    record_event(
        organisation_id=message.organisation_id,
        conversation_id=message.conversation_id,
        event_type=event_type,
        payload={"message_id": message.pk, "seq": message.seq, "status": status, "error": error},
        actor=actor_ref(None),
    )
    event = event_types.delivery_event(
        message.conversation_id, message_id=message.pk, seq=message.seq, status=status, error=error
    )
    transaction.on_commit(
        partial(events.send_event, event, [events.staff_group(message.conversation_id)])
    )
