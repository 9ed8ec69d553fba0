"""What becomes of a delivery: claimed for an attempt, delivered, tried again later, or
failed; and the texts that say why, in the reader's language.

A claim is one conditional UPDATE: the delivery must be pending and due. It counts the
attempt and moves ``next_attempt_at`` on by :data:`LEASE`, so no other worker takes it
meanwhile; a worker that stops during the attempt leaves it pending, and it is due again
when the lease has run out (the sender picks up such deliveries, see ``tasks``). The outcome
is written only while the claim is still the latest (the attempt count is unchanged).
"""

from __future__ import annotations

import datetime

from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.integrations.webhooks.models import Delivery, DeliveryState, Subscription
from balie.integrations.webhooks.sending import Outcome
from balie.tenants.secrets import unseal

__all__ = [
    "LEASE",
    "do_claim",
    "do_postpone",
    "do_prune_deliveries",
    "do_record_outcome",
    "error_text",
    "secrets_of",
]

LEASE = datetime.timedelta(minutes=5)
KEPT = datetime.timedelta(days=90)  # how long the delivery log keeps what is done
ERROR_LIMIT = 300

ERRORS = {
    "refused": _("The receiver answered with status %(status)s."),
    "redirect": _(
        "The receiver answered with a redirect (%(status)s); redirects are not followed."
    ),
    "timeout": _("The receiver did not answer in time."),
    "unreachable": _("The receiver could not be reached."),
    "tls": _("The receiver's TLS connection was refused (its certificate, for one)."),
    "address_refused": _("The receiver's address points into a private or internal network."),
    "disabled": _("The subscription is switched off."),
    "secret_unreadable": _("The signing secret can no longer be read: rotate it."),
    "internal": _("Sending stopped on an unexpected error."),
}


def error_text(code: str, status: int | None) -> str:
    """The stored failure as a sentence in the active language ("" when there is none)."""
    if not code:
        return ""
    return str(ERRORS.get(code, ERRORS["internal"])) % {"status": status or "-"}


def secrets_of(subscription: Subscription) -> list[str]:
    """The secrets to sign with now: the current one, and the previous one while the
    rotation's overlap lasts. ``SecretUnreadable`` when one no longer opens."""
    found = [unseal(subscription.secret)]
    until = subscription.previous_until
    if subscription.previous_secret and until is not None and until > timezone.now():
        found.append(unseal(subscription.previous_secret))
    return found


def do_claim(delivery_id: int) -> Delivery | None:
    """Take a pending, due delivery for one attempt; None when it is not (delivered, failed,
    not yet due, or another worker has it)."""
    now = timezone.now()
    claimed = Delivery.objects.filter(
        pk=delivery_id, state=DeliveryState.PENDING, next_attempt_at__lte=now
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + LEASE, last_attempt_at=now)
    if not claimed:
        return None
    return Delivery.objects.select_related("subscription").filter(pk=delivery_id).first()


def do_record_outcome(
    delivery: Delivery, outcome: Outcome, *, retry_at: datetime.datetime | None
) -> bool:
    """Store the attempt's outcome: delivered, pending again until ``retry_at``, or failed
    (not delivered and no ``retry_at``). False when another claim took over meanwhile."""
    now = timezone.now()
    if outcome.delivered:
        state, next_at, delivered_at = DeliveryState.DELIVERED, None, now
    elif retry_at is not None:
        state, next_at, delivered_at = DeliveryState.PENDING, retry_at, None
    else:
        state, next_at, delivered_at = DeliveryState.FAILED, None, None
    fields = {
        "state": state,
        "next_attempt_at": next_at,
        "last_status": outcome.status,
        "error_code": outcome.code[:40],
        "last_error": outcome.detail[:ERROR_LIMIT],
    }
    if delivered_at is not None:
        fields["delivered_at"] = delivered_at
    written = Delivery.objects.filter(
        pk=delivery.pk, state=DeliveryState.PENDING, attempts=delivery.attempts
    ).update(**fields)
    for name, value in fields.items():
        setattr(delivery, name, value)
    return bool(written)


def do_postpone(delivery_ids: list[int], until: datetime.datetime) -> list[int]:
    """Put off pending, due deliveries without counting an attempt (their receiver is down);
    the ids that were put off."""
    due = Delivery.objects.filter(
        pk__in=delivery_ids, state=DeliveryState.PENDING, next_attempt_at__lte=timezone.now()
    )
    ids = list(due.order_by("pk").values_list("pk", flat=True))
    Delivery.objects.filter(pk__in=ids).update(next_attempt_at=until)
    return ids


def do_prune_deliveries() -> int:
    """Remove deliveries done (delivered or failed) more than :data:`KEPT` ago from the log;
    how many. They hold references only: the archive keeps the events themselves."""
    old = Delivery.objects.filter(created_at__lt=timezone.now() - KEPT).exclude(
        state=DeliveryState.PENDING
    )
    removed, _by_model = old.delete()
    return removed
