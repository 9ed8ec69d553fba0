"""Background tasks of conversations: outbound delivery to external channels, and the daily
removal of uploads never sent.

Channel adapters (``balie.connectors``) register a sender per channel. A sender raises
:class:`DeliveryFailed` when the channel refuses (``retryable=False``: failed at once, with
the channel's error) or may take it later; any other exception counts as a failure that may
pass. Such failures are tried again after a pause that doubles, with jitter
(``balie.conf.retries``), up to ``MAX_ATTEMPTS``; meanwhile the message stays *pending* and
shows the error and the next attempt to staff. After the last attempt it is *failed*; staff
send it again with ``do_retry_delivery``. If the worker is killed while the channel has the
message, the task runs again (``ops.workers``) and marks it failed (``delivery_interrupted``:
whether the channel took it is unknown) rather than sending it a second time.
A message is delivered at most once by this task:
an attempt finds it no longer pending and stops.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from balie.conf import retries
from balie.conversations.actions.attachments import do_remove_unsent_attachments
from balie.conversations.delivery import (
    do_begin_attempt,
    do_end_attempt,
    do_record_channel_status,
    do_record_delivery,
)
from balie.conversations.models import DeliveryStatus, Message
from balie.errors import BalieError

logger = logging.getLogger(__name__)

# channel name -> callable(message) that raises on failure
OUTBOUND_SENDERS: dict[str, Callable[[Message], None]] = {}


def register_sender(channel: str, sender: Callable[[Message], None]) -> None:
    OUTBOUND_SENDERS[channel] = sender


MAX_ATTEMPTS = 8
BACKOFF_BASE = 30.0  # seconds before the second attempt (about: jitter)
BACKOFF_CAP = 3600.0


class DeliveryFailed(BalieError):  # noqa: N818 (what a sender raises, read as a sentence)
    """The channel did not take the message: ``code`` and ``detail`` are the channel's own
    (never the message's text); ``retryable`` when trying again later may help."""

    status = 409  # never shown as an HTTP answer: the delivery task keeps it on the message

    def __init__(self, code: str, detail: str = "", *, retryable: bool = True) -> None:
        super().__init__(code, detail)
        self.channel_detail, self.retryable = detail, retryable

    def __str__(self) -> str:
        return f"{self.code}: {self.channel_detail}" if self.channel_detail else self.code


@task()
def deliver_outbound(message_id: int, attempt: int = 1) -> str:
    message = Message.objects.select_related("conversation").get(pk=message_id)
    if message.delivery_status != DeliveryStatus.PENDING:
        return message.delivery_status  # already handled by an earlier attempt
    sender = OUTBOUND_SENDERS.get(message.conversation.channel)
    if sender is None:
        logger.warning("no sender for channel", extra={"channel": message.conversation.channel})
        do_record_delivery(message, DeliveryStatus.FAILED, error="no_sender")
        return DeliveryStatus.FAILED
    if not do_begin_attempt(message):  # an earlier run was cut off while the channel had it
        logger.warning("outbound delivery interrupted earlier", extra={"message_id": message_id})
        return DeliveryStatus.FAILED
    try:
        sender(message)
    except DeliveryFailed as failure:
        do_end_attempt(message)
        return _failed(message, attempt, str(failure), failure.retryable)
    except Exception as exception:
        do_end_attempt(message)
        logger.exception("outbound delivery failed", extra={"message_id": message_id})
        # The exception's name only: its text may quote the message.
        return _failed(message, attempt, type(exception).__name__, retryable=True)
    # Only if still pending: the channel's own report (delivered, read) may have come first.
    do_record_channel_status(message, DeliveryStatus.SENT)
    do_end_attempt(message)
    message.refresh_from_db(fields=["delivery_status"])
    return message.delivery_status


def _failed(message: Message, attempt: int, error: str, retryable: bool) -> str:
    if not retryable or attempt >= MAX_ATTEMPTS:
        do_record_delivery(message, DeliveryStatus.FAILED, error=error)
        return DeliveryStatus.FAILED
    when = timezone.now() + retries.backoff(attempt, base=BACKOFF_BASE, cap=BACKOFF_CAP)
    with transaction.atomic():
        do_record_delivery(
            message, DeliveryStatus.PENDING, error=f"{error} (retry {attempt}/{MAX_ATTEMPTS - 1})"
        )
        deliver_outbound.using(run_after=when).enqueue(message.pk, attempt + 1)
    return "retrying"


@task()
def remove_unsent_uploads() -> int:
    """Daily: delete uploads never sent with a message (BALIE_UNSENT_UPLOADS_MAX_AGE_HOURS)."""
    total, following = do_remove_unsent_attachments()
    while following is not None:
        removed, following = do_remove_unsent_attachments(after=following)
        total += removed
    return total


@task()
def mark_absent_agents_offline() -> int:
    """Every minute: agents whose console went silent (BALIE_OFFLINE_AFTER_SECONDS) go
    offline, and their conversations back to routing (``actions.availability``)."""
    # Imported here: the actions import this module (delivery is enqueued from the write path).
    from balie.conversations.actions.availability import do_mark_absent_offline

    return do_mark_absent_offline()


@task()
def route_reopened(conversation_id: int) -> str:
    """A resident wrote again in a resolved conversation: route it if nobody has it, or move
    it from an assignee who went offline (``actions.routing.do_route_reopened``)."""
    # Imported here: the actions import this module (enqueued from the write path).
    from balie.conversations.actions.routing import do_route_reopened

    return do_route_reopened(conversation_id)


@task()
def refresh_dashboard_figures() -> int:
    """Every few minutes: the dashboard's daily summary for the days whose conversations
    changed (``actions.figures``); returns how many days were rebuilt."""
    # Imported here: the actions import this module (delivery is enqueued from the write path).
    from balie.conversations.actions.figures import do_refresh_all_day_figures

    return do_refresh_all_day_figures()
