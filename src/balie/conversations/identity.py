"""Reads about residents who logged in with DigiD (conversations.actions.identity).

For the resident: their own contact, their history with the organisation and one earlier
conversation of it, read-only (only what residents may see of it). For staff: whether the
contact is identified (everyone who sees the conversation sees that), and the BSN itself
only where the organisation allows it (``ResidentSignOn.show_bsn_to_agents``), each showing
written to the audit log of reads.
"""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from balie.accounts.actors import Actor
from balie.accounts.models import ResidentSignOn
from balie.archive.audit import record_read
from balie.conversations.actions.checks import id_from_outside
from balie.conversations.models import RESIDENT_VISIBLE, Contact, Conversation, Message
from balie.conversations.selectors import (
    ConversationNotFound,
    NotAllowed,
    access_conversation,
    can_write,
)
from balie.tenants.secrets import unseal

__all__ = [
    "contact_identity",
    "identified_contact",
    "opening_details",
    "resident_conversation",
    "resident_history",
    "resident_messages",
    "reveal_bsn",
]

HISTORY_LIMIT = 50
METHOD = "digid"


def identified_contact(organisation_id: int, contact_id: object) -> Contact | None:
    """The organisation's identified contact ``contact_id`` (from the resident's session)."""
    parsed = id_from_outside(contact_id)
    if parsed is None:
        return None
    return (
        Contact.objects.filter(organisation_id=organisation_id, pk=parsed)
        .exclude(bsn_digest="")
        .first()
    )


def resident_history(contact: Contact) -> list[Conversation]:
    """The resident's conversations with the organisation, newest first (not destroyed)."""
    return list(
        Conversation.objects.for_organisation(contact.organisation_id)
        .filter(contact=contact, destroyed_at__isnull=True)
        .order_by("-created_at", "-id")[:HISTORY_LIMIT]
    )


def resident_conversation(contact: Contact, conversation_id: object) -> Conversation:
    """One of the resident's own conversations; another's is not found, as nothing is."""
    parsed = id_from_outside(conversation_id)
    found = (
        Conversation.objects.for_organisation(contact.organisation_id)
        .filter(contact=contact, pk=parsed, destroyed_at__isnull=True)
        .first()
        if parsed is not None
        else None
    )
    if found is None:
        raise ConversationNotFound(conversation_id)
    return found


def resident_messages(conversation: Conversation) -> QuerySet[Message]:
    """What the resident saw of the conversation: their and the agents' messages."""
    return (
        Message.objects.filter(conversation=conversation, direction__in=RESIDENT_VISIBLE)
        .select_related("author")
        .prefetch_related("attachments")
        .order_by("seq")
    )


def _sign_on(organisation_id: int) -> ResidentSignOn | None:
    return ResidentSignOn.objects.for_organisation(organisation_id).first()


def contact_identity(conversation: Conversation) -> dict[str, Any] | None:
    """For the console's conversation pane: how the contact was identified, and whether the
    organisation lets agents show the BSN (never the BSN itself)."""
    contact = conversation.contact
    if not contact.bsn_digest or contact.identified_at is None:
        return None
    sign_on = _sign_on(conversation.organisation_id)
    return {
        "method": METHOD,
        "label": str(_("Identified with DigiD")),
        "identified_at": contact.identified_at.isoformat(),
        "bsn_shown_on_request": bool(sign_on and sign_on.show_bsn_to_agents),
    }


def opening_details(conversation: Conversation) -> dict[str, Any]:
    """``contact_identity`` for the console's pane (followers.register_opening_details)."""
    return {"contact_identity": contact_identity(conversation)}


def reveal_bsn(actor, conversation_id: object) -> str:
    """The BSN of the conversation's contact, for a person who handles the conversation,
    when the organisation lets agents see it; each call is an audit entry
    (``contact.bsn_read``)."""
    who = Actor.of(actor)
    conversation = access_conversation(who, conversation_id, audit=False)
    contact = conversation.contact
    sign_on = _sign_on(conversation.organisation_id)
    if not contact.bsn_sealed or sign_on is None or not sign_on.show_bsn_to_agents:
        raise ConversationNotFound(conversation_id)
    if not can_write(who, conversation.organisation_id):
        raise NotAllowed(_("Only people who handle conversations may see the BSN."))
    bsn = unseal(contact.bsn_sealed)
    record_read(
        actor,
        organisation_id=conversation.organisation_id,
        action="contact.bsn_read",
        object_type="contact",
        object_id=contact.pk,
        detail={"conversation": conversation.pk},
    )
    return bsn
