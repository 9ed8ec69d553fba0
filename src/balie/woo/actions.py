"""Every write to a Woo request: registering it, its deadline (extension, suspension), its
status, and the holds it places on what it covers. Woo coordinators write; each change is an
archive event (without the requester's personal data)."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.models import Role
from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.archive.models import Hold, HoldKind, HoldScope
from balie.conversations.actions.errors import ActionError, StateConflict
from balie.records.holds import do_place_hold, do_release_hold
from balie.records.permissions import require_role
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

WRITERS = frozenset({Role.WOO_OFFICER})
_NOT_ALLOWED = _("Only a Woo coordinator registers and handles Woo requests.")

# The status flow: each step forward, or withdrawn from any open status.
NEXT = {
    Status.RECEIVED: {Status.COLLECTING, Status.WITHDRAWN},
    Status.COLLECTING: {Status.ASSESSING, Status.WITHDRAWN},
    Status.ASSESSING: {Status.DECIDED, Status.COLLECTING, Status.WITHDRAWN},
    Status.DECIDED: {Status.PUBLISHED, Status.WITHDRAWN},
    Status.PUBLISHED: set(),
    Status.WITHDRAWN: set(),
}


def _text(value: object, name: str, limit: int, *, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise ActionError("invalid_field", _("%(name)s is required."), params={"name": name})
    value = value.strip()
    if len(value) > limit:
        raise ActionError(
            "invalid_field",
            _("%(name)s is too long (at most %(limit)s characters)."),
            params={"name": name, "limit": limit},
        )
    return value


def _date(value: object, name: str, *, required: bool = True) -> datetime.date | None:
    if value is None and not required:
        return None
    if isinstance(value, datetime.date) and not isinstance(value, datetime.datetime):
        return value
    if isinstance(value, str):
        try:
            return datetime.date.fromisoformat(value)
        except ValueError:
            pass
    raise ActionError(
        "invalid_field", _("%(name)s must be a date (YYYY-MM-DD)."), params={"name": name}
    )


def _event(request: WooRequest, event_type: str, actor, **payload) -> None:
    record_event(
        organisation_id=request.organisation_id,
        event_type=event_type,
        payload={"request": request.pk, "reference": request.reference, **payload},
        actor=actor_ref(actor),
    )


def _require_open(request: WooRequest) -> None:
    if request.status in CLOSED_STATUSES:
        raise StateConflict(
            "request_closed",
            _("Woo request %(reference)s is closed."),
            params={"reference": request.reference},
        )


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
    require_role(actor, organisation_id, WRITERS, _NOT_ALLOWED)
    received = _date(received_on, "received_on")
    if received is not None and received > timezone.localdate():
        raise ActionError("invalid_field", _("A request cannot be received in the future."))
    start, end = (
        _date(period_start, "period_start", required=False),
        _date(period_end, "period_end", required=False),
    )
    if start and end and end < start:
        raise ActionError("invalid_field", _("The period ends before it starts."))
    request = WooRequest(
        organisation_id=organisation_id,
        reference=_text(reference, "reference", 100),
        received_on=received,
        subject=_text(subject, "subject", 500),
        scope=_text(scope, "scope", 10_000, required=False),
        requester_name=_text(requester_name, "requester_name", 200, required=False),
        requester_contact=_text(requester_contact, "requester_contact", 300, required=False),
        period_start=start,
        period_end=end,
        created_by=actor,
    )
    try:
        with transaction.atomic():
            request.save()
            _event(request, "woo.registered", actor, received_on=received.isoformat())
    except IntegrityError:
        raise StateConflict(
            "reference_taken",
            _("There already is a Woo request %(reference)s."),
            params={"reference": request.reference},
        ) from None
    return request


def do_extend(request: WooRequest, *, actor, days: object, reason: object) -> WooRequest:
    """Verdaging: once, at most two weeks, with a recorded reason."""
    require_role(actor, request.organisation_id, WRITERS, _NOT_ALLOWED)
    _require_open(request)
    if request.extension_days:
        raise StateConflict("already_extended", _("The decision term can be extended once."))
    if isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= MAX_EXTENSION:
        raise ActionError(
            "invalid_field",
            _("An extension is 1 to %(limit)s days."),
            params={"limit": MAX_EXTENSION},
        )
    reason = _text(reason, "reason", 2000)
    with transaction.atomic():
        request.extension_days = days
        request.extension_reason = reason
        request.save(update_fields=["extension_days", "extension_reason"])
        _event(request, "woo.extended", actor, days=days, reason=request.extension_reason)
    return request


def do_suspend(request: WooRequest, *, actor, started_on: object, reason: object) -> Suspension:
    """Opschorting: the term stops running until the suspension ends."""
    require_role(actor, request.organisation_id, WRITERS, _NOT_ALLOWED)
    _require_open(request)
    start = _date(started_on, "started_on")
    if request.suspensions.filter(ended_on__isnull=True).exists():
        raise StateConflict("already_suspended", _("The term is already suspended."))
    if start is not None and start < request.received_on:
        raise ActionError("invalid_field", _("A suspension starts after the request came in."))
    reason = _text(reason, "reason", 2000)
    with transaction.atomic():
        suspension = request.suspensions.create(started_on=start, reason=reason)
        _event(request, "woo.suspended", actor, started_on=start.isoformat())
    return suspension


def do_end_suspension(request: WooRequest, *, actor, ended_on: object) -> Suspension:
    require_role(actor, request.organisation_id, WRITERS, _NOT_ALLOWED)
    suspension = request.suspensions.filter(ended_on__isnull=True).first()
    if suspension is None:
        raise StateConflict("not_suspended", _("The term is not suspended."))
    end = _date(ended_on, "ended_on")
    if end is not None and end < suspension.started_on:
        raise ActionError("invalid_field", _("A suspension cannot end before it starts."))
    with transaction.atomic():
        suspension.ended_on = end
        suspension.save(update_fields=["ended_on"])
        _event(request, "woo.resumed", actor, ended_on=end.isoformat())
    return suspension


def do_set_status(request: WooRequest, *, actor, status: object) -> WooRequest:
    """One step in the flow; published or withdrawn closes the request and releases its holds."""
    require_role(actor, request.organisation_id, WRITERS, _NOT_ALLOWED)
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
        _event(request, "woo.status", actor, status=status)
        if status in CLOSED_STATUSES:
            for hold in _active_holds(request):
                do_release_hold(
                    hold, actor=actor, reason=f"Woo-verzoek {request.reference}: {status}"
                )
    return request


def do_add_saved_search(request: WooRequest, *, actor, saved_search_id: object) -> Hold:
    """A saved search belongs to the request's scope: what it finds is held while it is open."""
    require_role(actor, request.organisation_id, WRITERS, _NOT_ALLOWED)
    _require_open(request)
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
