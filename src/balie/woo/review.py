"""Collecting documents for a request and reviewing them: the detector's proposals, the
reviewer's own redactions, "this string everywhere", and the decision per document. Woo
coordinators write; each step is an archive event (counts and ids, never the redacted text)."""

from __future__ import annotations

import re
from collections.abc import Iterable

from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext_lazy as _

from balie.archive.models import HoldKind, HoldScope
from balie.conversations.actions.errors import ActionError, StateConflict
from balie.conversations.models import Conversation, Direction, Message
from balie.pii import CATEGORIES, Context, Participant, detect_all
from balie.records.holds import do_place_hold
from balie.search.selectors import conversation_ids_matching
from balie.tenants.privacy import privacy_context
from balie.woo.checks import checked_text, record, require_open, require_writer
from balie.woo.events import publish_document, publish_redactions
from balie.woo.models import Decision, Document, Redaction, RedactionState, WooRequest

__all__ = [
    "REDACTION_CATEGORIES",
    "conversations_found_by",
    "do_add_redaction",
    "do_collect",
    "do_decide_document",
    "do_propose_redactions",
    "do_redact_everywhere",
    "do_review_redaction",
    "messages_of",
    "progress_of",
]

# What a redaction may be: a category of the detector, or "other" (chosen by a reviewer).
REDACTION_CATEGORIES: tuple[str, ...] = (*CATEGORIES, "other")
GROUND = re.compile(r"^5\.\d\.\d[a-z]?$")  # a Woo article: 5.1.1e, 5.1.2e, 5.2


def conversations_found_by(saved_search) -> list[int]:
    """What a saved search finds in the whole organisation, oldest conversation first."""
    return sorted(conversation_ids_matching(saved_search, whole_organisation=True))


def messages_of(document: Document) -> list[Message]:
    return list(
        Message.objects.filter(conversation_id=document.conversation_id, deleted_at__isnull=True)
        .exclude(body="")
        .exclude(direction=Direction.SYSTEM)  # "Status: Gesloten" is no one's message
        .order_by("created_at", "pk")
    )


def progress_of(request: WooRequest) -> dict[str, int]:
    """How far the review is: documents in the request, decided, proposals still open."""
    documents = request.documents.all()
    return {
        "documents": documents.count(),
        "decided": documents.exclude(decision="").count(),
        "proposed": Redaction.objects.filter(
            document__request=request, state=RedactionState.PROPOSED
        ).count(),
    }


def do_collect(
    request: WooRequest, *, actor, conversation_ids: Iterable[object], found_by: object
) -> list[Document]:
    """Add conversations as documents, numbered in the order they come; one already in the
    request keeps its number (duplicates across searches are merged). Each is held."""
    require_writer(actor, request.organisation_id)
    require_open(request)
    how = checked_text(found_by, "found_by", 500)
    ids = []
    for value in conversation_ids:
        if isinstance(value, bool) or not isinstance(value, int):
            raise ActionError("invalid_field", _("Conversations are given by their ids."))
        ids.append(value)
    found = set(
        Conversation.objects.for_organisation(request.organisation_id)
        .filter(pk__in=ids)
        .values_list("pk", flat=True)
    )
    if set(ids) - found:
        raise ActionError("invalid_target", _("This conversation does not exist."))
    with transaction.atomic():
        have = set(request.documents.values_list("conversation_id", flat=True))
        number = request.documents.aggregate(top=Max("number"))["top"] or 0
        added = []
        for pk in dict.fromkeys(ids):
            if pk in have:
                continue
            number += 1
            added.append(
                Document.objects.create(
                    request=request, number=number, conversation_id=pk, found_by=how,
                    added_by=actor,
                )
            )  # fmt: skip
            do_place_hold(
                request.organisation_id, actor=actor, kind=HoldKind.WOO,
                scope=HoldScope.CONVERSATION, target_id=pk, reference=request.reference,
                reason=f"Woo-verzoek {request.reference}, document {number}",
            )  # fmt: skip
        record(request, "woo.collected", actor, documents=[d.number for d in added], found_by=how)
    return added


def do_propose_redactions(request: WooRequest, *, actor) -> int:
    """Run the detector over every message of the request at once (a string found in one
    document is found in all) and keep its proposals; existing ones stay as reviewed."""
    require_writer(actor, request.organisation_id)
    require_open(request)
    documents = list(request.documents.select_related("conversation__contact"))
    pairs = [(document, message) for document in documents for message in messages_of(document)]
    contacts = {d.conversation.contact for d in documents if d.conversation.contact_id}
    participants = Context(
        participants=tuple(Participant(name=c.name, phone=c.phone, email=c.email) for c in contacts)
    )
    context = privacy_context(request.organisation).merged(participants)
    spans = detect_all([m.body for _, m in pairs], context)
    existing = set(
        Redaction.objects.filter(document__request=request).values_list(
            "document_id", "message_id", "start", "end"
        )
    )
    new = [
        Redaction(
            document=document,
            message=message,
            start=s.start,
            end=s.end,
            category=s.category,
            ground=s.ground,
            source=s.source,
        )  # fmt: skip
        for (document, message), found in zip(pairs, spans, strict=True)
        for s in found
        if (document.pk, message.pk, s.start, s.end) not in existing
    ]
    with transaction.atomic():
        Redaction.objects.bulk_create(new)
        record(request, "woo.proposed", actor, proposals=len(new))
        publish_redactions(request.pk, new, progress_of(request))
    return len(new)


def _ground(value: object) -> str:
    if not isinstance(value, str) or not GROUND.match(value):
        raise ActionError("invalid_field", _("A ground is a Woo article, like 5.1.2e."))
    return value


def do_review_redaction(
    redaction: Redaction, *, actor, state: object, ground: object = None
) -> Redaction:
    """Accept or reject a proposal, or change its ground: the last change wins."""
    request = redaction.document.request
    require_writer(actor, request.organisation_id)
    require_open(request)
    if state not in RedactionState.values:
        raise ActionError("invalid_field", _("A redaction is proposed, accepted or rejected."))
    redaction.state = state
    if ground is not None:
        redaction.ground = _ground(ground)
    redaction.updated_by = actor
    with transaction.atomic():
        redaction.save(update_fields=["state", "ground", "updated_by", "updated_at"])
        record(request, "woo.reviewed", actor, redaction=redaction.pk, state=state)
        publish_redactions(request.pk, [redaction], progress_of(request))
    return redaction


def do_add_redaction(
    document: Document, *, actor, message_id: object, start: object, end: object, ground: object
) -> Redaction:
    """A redaction the reviewer marks by selecting text."""
    request = document.request
    require_writer(actor, request.organisation_id)
    require_open(request)
    message = next((m for m in messages_of(document) if m.pk == message_id), None)
    if message is None:
        raise ActionError("invalid_target", _("This message is not in the document."))
    if (
        not isinstance(start, int)
        or not isinstance(end, int)
        or isinstance(start, bool)
        or isinstance(end, bool)
        or not 0 <= start < end <= len(message.body)
    ):
        raise ActionError("invalid_field", _("The selection is not within the message."))
    with transaction.atomic():
        redaction, _created = Redaction.objects.update_or_create(
            document=document, message=message, start=start, end=end,
            defaults={"category": "other", "ground": _ground(ground), "source": "reviewer",
                      "state": RedactionState.ACCEPTED, "updated_by": actor},
        )  # fmt: skip
        record(request, "woo.redacted", actor, redaction=redaction.pk)
        publish_redactions(request.pk, [redaction], progress_of(request))
    return redaction


def do_redact_everywhere(request: WooRequest, *, actor, text: object, ground: object) -> int:
    """Black out this string wherever it occurs in the request's documents (as a word)."""
    require_writer(actor, request.organisation_id)
    require_open(request)
    needle = checked_text(text, "text", 200)
    ground = _ground(ground)
    pattern = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)", re.IGNORECASE)
    changed = []
    with transaction.atomic():
        for document in request.documents.all():
            for message in messages_of(document):
                for m in pattern.finditer(message.body):
                    redaction, _created = Redaction.objects.update_or_create(
                        document=document, message=message, start=m.start(), end=m.end(),
                        defaults={"category": "other", "ground": ground, "source": "everywhere",
                                  "state": RedactionState.ACCEPTED, "updated_by": actor},
                    )  # fmt: skip
                    changed.append(redaction)
        record(request, "woo.redacted_everywhere", actor, count=len(changed), ground=ground)
        publish_redactions(request.pk, changed, progress_of(request))
    return len(changed)


def do_decide_document(
    document: Document, *, actor, decision: object, grounds: object = (), explanation: object = ""
) -> Document:
    request = document.request
    require_writer(actor, request.organisation_id)
    require_open(request)
    if decision not in Decision.values:
        raise ActionError(
            "invalid_field",
            _("%(name)s is one of: %(choices)s."),
            params={"name": "decision", "choices": ", ".join(Decision.values)},
        )
    if not isinstance(grounds, list | tuple):
        raise ActionError("invalid_field", _("A ground is a Woo article, like 5.1.2e."))
    chosen = sorted({_ground(g) for g in grounds})
    if decision in (Decision.PARTLY_PUBLIC, Decision.NOT_PUBLIC) and not chosen:
        raise StateConflict("grounds_required", _("Name the grounds for what is withheld."))
    document.decision = decision
    document.grounds = chosen
    document.explanation = checked_text(explanation, "explanation", 2000, required=False)
    with transaction.atomic():
        document.save(update_fields=["decision", "grounds", "explanation"])
        record(request, "woo.decided", actor, document=document.number, decision=decision)
        publish_document(document, progress_of(request))
    return document
