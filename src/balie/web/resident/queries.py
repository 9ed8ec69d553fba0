"""Read helpers for the resident views, built on the conversation selectors.

Candidates for ``conversations.selectors`` / ``tenants`` once another caller needs them;
until then they live here so the views stay free of queries.
"""

from __future__ import annotations

from balie.conversations import selectors
from balie.conversations.models import Attachment, Conversation
from balie.tenants.models import Organisation


def organisation_by_slug(slug: str) -> Organisation | None:
    return Organisation.objects.filter(slug=slug).first()


def resident_attachment_by_id(attachment_id: int) -> Attachment:
    """An attachment a resident may fetch by a signed link: never a note's or a staff draft's.

    Raises ``selectors.ConversationNotFound`` otherwise, like every other miss.
    """
    conversation = (
        Conversation.objects.select_related("organisation")
        .filter(attachments__pk=attachment_id)
        .first()
    )
    if conversation is None:
        raise selectors.ConversationNotFound(attachment_id)
    return selectors.resident_attachment(conversation, attachment_id)
