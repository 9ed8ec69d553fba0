"""What reviewers of one Woo request see live: a redaction changed, a document decided.

Everyone with a request's review page open is in its group (the console's review socket in
``balie.web.console.woo_live`` joins it after checking the role). Events carry positions,
states and grounds, never the text under a redaction: the page already has the messages.
They go out through the one ``send_event`` after the transaction commits, so nobody sees a
change that was rolled back. The shapes are documented in ``docs/realtime.md``.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from balie.conversations.events import send_event
from balie.woo.models import Document, Redaction

__all__ = [
    "MAX_REDACTIONS_PER_EVENT",
    "document_payload",
    "publish_document",
    "publish_redactions",
    "redaction_payload",
    "review_group",
]

# More changes than this in one action (a first proposal run over a large request) become a
# ``woo.changed`` event: the page fetches the document again instead.
MAX_REDACTIONS_PER_EVENT = 500


def review_group(request_id: int) -> str:
    return f"woo-{request_id}-review"


def redaction_payload(redaction: Redaction) -> dict[str, Any]:
    who = redaction.updated_by
    return {
        "id": redaction.pk,
        "document": redaction.document.number,
        "message": redaction.message_id,
        "start": redaction.start,
        "end": redaction.end,
        "category": redaction.category,
        "ground": redaction.ground,
        "source": redaction.source,
        "state": redaction.state,
        "updated_by": (who.get_full_name() or who.get_username()) if who else None,
        "updated_at": redaction.updated_at.isoformat() if redaction.updated_at else None,
    }


def document_payload(document: Document) -> dict[str, Any]:
    return {
        "number": document.number,
        "decision": document.decision,
        "grounds": list(document.grounds),
        "explanation": document.explanation,
    }


def publish_redactions(
    request_id: int, redactions: Iterable[Redaction], progress: dict[str, int]
) -> None:
    """After commit: the changed redactions, and the request's progress, to everyone
    reviewing the request."""
    changed = list(redactions)
    if not changed:
        return
    if len(changed) > MAX_REDACTIONS_PER_EVENT:
        numbers = sorted({r.document.number for r in changed})
        event: dict[str, Any] = {"type": "woo.changed", "documents": numbers}
    else:
        event = {"type": "woo.redactions", "redactions": [redaction_payload(r) for r in changed]}
    event["progress"] = progress
    transaction.on_commit(lambda: send_event(event, [review_group(request_id)]))


def publish_document(document: Document, progress: dict[str, int]) -> None:
    """After commit: a document's decision, and the progress, to everyone reviewing."""
    event = {"type": "woo.document", "document": document_payload(document), "progress": progress}
    transaction.on_commit(lambda: send_event(event, [review_group(document.request_id)]))
