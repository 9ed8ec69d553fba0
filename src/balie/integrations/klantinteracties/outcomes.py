"""What becomes of a registration: claimed by an attempt, registered, failed (to be tried
again after a pause, or for good), queued again, or followed by a new round. The writes of
the outbox row, with an archive event where the archive should know (registered, failed for
good, a retry asked by a person); and the texts that say why a registration failed, in the
reader's language.

A failure is stored as a code, Open Klant's HTTP status and its own short text (never a
message's text: no message text is sent), so the console shows the reason in the language
of whoever reads it.
"""

from __future__ import annotations

import datetime
import uuid

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.errors import Conflict, NotFound
from balie.integrations.klantinteracties.client import MESSAGES as REMOTE_MESSAGES
from balie.integrations.klantinteracties.client import OpenKlantError
from balie.integrations.klantinteracties.models import Registration, RegistrationState
from balie.tenants.secrets import SecretUnreadable

__all__ = [
    "RegistrationNotFound",
    "RegistrationRefused",
    "do_claim",
    "do_record_failure",
    "do_record_registered",
    "do_requeue",
    "do_start_round",
    "do_take_up_waiting",
    "error_text",
]

DETAIL_LIMIT = 500

REFUSALS = {
    "no_connection": _("No Klantinteracties API is set up and switched on for this organisation."),
    "target_changed": _(
        "The Klantinteracties API's address changed during the registration; what was "
        "registered so far is at the earlier address."
    ),
    "conversation_destroyed": _("The conversation was destroyed: there is nothing to register."),
    "nothing_to_register": _("The conversation has no messages to register."),
    "already_registered": _(
        "This conversation is registered: resolve it again after new messages."
    ),
    "registration_in_progress": _("This conversation is being registered."),
    "internal": _("Registering stopped on an unexpected error (%(detail)s)."),
}


class RegistrationNotFound(NotFound):
    """The conversation has no registration (or the actor does not see it)."""

    default_message = _("This conversation was never registered in Open Klant.")


class RegistrationRefused(Conflict):
    """A registration that cannot go ahead in the conversation's or organisation's state."""

    default_code = "internal"

    def __init__(self, code: str, *, detail: str = "") -> None:
        super().__init__(code, REFUSALS.get(code, REFUSALS["internal"]), params={"detail": detail})


def error_text(code: str, status: int | None, detail: str) -> str:
    """The stored failure as a sentence in the active language."""
    if not code:
        return ""
    if code in REMOTE_MESSAGES:
        return OpenKlantError(code, remote_status=status, detail=detail, retryable=False).message
    if code == SecretUnreadable.default_code:
        return SecretUnreadable().message
    return RegistrationRefused(
        code if code in REFUSALS else "internal", detail=detail or code
    ).message


def _record(registration: Registration, event_type: str, actor=None, **payload) -> None:
    record_event(
        organisation_id=registration.organisation_id,
        conversation_id=registration.conversation_id,
        event_type=event_type,
        payload={"round": registration.round, **payload},
        actor=actor_ref(actor),
    )


def do_claim(registration_id: int) -> Registration | None:
    """Take a queued registration for one attempt (one worker at a time): it becomes
    ``sending`` and counts the attempt. None when it is not queued (done, failed, taken)."""
    claimed = Registration.objects.filter(
        pk=registration_id, state=RegistrationState.QUEUED
    ).update(
        state=RegistrationState.SENDING,
        attempts=F("attempts") + 1,
        next_attempt_at=None,
        updated_at=timezone.now(),
    )
    if not claimed:
        return None
    return Registration.objects.select_related(
        "conversation__organisation", "conversation__contact", "conversation__team"
    ).get(pk=registration_id)


def do_record_registered(registration: Registration) -> Registration:
    """Everything is in Open Klant. ``wanted_seq`` is read again under the row's lock: a
    resolution heard meanwhile may have moved it (the caller then starts the next round)."""
    registration.state = RegistrationState.REGISTERED
    registration.registered_at = timezone.now()
    registration.error_code, registration.error_status, registration.last_error = "", None, ""
    with transaction.atomic():
        locked = Registration.objects.select_for_update().filter(pk=registration.pk)
        registration.wanted_seq = locked.values_list("wanted_seq", flat=True).get()
        registration.save(
            update_fields=[
                "state", "registered_at", "error_code", "error_status", "last_error",
                "updated_at",
            ]
        )  # fmt: skip
        _record(
            registration, "klantinteracties.registered", attempt=registration.attempts,
            klantcontact=registration.klantcontact_url,
            betrokkene=bool(registration.betrokkene_url),
            digitale_adressen=len(registration.digitale_adressen),
        )  # fmt: skip
    return registration


def do_record_failure(
    registration: Registration,
    *,
    code: str,
    status: int | None,
    detail: str,
    retry_at: datetime.datetime | None,
) -> Registration:
    """An attempt failed: queued again for ``retry_at``, or failed for good when None."""
    registration.state = RegistrationState.QUEUED if retry_at else RegistrationState.FAILED
    registration.next_attempt_at = retry_at
    registration.error_code, registration.error_status = code[:40], status
    registration.last_error = detail[:DETAIL_LIMIT]
    with transaction.atomic():
        registration.save(
            update_fields=[
                "state", "next_attempt_at", "error_code", "error_status", "last_error",
                "updated_at",
            ]
        )  # fmt: skip
        if retry_at is None:
            _record(
                registration, "klantinteracties.failed", attempt=registration.attempts,
                error=registration.error_code, status=status,
            )  # fmt: skip
    return registration


def do_requeue(registration: Registration, *, actor=None) -> Registration:
    """Queue the same round again (after a failure, or one left behind by a stopped
    worker): it continues where it stopped. ``actor`` a person who asked; None when a new
    resolution did."""
    registration.state = RegistrationState.QUEUED
    registration.attempts, registration.next_attempt_at = 0, None
    registration.queued_at = timezone.now()
    with transaction.atomic():
        registration.save(
            update_fields=["state", "attempts", "next_attempt_at", "queued_at", "updated_at"]
        )
        if actor is not None:
            _record(registration, "klantinteracties.retry_requested", actor)
    return registration


def do_take_up_waiting(cutoff: datetime.datetime, *, limit: int = 1000) -> list[int]:
    """Registrations that wait without a task: queued with a retry overdue since ``cutoff``,
    queued before it and never tried, or left ``sending`` since it by a worker that stopped.
    Those left sending are queued again here."""
    waiting = list(
        Registration.objects.filter(
            Q(state=RegistrationState.QUEUED, next_attempt_at__lt=cutoff)
            | Q(state=RegistrationState.QUEUED, next_attempt_at=None, updated_at__lt=cutoff)
            | Q(state=RegistrationState.SENDING, updated_at__lt=cutoff)
        ).values_list("pk", flat=True)[:limit]
    )
    if waiting:
        Registration.objects.filter(pk__in=waiting, state=RegistrationState.SENDING).update(
            state=RegistrationState.QUEUED, updated_at=timezone.now()
        )
    return waiting


def do_start_round(registration: Registration) -> Registration:
    """A registered conversation got messages since and was resolved again: a new round
    registers those messages as a new klantcontact; the earlier one's address is kept."""
    registration.earlier = [
        *registration.earlier,
        {
            "round": registration.round,
            "klantcontact": registration.klantcontact_url,
            "at": registration.registered_at.isoformat() if registration.registered_at else None,
        },
    ]
    registration.round += 1
    registration.key = uuid.uuid4()
    registration.from_seq = registration.covered_seq
    registration.tried, registration.remote_base = [], ""
    registration.klantcontact_url = registration.betrokkene_url = ""
    registration.onderwerpobject_url = registration.bijlage_url = ""
    registration.klantcontact_uuid = registration.betrokkene_uuid = None
    registration.digitale_adressen = {}
    registration.state = RegistrationState.QUEUED
    registration.attempts, registration.next_attempt_at = 0, None
    registration.error_code, registration.error_status, registration.last_error = "", None, ""
    registration.queued_at, registration.registered_at = timezone.now(), None
    registration.save()
    return registration
