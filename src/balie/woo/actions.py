"""Every write to a Woo request: registering it, its deadline (extension, suspension), its
status, and the holds it places on what it covers. Woo coordinators write; each change is an
archive event (without the requester's personal data)."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.archive.models import Hold, HoldKind, HoldScope
from balie.conversations.actions.errors import ActionError, StateConflict
from balie.records.holds import do_place_hold, do_release_hold
from balie.woo.checks import checked_date, checked_text, record, require_open, require_writer
from balie.woo.deadlines import MAX_EXTENSION
from balie.woo.models import CLOSED_STATUSES, Status, Suspension, WooRequest

__all__ = [
    "do_add_saved_search",
    "do_end_suspension",
    "do_extend",
    "do_register_request",
    "do_set_status",
    "do_suspend",
]

NEXT = {
    Status.RECEIVED: {Status.COLLECTING, Status.WITHDRAWN},
    Status.COLLECTING: {Status.ASSESSING, Status.WITHDRAWN},
    Status.ASSESSING: {Status.DECIDED, Status.COLLECTING, Status.WITHDRAWN},
    Status.DECIDED: {Status.PUBLISHED, Status.WITHDRAWN},
    Status.PUBLISHED: set(),
    Status.WITHDRAWN: set(),
}


def do_register_request(
    organisation_id: int,
    *,
    actor,
    reference: object,
    received_on: object,
    subject: object,
    scope: object = "",
    requester_name: object = "",
    requester_contact: object = "",
    period_start: object = None,
    period_end: object = None,
) -> WooRequest:
    require_writer(actor, organisation_id)
    received = checked_date(received_on, "received_on")
    if received is not None and received > timezone.localdate():
        raise ActionError("invalid_field", _("A request cannot be received in the future."))
    start, end = (
        checked_date(period_start, "period_start", required=False),
        checked_date(period_end, "period_end", required=False),
    )
    if start and end and end < start:
        raise ActionError("invalid_field", _("The period ends before it starts."))
    request = WooRequest(
        organisation_id=organisation_id,
        reference=checked_text(reference, "reference", 100),
        received_on=received,
        subject=checked_text(subject, "subject", 500),
        scope=checked_text(scope, "scope", 10_000, required=False),
        requester_name=checked_text(requester_name, "requester_name", 200, required=False),
        requester_contact=checked_text(requester_contact, "requester_contact", 300, required=False),
        period_start=start,
        period_end=end,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            request.save()
            record(request, "woo.registered", actor, received_on=received.isoformat())
    except IntegrityError:
        raise StateConflict(
            "reference_taken",
            _("There already is a Woo request %(reference)s."),
            params={"reference": request.reference},
        ) from None
    return request


def do_extend(request: WooRequest, *, actor, days: object, reason: object) -> WooRequest:
    """Verdaging: once, at most two weeks, with a recorded reason."""
    require_writer(actor, request.organisation_id)
    require_open(request)
    if request.extension_days:
        raise StateConflict("already_extended", _("The decision term can be extended once."))
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION:
        raise ActionError(
            "invalid_field",
            _("An extension is 1 to %(limit)s days."),
            params={"limit": MAX_EXTENSION},
        )
    reason = checked_text(reason, "reason", 2000)
    with transaction.atomic():
        request.extension_days = days
        request.extension_reason = reason
        request.save(update_fields=["extension_days", "extension_reason"])
        record(request, "woo.extended", actor, days=days, reason=request.extension_reason)
    return request


def do_suspend(request: WooRequest, *, actor, started_on: object, reason: object) -> Suspension:
    """Opschorting: the term stops running until the suspension ends."""
    require_writer(actor, request.organisation_id)
    require_open(request)
    start = checked_date(started_on, "started_on")
    if request.suspensions.filter(ended_on__isnull=True).exists():
        raise StateConflict("already_suspended", _("The term is already suspended."))
    if start is not None and start < request.received_on:
        raise ActionError("invalid_field", _("A suspension starts after the request came in."))
    reason = checked_text(reason, "reason", 2000)
    with transaction.atomic():
        suspension = request.suspensions.create(started_on=start, reason=reason)
        record(request, "woo.suspended", actor, started_on=start.isoformat())
    return suspension


def do_end_suspension(request: WooRequest, *, actor, ended_on: object) -> Suspension:
    require_writer(actor, request.organisation_id)
    suspension = request.suspensions.filter(ended_on__isnull=True).first()
    if suspension is None:
        raise StateConflict("not_suspended", _("The term is not suspended."))
    end = checked_date(ended_on, "ended_on")
    if end is not None and end < suspension.started_on:
        raise ActionError("invalid_field", _("A suspension cannot end before it starts."))
    with transaction.atomic():
        suspension.ended_on = end
        suspension.save(update_fields=["ended_on"])
        record(request, "woo.resumed", actor, ended_on=end.isoformat())
    return suspension


def do_set_status(request: WooRequest, *, actor, status: object) -> WooRequest:
    """One step in the flow; published or withdrawn closes the request and releases its holds."""
    require_writer(actor, request.organisation_id)
    if status not in Status.values:
        raise ActionError(
            "invalid_field",
            _("%(name)s is one of: %(choices)s."),
            params={"name": "status", "choices": ", ".join(Status.values)},
        )
    if status not in NEXT[Status(request.status)]:
        raise StateConflict(
            "invalid_transition",
            _("A request that is %(current)s cannot become %(new)s."),
            params={"current": request.status, "new": status},
        )
    with transaction.atomic():
        request.status = status
        fields = ["status"]
        if status == Status.DECIDED:
            request.decided_on = timezone.localdate()
            fields.append("decided_on")
        if status in CLOSED_STATUSES:
            request.closed_at = timezone.now()
            fields.append("closed_at")
        request.save(update_fields=fields)
        record(request, "woo.status", actor, status=status)
        if status in CLOSED_STATUSES:
            for hold in _active_holds(request):
                do_release_hold(
                    hold, actor=actor, reason=f"Woo-verzoek {request.reference}: {status}"
                )
    return request


def do_add_saved_search(request: WooRequest, *, actor, saved_search_id: object) -> Hold:
    """A saved search belongs to the request's scope: what it finds is held while it is open."""
    require_writer(actor, request.organisation_id)
    require_open(request)
    return do_place_hold(
        request.organisation_id,
        actor=actor,
        kind=HoldKind.WOO,
        scope=HoldScope.SAVED_SEARCH,
        target_id=saved_search_id,
        reference=request.reference,
        reason=f"Woo-verzoek {request.reference}: {request.subject}"[:2000],
    )


def _active_holds(request: WooRequest):
    return Hold.objects.for_organisation(request.organisation_id).filter(
        kind=HoldKind.WOO, reference=request.reference, released_at__isnull=True
    )
