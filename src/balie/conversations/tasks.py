"""Background tasks of conversations: outbound delivery to external channels.

Channel adapters (``balie.connectors``) register a sender per channel; until a channel has
one, its outbound messages stay ``pending`` and the failure is visible on the message.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django_tasks import task

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
    if sender is None:
        status = DeliveryStatus.FAILED
        logger.warning("no sender for channel", extra={"channel": message.conversation.channel})
    else:
        try:
            sender(message)
            status = DeliveryStatus.SENT
        except Exception:
            logger.exception("outbound delivery failed", extra={"message_id": message_id})
            status = DeliveryStatus.FAILED
    with transaction.atomic():
        Message.objects.filter(pk=message_id).update(delivery_status=status)
    return status
