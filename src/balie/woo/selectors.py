"""Reading Woo requests: scoped to the organisation, for Woo coordinators and auditors; the
requester's data only for Woo coordinators."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import Role
from balie.archive.audit import record_read
from balie.archive.models import Hold, HoldKind
from balie.conversations.actions.checks import id_from_outside
from balie.errors import NotFound
from balie.records.permissions import RecordsNotAllowed
from balie.woo.deadlines import Deadline, decision_deadline
from balie.woo.events import document_payload, redaction_payload
from balie.woo.models import Document, Redaction, WooRequest
from balie.woo.review import messages_of

__all__ = [
    "RequestView",
    "access_request",
    "deadline_of",
    "document_for_review",
    "document_of",
    "list_requests",
    "readable_organisations",
    "redaction_of",
    "view_of",
]

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


NOT_A_READER = _("Only Woo coordinators and auditors see Woo requests.")


def _require_reader(actor, organisation_id: int) -> None:
    if actor is not None and not Actor.of(actor).has_role(organisation_id, READERS):
        raise RecordsNotAllowed(NOT_A_READER)


def list_requests(actor, organisation_id: int, *, today: datetime.date | None = None):
    """The organisation's requests, the first due first (suspended ones last)."""
    who = Actor.of(actor)
    _require_reader(actor, organisation_id)
    show = actor is not None and who.has_role(organisation_id, REQUESTER_READERS)
    today = today or timezone.localdate()
    requests = WooRequest.objects.for_organisation(organisation_id).prefetch_related("suspensions")
    views = [_view(r, today, show) for r in requests]
    return sorted(views, key=lambda v: (v.deadline.due is None, v.deadline.due or today))


def view_of(actor, request: WooRequest, *, today: datetime.date | None = None) -> RequestView:
    """One request as its reader may see it (the requester only for Woo coordinators)."""
    _require_reader(actor, request.organisation_id)
    show = actor is None or Actor.of(actor).has_role(request.organisation_id, REQUESTER_READERS)
    return _view(request, today or timezone.localdate(), show)


def access_request(actor, request_id: object) -> WooRequest:
    """The request with this id if ``actor`` reads it; another organisation's request is
    not found, as if it did not exist."""
    found = WooRequest.objects.filter(pk=id_from_outside(request_id) or 0).first()
    if found is None or (
        actor is not None and not Actor.of(actor).has_role(found.organisation_id, READERS)
    ):
        raise NotFound("not_found", _("This Woo request does not exist."))
    return found


def readable_organisations(actor) -> list[int]:
    """The organisations whose Woo requests ``actor`` reads (none for an API key)."""
    return Actor.of(actor).organisations(READERS) if Actor.of(actor).is_person else []


def document_of(request: WooRequest, number: object) -> Document:
    """The request's document with this number (from a URL or a body), or NotFound."""
    found = request.documents.filter(number=id_from_outside(number) or 0).first()
    if found is None:
        raise NotFound("not_found", _("This document is not in the request."))
    return found


def redaction_of(request: WooRequest, redaction_id: object) -> Redaction:
    """A redaction in one of the request's documents, or NotFound (another request's
    redaction is not found either)."""
    found = (
        Redaction.objects.filter(pk=id_from_outside(redaction_id) or 0, document__request=request)
        .select_related("document__request", "updated_by")
        .first()
    )
    if found is None:
        raise NotFound("not_found", _("This redaction does not exist."))
    return found


def document_for_review(actor, request: WooRequest, number: object) -> dict:
    """A document with its messages and every redaction (rejected ones too, so a reviewer
    sees what was turned down), for the review page and the API. The read is audited."""
    _require_reader(actor, request.organisation_id)
    document = (
        Document.objects.filter(request=request, number=id_from_outside(number) or 0)
        .select_related("conversation", "request")
        .first()
    )
    if document is None:
        raise NotFound("not_found", _("This document is not in the request."))
    record_read(
        actor, organisation_id=request.organisation_id, action="woo.document",
        object_type="conversation", object_id=document.conversation_id,
        detail={"reference": request.reference, "document": document.number},
    )  # fmt: skip
    messages = messages_of(document)
    redactions = document.redactions.select_related("updated_by", "document").order_by(
        "message_id", "start", "end", "pk"
    )
    return {
        "reference": request.reference,
        "document": {**document_payload(document), "conversation": document.conversation_id},
        "messages": [
            {
                "id": m.pk,
                "direction": m.direction,
                "author": m.author_name or (m.author.get_full_name() if m.author else ""),
                "created_at": m.created_at.isoformat(),
                "body": m.body,
            }
            for m in messages
        ],
        "redactions": [redaction_payload(r) for r in redactions],
    }
