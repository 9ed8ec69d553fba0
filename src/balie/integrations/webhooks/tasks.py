"""The task that sends webhook deliveries, with retries.

``send_deliveries(ids)`` makes one attempt at each delivery that is pending and due, oldest
first. A receiver that accepts (2xx) has it delivered. One that may recover (408, 429, 5xx,
a timeout, no connection) gets it again after a pause that doubles with each attempt, of
which a random half (jitter), from :data:`BACKOFF_BASE` up to :data:`BACKOFF_CAP`, or later
when the receiver asks so (``Retry-After``), for at most :data:`MAX_ATTEMPTS` attempts (about
a day), after which the delivery has failed. Anything else fails at once. When a receiver
cannot be reached, the rest of the batch for it waits with the failed one, uncounted.

Nothing is lost when a worker stops: the deliveries and their task are written in the
transaction of the change they report, a claimed delivery becomes due again when its claim
has run out, and every run of this task also takes up the overdue deliveries of its
subscriptions (``send_overdue`` does so for all of them). Sending twice is possible — a
worker stopping after the receiver accepted, before storing that — and harmless: it is the
same CloudEvent, with the same ``id``, for the receiver to deduplicate.

``send_overdue`` and ``prune_deliveries`` (the log keeps 90 days) are meant to run daily.
"""

from __future__ import annotations

import datetime
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from balie.conf import retries
from balie.integrations.webhooks.models import Delivery, DeliveryState
from balie.integrations.webhooks.outcomes import (
    do_claim,
    do_postpone,
    do_prune_deliveries,
    do_record_outcome,
    secrets_of,
)
from balie.integrations.webhooks.sending import Outcome, post
from balie.tenants.secrets import SecretUnreadable

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "MAX_ATTEMPTS",
    "backoff",
    "prune_deliveries",
    "send_deliveries",
    "send_overdue",
]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 12
BACKOFF_BASE = 30.0  # seconds before the second attempt (about: jitter)
BACKOFF_CAP = 6 * 3600.0  # the longest pause between two attempts
OVERDUE = datetime.timedelta(minutes=10)  # due this long ago and still pending: task lost
OVERDUE_BATCH = 100
DOWN = frozenset({"unreachable", "timeout", "tls"})


def backoff(attempts: int) -> datetime.timedelta:
    """The pause after ``attempts`` failed attempts: doubling from BACKOFF_BASE up to
    BACKOFF_CAP, of which a random half, so that retries do not arrive together."""
    return retries.backoff(attempts, base=BACKOFF_BASE, cap=BACKOFF_CAP)


@task()
def send_deliveries(delivery_ids: list[int]) -> list[str]:
    """One attempt at each of the deliveries that is due; their states afterwards."""
    given = {int(pk) for pk in delivery_ids}
    subscriptions = set(
        Delivery.objects.filter(pk__in=given).values_list("subscription_id", flat=True)
    )
    ids = sorted(given | set(_overdue(subscriptions)))  # the oldest first
    states = []
    for position, delivery_id in enumerate(ids):
        delivery = do_claim(delivery_id)
        if delivery is None:  # delivered, failed, not due, or another worker has it
            continue
        outcome = _attempt(delivery)
        retry_at = _retry_at(delivery, outcome)
        down = retry_at is not None and outcome.code in DOWN
        with transaction.atomic():  # the retry's task with the outcome, or neither
            recorded = do_record_outcome(delivery, outcome, retry_at=retry_at)
            if recorded and retry_at is not None:
                later = [delivery.pk]
                if down:  # the receiver is down: the rest of the batch waits with this one
                    later += do_postpone(ids[position + 1 :], retry_at)
                send_deliveries.using(run_after=retry_at).enqueue(later)
        states.append(delivery.state)
        if down and recorded:
            break
    return states


@task()
def send_overdue() -> int:
    """Take up every delivery whose task was lost (a worker that stopped); how many."""
    due = (
        Delivery.objects.filter(
            state=DeliveryState.PENDING, next_attempt_at__lt=timezone.now() - OVERDUE
        )
        .order_by("subscription_id", "pk")
        .values_list("subscription_id", "pk")
    )
    batches: dict[int, list[int]] = {}
    for subscription_id, pk in due:
        batches.setdefault(subscription_id, []).append(pk)
    for pks in batches.values():
        for start in range(0, len(pks), OVERDUE_BATCH):
            send_deliveries.enqueue(pks[start : start + OVERDUE_BATCH])
    return sum(len(pks) for pks in batches.values())


@task()
def prune_deliveries() -> int:
    """Daily: the delivery log forgets what was done more than 90 days ago."""
    return do_prune_deliveries()


def _overdue(subscriptions: set[int]) -> list[int]:
    if not subscriptions:
        return []
    return list(
        Delivery.objects.filter(
            subscription_id__in=subscriptions,
            state=DeliveryState.PENDING,
            next_attempt_at__lt=timezone.now() - OVERDUE,
        )
        .order_by("pk")
        .values_list("pk", flat=True)[:OVERDUE_BATCH]
    )


def _attempt(delivery: Delivery) -> Outcome:
    subscription = delivery.subscription
    if not subscription.enabled:
        return Outcome(False, code="disabled")
    try:
        secrets = secrets_of(subscription)
        return post(subscription.url, delivery.body.encode("utf-8"), secrets)
    except SecretUnreadable:
        return Outcome(False, code="secret_unreadable")
    except Exception as error:
        logger.exception("webhook attempt failed", extra={"delivery_id": delivery.pk})
        # The exception's name only: its text may quote the address.
        return Outcome(False, code="internal", detail=type(error).__name__, retryable=True)


def _retry_at(delivery: Delivery, outcome: Outcome) -> datetime.datetime | None:
    if outcome.delivered or not outcome.retryable or delivery.attempts >= MAX_ATTEMPTS:
        if not outcome.delivered:
            logger.warning(
                "webhook delivery failed",
                extra={"delivery_id": delivery.pk, "code": outcome.code, "status": outcome.status},
            )
        return None
    pause = backoff(delivery.attempts)
    if outcome.retry_after is not None:
        pause = max(pause, datetime.timedelta(seconds=outcome.retry_after))
    return timezone.now() + min(pause, datetime.timedelta(seconds=BACKOFF_CAP))
