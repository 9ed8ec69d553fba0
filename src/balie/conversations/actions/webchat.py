"""Starting an anonymous web chat, identified by a device token."""

from __future__ import annotations

import hashlib
import secrets
from functools import partial

from django.db import transaction

from balie.archive.actions import record_event
from balie.archive.actors import ActorRef
from balie.conversations import events, followers
from balie.conversations.actions.routing import route_conversation
from balie.conversations.models import Channel, Contact, Conversation, Team
from balie.tenants.models import Organisation


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def do_start_webchat(
    organisation: Organisation, *, language: str = "nl", previous_token: object = None
) -> tuple[Conversation, str]:
    """Open a new web chat for an anonymous resident; return it with the device token.

    ``previous_token``: the device token of the resident's earlier web chat on this device
    (the page keeps it after that chat closed). When it belongs to a conversation of this
    organisation, the new chat gets the same contact, so the agent sees the earlier one beside
    it; anything else is ignored (a new contact), never an error that tells what exists."""
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        contact = _previous_contact(organisation, previous_token)
        if contact is None:
            contact = Contact.objects.create(organisation=organisation)
        team = Team.objects.for_organisation(organisation).filter(is_default=True).first()
        conversation = Conversation.objects.create(
            organisation=organisation,
            channel=Channel.WEBCHAT,
            contact=contact,
            team=team,
            language=language if language in ("nl", "en") else "nl",
            resident_token_hash=hash_token(token),
            record_class=followers.record_class_for(
                organisation.pk, team=team, channel=Channel.WEBCHAT
            ),
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
    return conversation, token


def _previous_contact(organisation: Organisation, token: object) -> Contact | None:
    if not isinstance(token, str) or not 20 <= len(token) <= 128:
        return None
    earlier = (
        Conversation.objects.for_organisation(organisation)
        .filter(resident_token_hash=hash_token(token), channel=Channel.WEBCHAT)
        .select_related("contact")
        .first()
    )
    return earlier.contact if earlier is not None else None
