"""Reading Woo requests: scoped to the organisation, for Woo coordinators and auditors; the
requester's data only for Woo coordinators."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import Role
from balie.archive.models import Hold, HoldKind
from balie.records.permissions import RecordsNotAllowed
from balie.woo.deadlines import Deadline, decision_deadline
from balie.woo.models import WooRequest

__all__ = ["RequestView", "deadline_of", "list_requests"]

READERS = frozenset({Role.WOO_OFFICER, Role.AUDITOR})
REQUESTER_READERS = frozenset({Role.WOO_OFFICER})


@dataclass(frozen=True)
class RequestView:
    request: WooRequest
    deadline: Deadline
    overdue: bool
    holds: int  # active holds placed for it
    show_requester: bool


def deadline_of(request: WooRequest) -> Deadline:
    return decision_deadline(
        request.received_on,
        extension_days=request.extension_days,
        suspensions=[(s.started_on, s.ended_on) for s in request.suspensions.all()],
    )


def _view(request: WooRequest, today: datetime.date, show_requester: bool) -> RequestView:
    deadline = deadline_of(request)
    overdue = (
        request.is_open
        and request.decided_on is None
        and deadline.due is not None
        and (deadline.due < today)
    )
    holds = Hold.objects.filter(
        organisation_id=request.organisation_id,
        kind=HoldKind.WOO,
        reference=request.reference,
        released_at__isnull=True,
    ).count()
    return RequestView(request, deadline, overdue, holds, show_requester)


def list_requests(actor, organisation_id: int, *, today: datetime.date | None = None):
    """The organisation's requests, the first due first (suspended ones last)."""
    who = Actor.of(actor)
    if actor is not None and not who.has_role(organisation_id, READERS):
        raise RecordsNotAllowed(_("Only Woo coordinators and auditors see Woo requests."))
    show = actor is not None and who.has_role(organisation_id, REQUESTER_READERS)
    today = today or timezone.localdate()
    requests = WooRequest.objects.for_organisation(organisation_id).prefetch_related("suspensions")
    views = [_view(r, today, show) for r in requests]
    return sorted(views, key=lambda v: (v.deadline.due is None, v.deadline.due or today))
