"""Hearing that a conversation was resolved, and queueing its registration (the outbox).

``do_queue_registrations`` is registered with ``balie.archive.listeners`` and runs inside
the transaction that records the archive events. Only ``conversation.status_changed`` to
``resolved`` matters; a batch without one costs nothing, one with costs one indexed query to
find which of its organisations have a connection switched on, and the rest only for those.
The registration row is written in that same transaction; its task is enqueued once it
commits.

Resolving again does not register the same messages twice. A conversation resolved again:

- registered, without messages from the resident or the organisation since: nothing;
- registered, with such messages since: a new round, a new klantcontact for those messages
  (the earlier one stays, its address kept with the registration);
- queued or being sent: the round takes in the messages up to this resolution if its
  klantcontact is not created yet; otherwise a new round follows once it is registered;
- failed: queued again, continuing where it stopped.

A problem here never stops the status change: it is logged, and an administrator can
queue the registration by hand.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.models import Role
from balie.conversations.models import RESIDENT_VISIBLE, Message, Status
from balie.conversations.selectors import access_conversation
from balie.integrations.klantinteracties.models import Connection, Registration, RegistrationState
from balie.integrations.klantinteracties.outcomes import (
    RegistrationNotFound,
    RegistrationRefused,
    do_requeue,
    do_start_round,
)
from balie.integrations.klantinteracties.tasks import STALE_AFTER, enqueue
from balie.records.permissions import require_role

if TYPE_CHECKING:
    from balie.archive.models import ArchiveEvent

__all__ = ["RETRIERS", "do_queue_registrations", "do_retry"]

logger = logging.getLogger(__name__)

STATUS_CHANGED = "conversation.status_changed"
RETRIERS = frozenset({Role.ADMIN})


def do_queue_registrations(events: Sequence[ArchiveEvent]) -> None:
    """The archive's listener: queue a registration for each resolution it hears of."""
    resolved = [
        event
        for event in events
        if event.event_type == STATUS_CHANGED
        and event.conversation_id is not None
        and isinstance(event.payload, dict)
        and event.payload.get("to") == Status.RESOLVED
    ]
    if not resolved:
        return
    enabled = set(
        Connection.objects.filter(
            organisation_id__in={event.organisation_id for event in resolved}, enabled=True
        ).values_list("organisation_id", flat=True)
    )
    for event in resolved:
        if event.organisation_id not in enabled or event.conversation_id is None:
            continue
        try:
            with transaction.atomic():  # a savepoint: a failure here leaves the change alone
                _resolved(event.organisation_id, event.conversation_id)
        except Exception:
            logger.exception(
                "registration not queued", extra={"conversation_id": event.conversation_id}
            )


def _resolved(organisation_id: int, conversation_id: int) -> None:
    last = (
        Message.objects.filter(conversation_id=conversation_id, direction__in=RESIDENT_VISIBLE)
        .aggregate(last=Max("seq"))
        .get("last")
    ) or 0
    registration = (
        Registration.objects.select_for_update().filter(conversation_id=conversation_id).first()
    )
    if registration is None:
        if last:
            created = Registration.objects.create(
                organisation_id=organisation_id, conversation_id=conversation_id,
                key=uuid.uuid4(), wanted_seq=last, queued_at=timezone.now(),
            )  # fmt: skip
            enqueue(created.pk)
        return
    if last > registration.wanted_seq:
        registration.wanted_seq = last
        Registration.objects.filter(pk=registration.pk).update(
            wanted_seq=last, updated_at=timezone.now()
        )
    if registration.state == RegistrationState.REGISTERED:
        if last > registration.covered_seq:
            enqueue(do_start_round(registration).pk)
    elif registration.state == RegistrationState.FAILED:
        enqueue(do_requeue(registration).pk)


def do_retry(actor, conversation_id: object) -> Registration:
    """An administrator queues a failed registration again (or one left behind, queued or
    sending STALE_AFTER since its last change); it continues where it stopped."""
    conversation = access_conversation(actor, conversation_id, write=True)
    require_role(
        actor, conversation.organisation_id, RETRIERS,
        _("Only an administrator retries a registration in Open Klant."),
    )  # fmt: skip
    with transaction.atomic():
        registration = (
            Registration.objects.select_for_update().filter(conversation=conversation).first()
        )
        if registration is None:
            raise RegistrationNotFound()
        if registration.state == RegistrationState.REGISTERED:
            raise RegistrationRefused("already_registered")
        if registration.state != RegistrationState.FAILED and (
            registration.updated_at > timezone.now() - STALE_AFTER
        ):
            raise RegistrationRefused("registration_in_progress")
        do_requeue(registration, actor=actor)
        enqueue(registration.pk)
    return registration
