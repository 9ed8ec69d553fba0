"""Background tasks of the Notificaties API: sending the outbox.

``send_notifications`` sends the notificaties it is given, in order, each claimed by one
attempt at a time. A failure that may pass (the API unreachable, a timeout, a 5xx or 429
answer) is tried again after a pause that doubles each time, with jitter, up to
``MAX_ATTEMPTS``; a refusal (a 4xx answer, publishing switched off, the kanaal not
registered) fails at once. A failed notificatie shows its error in the console, where an
administrator sends it again. Each notificatie is marked sent as soon as the API answers
2xx. Afterwards the task takes up what its organisations left behind (a lost task, a worker
that stopped); ``resume_notifications`` does so for every organisation, as a daily job.
"""

from __future__ import annotations

import datetime
import logging
from collections import Counter

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from balie.conf import retries
from balie.integrations.notificaties.client import NotificatiesApi, NotificatiesError
from balie.integrations.notificaties.connection import api_client
from balie.integrations.notificaties.models import Connection, SentNotification
from balie.integrations.notificaties.outbox import message_of
from balie.integrations.notificaties.outcomes import (
    NotSent,
    do_claim,
    do_record_failure,
    do_record_sent,
    do_take_up_stalled,
)
from balie.tenants.secrets import SecretUnreadable

__all__ = ["MAX_ATTEMPTS", "backoff", "resume_notifications", "send_notifications"]

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 8
BACKOFF_BASE = 30.0  # seconds before the second attempt (about: jitter)
BACKOFF_CAP = 3600.0  # the longest pause between two attempts


def backoff(attempts: int) -> datetime.timedelta:
    """The pause after ``attempts`` failed attempts: doubling from BACKOFF_BASE up to
    BACKOFF_CAP, of which a random half, so that retries do not arrive together."""
    return retries.backoff(attempts, base=BACKOFF_BASE, cap=BACKOFF_CAP)


@task()
def send_notifications(notification_ids: list[int]) -> dict[str, int]:
    """One attempt for each notificatie given; the count of each state afterwards."""
    with _Sender() as sender:
        for pk in notification_ids:
            sender.attempt(pk)
        for pk in do_take_up_stalled(sorted(sender.organisations)):
            sender.attempt(pk)
        return dict(sender.outcomes)


@task()
def resume_notifications() -> int:
    """The daily job: enqueue what every organisation left behind; how many."""
    found = do_take_up_stalled()
    if found:
        send_notifications.enqueue(found)
    return len(found)


class _Sender:
    """One task's attempts: one client per organisation, its connection read once."""

    def __init__(self) -> None:
        self.outcomes: Counter[str] = Counter()
        self.organisations: set[int] = set()
        self._clients: dict[int, NotificatiesApi] = {}
        self._connections: dict[int, Connection | None] = {}
        # An organisation whose API failed in a way that may pass: the rest of its
        # notificaties in this task wait for their retry instead of each waiting for it.
        self._down: dict[int, NotificatiesError] = {}

    def __enter__(self) -> _Sender:
        return self

    def __exit__(self, *exc_info: object) -> None:
        for client in self._clients.values():
            client.__exit__()

    def attempt(self, pk: int) -> None:
        row = do_claim(pk)
        if row is None:  # sent, failed, or another worker has it
            return
        self.organisations.add(row.organisation_id)
        try:
            connection = self._connection(row.organisation_id)
            if row.organisation_id in self._down:
                raise self._down[row.organisation_id]
            self._client(connection).publish(message_of(row, connection.kanaal))
        except NotificatiesError as error:
            if error.retryable:
                self._down[row.organisation_id] = error
            _failed(row, error.code, error.remote_status, error.remote_detail, error.retryable)
        except (NotSent, SecretUnreadable) as error:
            _failed(row, error.code, None, "", retryable=False)
        except Exception as error:
            logger.exception("notificatie attempt failed", extra={"notificatie_id": pk})
            # The exception's name only: its text may quote addresses.
            _failed(row, "internal", None, type(error).__name__, retryable=True)
        else:
            do_record_sent(row)
        state = SentNotification.objects.filter(pk=pk).values_list("state", flat=True).first()
        self.outcomes[state or "gone"] += 1

    def _connection(self, organisation_id: int) -> Connection:
        if organisation_id not in self._connections:
            self._connections[organisation_id] = (
                Connection.objects.for_organisation(organisation_id).filter(enabled=True).first()
            )
        connection = self._connections[organisation_id]
        if connection is None:
            raise NotSent("publishing_off")
        if not connection.kanaal_url:
            raise NotSent("kanaal_not_registered")
        return connection

    def _client(self, connection: Connection) -> NotificatiesApi:
        if connection.organisation_id not in self._clients:
            self._clients[connection.organisation_id] = api_client(connection)
        return self._clients[connection.organisation_id]


def _failed(
    row: SentNotification, code: str, status: int | None, detail: str, retryable: bool
) -> None:
    again = retryable and row.attempts < MAX_ATTEMPTS
    retry_at = timezone.now() + backoff(row.attempts) if again else None
    logger.warning(
        "notificatie attempt failed",
        extra={"notificatie_id": row.pk, "code": code, "status": status},
    )
    with transaction.atomic():
        do_record_failure(row, code=code, status=status, detail=detail, retry_at=retry_at)
        if retry_at is not None:
            send_notifications.using(run_after=retry_at).enqueue([row.pk])
