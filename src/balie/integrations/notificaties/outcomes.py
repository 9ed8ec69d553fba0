"""What becomes of a notificatie in the outbox: claimed by one attempt, sent, or failed (to
be tried again after a pause, or for good); sent again on an administrator's request; taken
up again when its task was lost. The writes of the sending task and of the retry action.

A failure is stored as a code, the API's HTTP status and its own short text, so that the
console shows the reason in the language of whoever reads it.
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations.actions.checks import id_from_outside
from balie.errors import Conflict, NotFound
from balie.integrations.notificaties.access import require_admin
from balie.integrations.notificaties.client import MESSAGES as REMOTE_MESSAGES
from balie.integrations.notificaties.client import NotificatiesError
from balie.integrations.notificaties.models import SentNotification, State
from balie.tenants.secrets import SecretUnreadable

__all__ = [
    "GRACE",
    "STALE_AFTER",
    "NotSent",
    "do_claim",
    "do_record_failure",
    "do_record_sent",
    "do_retry",
    "do_take_up_stalled",
    "error_text",
]

DETAIL_LIMIT = 500
# A queued notificatie whose task has not taken it this long after it was due is taken up
# by the next task of its organisation (or the daily job); one still "sending" this long
# after its attempt began was left behind by a worker that stopped.
GRACE = datetime.timedelta(minutes=5)
STALE_AFTER = datetime.timedelta(minutes=15)

REFUSALS = {
    "publishing_off": _("Publishing to the Notificaties API is switched off or not set up."),
    "kanaal_not_registered": _("Balie's kanaal is not registered at the Notificaties API."),
    "not_failed": _("Only a failed notificatie can be sent again."),
    "internal": _("Sending stopped on an unexpected error (%(detail)s)."),
}


class NotSent(Conflict):
    """A notificatie that cannot be sent in the organisation's present state."""

    default_code = "internal"

    def __init__(self, code: str, *, detail: str = "") -> None:
        super().__init__(code, REFUSALS.get(code, REFUSALS["internal"]), params={"detail": detail})


def error_text(code: str, status: int | None, detail: str) -> str:
    """The stored failure as a sentence in the active language."""
    if not code:
        return ""
    if code in REMOTE_MESSAGES:
        return NotificatiesError(code, remote_status=status, detail=detail, retryable=False).message
    if code == SecretUnreadable.default_code:
        return SecretUnreadable().message
    return NotSent(code if code in REFUSALS else "internal", detail=detail or code).message


def do_claim(notification_id: int) -> SentNotification | None:
    """Take a queued notificatie for one attempt (one worker at a time): it becomes
    ``sending`` and counts the attempt. None when it is not queued (sent, failed, taken)."""
    claimed = SentNotification.objects.filter(pk=notification_id, state=State.QUEUED).update(
        state=State.SENDING, attempts=F("attempts") + 1, next_attempt_at=None,
        updated_at=timezone.now(),
    )  # fmt: skip
    if not claimed:
        return None
    return SentNotification.objects.get(pk=notification_id)


def do_record_sent(row: SentNotification) -> None:
    """The API took it (2xx): stored at once, before anything else can go wrong."""
    SentNotification.objects.filter(pk=row.pk).update(
        state=State.SENT, sent_at=timezone.now(), error_code="", error_status=None,
        last_error="", updated_at=timezone.now(),
    )  # fmt: skip


def do_record_failure(
    row: SentNotification,
    *,
    code: str,
    status: int | None,
    detail: str,
    retry_at: datetime.datetime | None,
) -> None:
    """An attempt failed: queued again for ``retry_at``, or failed for good when None."""
    SentNotification.objects.filter(pk=row.pk, state=State.SENDING).update(
        state=State.QUEUED if retry_at else State.FAILED,
        next_attempt_at=retry_at,
        error_code=code[:40],
        error_status=status,
        last_error=detail[:DETAIL_LIMIT],
        updated_at=timezone.now(),
    )


def do_retry(organisation_id: int, notification_id: object, *, actor) -> SentNotification:
    """An administrator sends a failed notificatie again (the attempts start over); the
    caller enqueues the task for it."""
    require_admin(actor, organisation_id)
    found = (
        SentNotification.objects.for_organisation(organisation_id)
        .filter(pk=id_from_outside(notification_id))
        .first()
    )
    if found is None:
        raise NotFound("not_found", _("No such notificatie."))
    with transaction.atomic():
        again = SentNotification.objects.filter(pk=found.pk, state=State.FAILED).update(
            state=State.QUEUED, attempts=0, next_attempt_at=None, updated_at=timezone.now()
        )
        if not again:
            raise NotSent("not_failed")
        record_event(
            organisation_id=organisation_id,
            event_type="notificaties.notificatie_retried",
            payload={"notificatie": str(found.key), "event_id": found.event_id},
            actor=actor_ref(actor),
        )
    found.refresh_from_db()
    return found


def do_take_up_stalled(organisation_ids: list[int] | None = None, *, limit: int = 200) -> list[int]:
    """Notificaties whose task was lost, oldest first: queued and overdue, or left
    ``sending`` by a worker that stopped. Those left sending are queued again here (the
    attempt may have reached the API: see the docs on duplicates)."""
    now = timezone.now()
    qs = SentNotification.objects.filter(
        Q(state=State.QUEUED, next_attempt_at__isnull=True, updated_at__lt=now - GRACE)
        | Q(state=State.QUEUED, next_attempt_at__lt=now - GRACE)
        | Q(state=State.SENDING, updated_at__lt=now - STALE_AFTER)
    )
    if organisation_ids is not None:
        qs = qs.filter(organisation_id__in=organisation_ids)
    found = list(qs.order_by("pk").values_list("pk", "state")[:limit])
    left_sending = [pk for pk, state in found if state == State.SENDING]
    if left_sending:
        SentNotification.objects.filter(
            pk__in=left_sending, state=State.SENDING, updated_at__lt=now - STALE_AFTER
        ).update(state=State.QUEUED, next_attempt_at=None, updated_at=now)
    return [pk for pk, _state in found]
