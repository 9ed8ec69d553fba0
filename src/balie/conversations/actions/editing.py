"""Editing and deleting one's own message.

The message row shows the current state ("bewerkt" / "verwijderd"); the archive keeps every
version: the original in ``message.created``, each change in its own event.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from balie.archive.actions import record_event
from balie.archive.actors import actor_ref
from balie.conversations import events, followers
from balie.conversations.actions.errors import ActionError
from balie.conversations.actions.messages import clean_body
from balie.conversations.models import Direction, Message


def do_edit_message(message: Message, *, actor, body: object) -> Message:
    """``actor``: the staff author, or None for the resident (their socket proved who)."""
    _check_own(message, actor)
    body = clean_body(body)
    if not body:
        raise ActionError("invalid_body", "Een bewerkt bericht kan niet leeg zijn.")
    if body == message.body:
        return message
    return _change(message, actor, "message.edited", {"body": body}, body=body, edited=True)


def do_delete_message(message: Message, *, actor) -> Message:
    _check_own(message, actor)
    return _change(message, actor, "message.deleted", {}, body="", edited=False)


def _check_own(message: Message, actor) -> None:
    if message.direction == Direction.SYSTEM:
        raise ActionError("not_editable", "Systeemregels kunt u niet wijzigen.")
    own = (
        message.direction == Direction.INBOUND
        if actor is None
        else message.direction != Direction.INBOUND and message.author_id == actor.pk
    )
    if not own:
        raise ActionError("not_your_message", "U kunt alleen uw eigen berichten wijzigen.")
    if message.deleted_at is not None:
        raise ActionError("deleted", "Dit bericht is al verwijderd.")
    window = timedelta(minutes=settings.EDIT_WINDOW_MINUTES)
    if timezone.now() - message.created_at > window:
        raise ActionError(
            "too_late",
            f"Een bericht kunt u tot {settings.EDIT_WINDOW_MINUTES} minuten na het sturen "
            "wijzigen.",
        )


def _change(message, actor, event_type, extra, *, body, edited) -> Message:
    now = timezone.now()
    fields = {"body": body, "edited_at" if edited else "deleted_at": now}
    with transaction.atomic():
        Message.objects.filter(pk=message.pk).update(**fields)
        for name, value in fields.items():
            setattr(message, name, value)
        followers.index().reindex_message(message)  # a deleted message is no longer found
        record_event(
            organisation_id=message.organisation_id,
            conversation_id=message.conversation_id,
            event_type=event_type,
            payload={"message_id": message.pk, "seq": message.seq, **extra},
            actor=actor_ref(actor, default_kind="resident"),
        )
        transaction.on_commit(partial(events.publish_message_updated, message))
    return message
