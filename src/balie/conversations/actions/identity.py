"""A resident who logged in with DigiD (accounts.residents): their contact, and their web
chats linked to it, so that they see their history on any device.

The contact is found by the organisation's keyed digest of the BSN (accounts.bsn); the BSN
itself is stored only sealed (tenants.secrets). Archive events say that a contact was
identified and that a conversation was linked to it: never the BSN, nor its digest.
"""

from __future__ import annotations

from functools import partial

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from balie.accounts.bsn import bsn_digest, bsn_problem
from balie.archive.actions import record_event
from balie.archive.actors import ActorRef
from balie.conversations import events
from balie.conversations.actions.errors import ActionError, StateConflict
from balie.conversations.models import Channel, Contact, Conversation
from balie.tenants.secrets import seal

__all__ = ["do_identify_resident", "do_link_conversation"]

RESIDENT = ActorRef("resident")


def do_identify_resident(organisation_id: int, *, bsn: str, method: str, acr: str) -> Contact:
    """The organisation's contact of the resident with ``bsn``: found by its digest, or made
    (the BSN sealed). ``method`` says how they logged in (``digid``), ``acr`` at what level;
    both go into the archive event ``contact.identified``, with the contact's id only."""
    if bsn_problem(bsn) is not None:
        raise ActionError("invalid_bsn", _("This is not a valid citizen service number."))
    digest = bsn_digest(organisation_id, bsn)
    found = Contact.objects.filter(organisation_id=organisation_id, bsn_digest=digest).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            contact = Contact.objects.create(
                organisation_id=organisation_id,
                bsn_sealed=seal(bsn),
                bsn_digest=digest,
                identified_at=timezone.now(),
            )
            record_event(
                organisation_id=organisation_id,
                event_type="contact.identified",
                payload={"contact": contact.pk, "method": method, "acr": acr[:200]},
                actor=RESIDENT,
            )
    except IntegrityError:  # the same resident, logging in on two devices at once
        return Contact.objects.get(organisation_id=organisation_id, bsn_digest=digest)
    return contact


def do_link_conversation(conversation: Conversation, contact: Contact) -> Conversation:
    """Make ``contact`` (an identified resident) the contact of their own web chat
    ``conversation``, whose device token they showed. A web chat already linked to another
    identified resident stays theirs (:class:`StateConflict`)."""
    if conversation.organisation_id != contact.organisation_id or not contact.bsn_digest:
        raise StateConflict("not_identified", _("This login does not belong here."))
    if conversation.channel != Channel.WEBCHAT:
        raise StateConflict("not_webchat", _("Only web chats can be linked to a login."))
    if conversation.contact_id == contact.pk:
        return conversation
    with transaction.atomic():
        locked = (
            Conversation.objects.select_for_update()
            .select_related("contact")
            .get(pk=conversation.pk)
        )
        if locked.contact.bsn_digest and locked.contact_id != contact.pk:
            raise StateConflict(
                "linked_to_someone_else",
                _("This conversation belongs to someone else who logged in."),
            )
        previous = locked.contact_id
        Conversation.objects.filter(pk=locked.pk).update(contact=contact)
        record_event(
            organisation_id=locked.organisation_id,
            conversation_id=locked.pk,
            event_type="conversation.identified",
            payload={"contact": contact.pk, "previous_contact": previous},
            actor=RESIDENT,
        )
        conversation = Conversation.objects.select_related(
            "contact", "assignee", "team", "organisation"
        ).get(pk=locked.pk)
        transaction.on_commit(partial(events.publish_conversation, conversation))
    return conversation
