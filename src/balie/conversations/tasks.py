"""Background tasks of conversations: outbound delivery to external channels, and the daily
removal of uploads never sent.

Channel adapters (``balie.connectors``) register a sender per channel; until a channel has
one, its outbound messages stay ``pending`` and the failure is visible on the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django_tasks import task

from balie.conversations.actions.attachments import do_remove_unsent_attachments
from balie.conversations.delivery import do_record_delivery
from balie.conversations.models import DeliveryStatus, Message

logger = logging.getLogger(__name__)

# channel name -> callable(message) that raises on failure
OUTBOUND_SENDERS: dict[str, Callable[[Message], None]] = {}


def register_sender(channel: str, sender: Callable[[Message], None]) -> None:
    OUTBOUND_SENDERS[channel] = sender


@task()
def deliver_outbound(message_id: int) -> str:
    message = Message.objects.select_related("conversation").get(pk=message_id)
    if message.delivery_status != DeliveryStatus.PENDING:
        return message.delivery_status  # already handled by an earlier attempt
    sender = OUTBOUND_SENDERS.get(message.conversation.channel)
    status, error = DeliveryStatus.SENT, ""
    if sender is None:
        status, error = DeliveryStatus.FAILED, "no_sender"
        logger.warning("no sender for channel", extra={"channel": message.conversation.channel})
    else:
        try:
            sender(message)
        except Exception as exception:
            logger.exception("outbound delivery failed", extra={"message_id": message_id})
            # The exception's name only: its text may quote the message.
            status, error = DeliveryStatus.FAILED, type(exception).__name__
    do_record_delivery(message, status, error=error)
    return status


@task()
def remove_unsent_uploads() -> int:
    """Daily: delete uploads never sent with a message (BALIE_UNSENT_UPLOADS_MAX_AGE_HOURS)."""
    total, following = do_remove_unsent_attachments()
    while following is not None:
        removed, following = do_remove_unsent_attachments(after=following)
        total += removed
    return total
