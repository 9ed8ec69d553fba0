"""The background task that registers a conversation in Open Klant.

An attempt that fails for a reason that may pass (Open Klant unreachable, a timeout, a 5xx
or 429 answer, an answer not understood) is tried again after a pause that doubles each
time, with jitter, up to ``MAX_ATTEMPTS``; a refusal (another 4xx answer, no connection
switched on, a destroyed conversation, a token that no longer opens) fails at once. A
failed registration shows its error in the console and the API; an administrator retries
it when the cause is fixed, and the next attempt continues where the last one stopped.

Tasks are enqueued once the transaction that queued the registration has committed; the
registration row is the outbox, so a task lost on the way (the process stopped right after
the commit) leaves a queued row that ``enqueue_waiting`` (or an administrator's retry, once
it is STALE_AFTER old) sends again.
"""

from __future__ import annotations

import datetime
import logging
from functools import partial

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from balie.conf import retries
from balie.errors import BalieError
from balie.integrations.klantinteracties.client import OpenKlantError
from balie.integrations.klantinteracties.models import Registration, RegistrationState
from balie.integrations.klantinteracties.outcomes import (
    RegistrationRefused,
    do_claim,
    do_record_failure,
    do_record_registered,
    do_start_round,
    do_take_up_waiting,
)
from balie.integrations.klantinteracties.registering import register
from balie.tenants.secrets import SecretUnreadable

__all__ = [
    "BACKOFF_BASE",
    "BACKOFF_CAP",
    "MAX_ATTEMPTS",
    "STALE_AFTER",
    "backoff",
    "enqueue",
    "enqueue_waiting",
    "register_conversation",
]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = 60.0  # seconds before the second attempt (about: jitter)
BACKOFF_CAP = 3600.0  # the longest pause between two attempts
# A registration still queued or sending this long after its last change was left behind
# (a task lost after the commit, a worker that stopped): it may be sent again.
STALE_AFTER = datetime.timedelta(hours=3)


def backoff(attempts: int) -> datetime.timedelta:
    """The pause after ``attempts`` failed attempts: doubling from BACKOFF_BASE up to
    BACKOFF_CAP, of which a random half, so that retries do not arrive together."""
    return retries.backoff(attempts, base=BACKOFF_BASE, cap=BACKOFF_CAP)


def enqueue(registration_id: int, *, run_after: datetime.datetime | None = None) -> None:
    """Enqueue an attempt once the current transaction commits (at once outside one)."""
    target = (
        register_conversation.using(run_after=run_after) if run_after else register_conversation
    )
    transaction.on_commit(partial(target.enqueue, registration_id))


@task()
def register_conversation(registration_id: int) -> str:
    """One attempt at registering; the registration's state afterwards."""
    registration = do_claim(registration_id)
    if registration is None:  # registered, failed, or another worker has it
        found = Registration.objects.filter(pk=registration_id).values_list("state", flat=True)
        return found.first() or "gone"
    try:
        register(registration)
    except OpenKlantError as error:
        _failed(registration, error.code, error.remote_status, error.remote_detail, error.retryable)
    except (RegistrationRefused, SecretUnreadable) as error:
        _failed(registration, error.code, None, "", retryable=False)
    except BalieError as error:
        _failed(registration, "internal", None, error.code, retryable=False)
    except Exception as error:
        logger.exception("registration attempt failed", extra={"registration_id": registration_id})
        # The exception's name only: its text may quote addresses or contact details.
        _failed(registration, "internal", None, type(error).__name__, retryable=True)
    else:
        _registered(registration)
        return RegistrationState.REGISTERED
    return registration.state


def _registered(registration: Registration) -> None:
    with transaction.atomic():
        do_record_registered(registration)
        if registration.wanted_seq > registration.covered_seq:
            # Resolved again, after new messages, while this round was on its way.
            enqueue(do_start_round(registration).pk)


def _failed(
    registration: Registration, code: str, status: int | None, detail: str, retryable: bool
) -> None:
    again = retryable and registration.attempts < MAX_ATTEMPTS
    retry_at = timezone.now() + backoff(registration.attempts) if again else None
    logger.warning(
        "registration attempt failed",
        extra={"registration_id": registration.pk, "code": code, "status": status},
    )
    with transaction.atomic():
        do_record_failure(registration, code=code, status=status, detail=detail, retry_at=retry_at)
        if retry_at is not None:
            enqueue(registration.pk, run_after=retry_at)


@task()
def enqueue_waiting() -> int:
    """Send again what waits without a task: queued registrations whose retry is
    STALE_AFTER overdue, or that were queued STALE_AFTER ago and never tried; and sending
    ones untouched for STALE_AFTER (their worker stopped). For the daily schedule."""
    with transaction.atomic():
        waiting = do_take_up_waiting(timezone.now() - STALE_AFTER)
        for pk in waiting:
            enqueue(pk)
    return len(waiting)
