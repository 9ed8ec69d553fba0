"""Starting a conversation that a resident opened on an external channel (WhatsApp, SMS,
e-mail): the channel adapters (``balie.connectors``) call this when a resident writes for
the first time, or again after their last conversation was closed."""

from __future__ import annotations

from functools import partial

from django.db import transaction

from balie.archive.actions import record_event
from balie.archive.actors import ActorRef
from balie.conversations import events, followers
from balie.conversations.actions.routing import route_conversation
from balie.conversations.models import Channel, Contact, Conversation, Team
from balie.tenants.models import Organisation

__all__ = ["do_start_conversation"]


def do_start_conversation(
    organisation: Organisation,
    *,
    channel: str,
    name: str = "",
    phone: str = "",
    email: str = "",
    language: str = "nl",
) -> Conversation:
    """A new conversation on ``channel`` in the default team, with the contact holding what
    the channel says of the resident: the organisation's contact with the same phone number
    or e-mail address when there is one (so the agent sees the resident's earlier
    conversations beside this one), else a new contact."""
    channel = Channel(channel)
    if channel == Channel.WEBCHAT:
        raise ValueError("a web chat starts with do_start_webchat")
    with transaction.atomic():
        email = email.strip().lower()[:254]  # one address, however it is capitalised
        contact = _known_contact(organisation, phone=phone[:32], email=email)
        if contact is None:
            contact = Contact.objects.create(
                organisation=organisation, name=name[:200], phone=phone[:32], email=email
            )
        elif name and not contact.name:
            Contact.objects.filter(pk=contact.pk).update(name=name[:200])
            contact.name = name[:200]
        team = Team.objects.for_organisation(organisation).filter(is_default=True).first()
        conversation = Conversation.objects.create(
            organisation=organisation,
            channel=channel,
            contact=contact,
            team=team,
            language=language if language in ("nl", "en") else "nl",
            record_class=followers.record_class_for(organisation.pk, team=team, channel=channel),
        )
        record_event(
            organisation_id=organisation.pk,
            conversation_id=conversation.pk,
            event_type="conversation.created",
            payload={
                "channel": conversation.channel,
                "team": getattr(team, "pk", None),
                "record_class": conversation.record_class_id,
            },
            actor=ActorRef("resident"),
        )
        route_conversation(conversation)  # by the team's rule, or it waits in the queue
        transaction.on_commit(partial(events.publish_conversation, conversation))
    return conversation


def _known_contact(organisation: Organisation, *, phone: str, email: str) -> Contact | None:
    """The organisation's most recent contact with this phone number, else this e-mail
    address (stored in small letters); None for neither."""
    contacts = Contact.objects.for_organisation(organisation).order_by("-created_at", "-pk")
    if phone:
        return contacts.filter(phone=phone).first()
    if email:
        return contacts.filter(email=email).first()
    return None
